"""Training attendance services."""

__all__: list[str] = []
