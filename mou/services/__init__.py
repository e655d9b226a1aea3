"""State changes of the mou app: uploads (uploads.py) and staff review and reminders
(review.py). Import from here: `from mou import services`."""

from .review import *  # noqa: F403
from .status import *  # noqa: F403
from .uploads import *  # noqa: F403
