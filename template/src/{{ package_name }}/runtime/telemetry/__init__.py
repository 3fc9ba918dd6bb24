"""Logs, metrics and traces of jobs and agent runs."""
