"""Uploading an MOU version (validated before anything is stored)."""

__all__: list[str] = []
