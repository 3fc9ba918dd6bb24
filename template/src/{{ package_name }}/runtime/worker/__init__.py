"""A worker: one agent's run for a job (run.py), and its Lambda handler (handler.py)."""
