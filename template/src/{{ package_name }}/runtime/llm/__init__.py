"""Model clients: the configured provider's (clients.py) and the offline model (offline.py)."""
