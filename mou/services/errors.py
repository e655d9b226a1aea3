"""The one error the mou services raise: a readable reason the view shows next to the form."""

from __future__ import annotations

__all__ = ["MouError"]


class MouError(Exception):
    """An MOU action the version's state, the input or the user's role forbids."""
