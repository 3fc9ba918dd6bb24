"""The HTTP API: submit a job, poll it, list one's jobs (see docs/api.md)."""
