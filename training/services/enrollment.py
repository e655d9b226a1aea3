"""Training enrollment services."""

__all__: list[str] = []
