"""Registers the training panel on the applications dashboard (applications/panels.py)."""
