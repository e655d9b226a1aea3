"""NASRO training in the Django admin (training coordinator): the catalogue and sessions
(sessions.py: cancel, roster, CSV, attendance), and read-only records of officers,
enrollments and certificates (records.py)."""

from . import records, sessions  # noqa: F401  (registers the admin classes)
