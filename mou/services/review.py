"""Staff review of an MOU version against the required elements, and due-date reminders."""

__all__: list[str] = []
