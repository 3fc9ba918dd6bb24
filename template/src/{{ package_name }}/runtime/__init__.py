"""Template-owned runtime: job store, job lifecycle, invocation, models, logging."""
