"""The template's logic: the spec model and validation, the condition and plan compilers,
and the context the templates read. Plain Python, usable without Copier."""
