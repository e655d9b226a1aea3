"""Registers the MOU panel on the applications award page (applications/panels.py)."""
