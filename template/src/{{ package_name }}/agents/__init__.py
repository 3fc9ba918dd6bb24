"""The workers, one package each (agent.py, templates.py, schemas.py are yours to edit)."""
