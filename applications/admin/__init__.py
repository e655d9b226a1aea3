"""The staff's side of the applications app, one module per sub-domain like models/ and
services/. Django's admin autodiscovery imports this package; importing the modules registers
their ModelAdmins and the readable labels of the app's audit events."""

from . import (
    agencies,
    applications,
    assignments,
    awards,
    events,
    implementation,
    plans,
    ranking,
    reviews,
    screening,
    solicitations,
)

__all__ = [
    "agencies",
    "applications",
    "assignments",
    "awards",
    "events",
    "implementation",
    "plans",
    "ranking",
    "reviews",
    "screening",
    "solicitations",
]
