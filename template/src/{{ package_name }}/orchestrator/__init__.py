"""The orchestrator: claims a job, runs the plan, records the outcome."""
