"""The one error the training services raise: a readable reason the view shows next to the
field or as a flash message."""


class TrainingError(Exception):
    """A training action the session's state, the officer's record or the user's role forbids."""


__all__ = ["TrainingError"]
