"""The staff work queue on the admin index: what the signed-in staff member's role has to do in
the current solicitation, each item a link to the admin list that holds it.

A fixed number of queries whatever the number of applications: every figure is an aggregate
(`Count(..., filter=...)`), never a loop over rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import template
from django.db.models import Count, Exists, OuterRef, Q
from django.template.defaultfilters import pluralize
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..models import (
    Application,
    DataFlag,
    FundingPlan,
    Review,
    ReviewAssignment,
    ScoringRules,
    Solicitation,
)

register = template.Library()


@dataclass(frozen=True)
class QueueItem:
    label: str
    count: int
    url: str
    hint: str = ""


@dataclass
class QueueSection:
    title: str
    items: list[QueueItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


@dataclass
class WorkQueue:
    solicitation: Solicitation | None
    by_status: list[QueueItem] = field(default_factory=list)
    sections: list[QueueSection] = field(default_factory=list)


def current_solicitation() -> Solicitation | None:
    """The newest published solicitation that has opened (open now or closed and in review)."""
    return (
        Solicitation.objects.published()
        .filter(opens_at__lte=timezone.now())
        .order_by("-fiscal_year", "-opens_at")
        .first()
    )


def changelist(model, **params: object) -> str:
    try:
        url = reverse(f"admin:applications_{model._meta.model_name}_changelist")
    except NoReverseMatch:  # the model has no admin list: the count stands alone
        return ""
    return f"{url}?{urlencode(params)}" if params else url


def ready_to_score(solicitation: Solicitation, reviews_required: int):
    """Applications under review with enough submitted reviews and no unresolved data flag."""
    return (
        Application.objects.filter(
            solicitation=solicitation, status=Application.Status.UNDER_REVIEW
        )
        .alias(
            submitted_reviews=Count(
                "assignments__review",
                filter=Q(assignments__review__status=Review.Status.SUBMITTED),
            ),
            open_flag=Exists(
                DataFlag.objects.filter(
                    application=OuterRef("pk"), resolution=DataFlag.Resolution.OPEN
                )
            ),
        )
        .filter(submitted_reviews__gte=reviews_required, open_flag=False)
    )


def _by_status(solicitation: Solicitation) -> list[QueueItem]:
    statuses = [s for s in Application.Status if s != Application.Status.DRAFT]
    counts = Application.objects.filter(solicitation=solicitation).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in statuses}
    )
    return [
        QueueItem(
            label=status.label,
            count=counts[status.value],
            url=changelist(
                Application, status__exact=status.value, solicitation__id__exact=solicitation.pk
            ),
        )
        for status in statuses
    ]


def _to_screen(solicitation: Solicitation, by_status: list[QueueItem]) -> QueueSection:
    submitted = next(i for i in by_status if i.label == Application.Status.SUBMITTED.label)
    return QueueSection(
        "To screen",
        [
            QueueItem(
                "Submitted applications to screen",
                submitted.count,
                submitted.url,
                "Decide eligibility and any match waiver; resolve data flags.",
            )
        ],
    )


def _my_assignments(user, solicitation: Solicitation) -> QueueSection:
    submitted = Q(review__status=Review.Status.SUBMITTED)
    counts = ReviewAssignment.objects.for_reviewer(user).filter(
        application__solicitation=solicitation
    ).aggregate(
        certify=Count("pk", filter=Q(coi_certified_at__isnull=True)),
        draft=Count("pk", filter=Q(coi_certified_at__isnull=False) & ~submitted),
        submitted=Count("pk", filter=submitted),
    )  # fmt: skip
    # Reviewers' list is scoped to their own assignments and offers no filters on the review,
    # so "draft" and "submitted" link to the whole list, which shows each review's status.
    mine = {"status__exact": ReviewAssignment.Status.ASSIGNED}
    everything = changelist(ReviewAssignment, **mine)
    return QueueSection(
        "My assignments",
        [
            QueueItem(
                "Certify conflict of interest",
                counts["certify"],
                changelist(ReviewAssignment, **mine, coi_certified_at__isnull="True"),
                "Certify you have no conflict with the agency (or declare one) to see answers.",
            ),
            QueueItem("To score (draft)", counts["draft"], everything),
            QueueItem("Submitted", counts["submitted"], everything),
        ],
    )


def _manager(solicitation: Solicitation) -> list[QueueSection]:
    rules = ScoringRules.objects.in_force().filter(solicitation=solicitation).first()
    required = rules.reviews_required if rules else 1
    ready = ready_to_score(solicitation, required).count()
    to_release = FundingPlan.objects.filter(
        solicitation=solicitation, status=FundingPlan.Status.APPROVED
    ).count()
    under_review = changelist(
        Application,
        status__exact=Application.Status.UNDER_REVIEW,
        solicitation__id__exact=solicitation.pk,
    )
    return [
        QueueSection(
            "Ready to score",
            [
                QueueItem(
                    "Under review with enough submitted reviews and no open data flags",
                    ready,
                    under_review,
                    f"{required} submitted review{pluralize(required)} needed.",
                )
            ],
        ),
        QueueSection(
            "Decisions to release",
            [
                QueueItem(
                    "Approved funding plans not yet released",
                    to_release,
                    changelist(
                        FundingPlan,
                        status__exact=FundingPlan.Status.APPROVED,
                        solicitation__id__exact=solicitation.pk,
                    ),
                )
            ],
        ),
    ]


def build_work_queue(user) -> WorkQueue:
    solicitation = current_solicitation()
    queue = WorkQueue(solicitation=solicitation)
    if solicitation is None or not user.has_perm("applications.view_application"):
        return queue
    queue.by_status = _by_status(solicitation)
    if user.has_perm("applications.screen_application"):
        queue.sections.append(_to_screen(solicitation, queue.by_status))
    # A superuser holds every permission but is nobody's reviewer.
    if user.has_perm("applications.review_application") and not user.is_superuser:
        queue.sections.append(_my_assignments(user, solicitation))
    if user.has_perm("applications.compute_scores") or user.has_perm(
        "applications.approve_funding_plan"
    ):
        queue.sections.extend(_manager(solicitation))
    return queue


@register.simple_tag
def work_queue(user) -> WorkQueue:
    """`{% work_queue request.user as queue %}`"""
    return build_work_queue(user)
