"""State changes of the training app: the roster and enrollments (roster.py, enrollment.py),
attendance and completions (attendance.py). Import from here: `from training import services`."""

from .attendance import *  # noqa: F403
from .enrollment import *  # noqa: F403
from .roster import *  # noqa: F403
