"""Training roster services."""

__all__: list[str] = []
