"""One agency's objects of every kind a URL can name, built once per test: agency A with an
Authorized Representative (who is also its administrator), a plain member and a pending
request; agency B with its own Authorized Representative; a draft application; an offered SRO
award with its letter; an accepted SRO award with an MOU version; an officer, an enrollment and
a rendered certificate. Files go to one private storage folder that `settings.MEDIA_ROOT` also
names, so a server that served the media root would serve them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from applications.models import (
    Agency,
    Application,
    Award,
    AwardLetter,
    DataFlag,
    Drawdown,
    FundingPlan,
    Membership,
    ReviewAssignment,
    ScoringRun,
)
from copsgrants import roles
from mou.models import MouVersion
from tests.applications.acceptance_helpers import offered_award
from tests.award_states import accepted_award
from tests.factories import AgencyFactory, ApplicationFactory, MembershipFactory, UserFactory
from tests.mou.review_helpers import submitted_mou
from tests.training.helpers import add_officers, enrollment, make_session
from training import services as training_services
from training import tasks as training_tasks
from training.models import Certificate, CourseSession, Enrollment, Officer

FILE_FIELDS = [
    AwardLetter._meta.get_field("file"),
    MouVersion._meta.get_field("file"),
    Certificate._meta.get_field("file"),
]


def private_media(root: Path, monkeypatch) -> FileSystemStorage:
    """Point every private file field at `root` (the caller makes it MEDIA_ROOT too)."""
    storage = FileSystemStorage(location=root, base_url=None)
    for field in FILE_FIELDS:
        monkeypatch.setattr(field, "storage", storage)
    return storage


@dataclass
class World:
    agency: Agency
    representative: object  # Authorized Representative and administrator of `agency`
    member: object  # a plain member of `agency`: no role
    member_membership: Membership
    pending: Membership  # someone asking to join `agency`
    other_agency: Agency
    outsider: object  # Authorized Representative and administrator of `other_agency`
    application: Application  # a draft of `agency` to the open solicitation
    offered: Award  # offered SRO award of `agency`, letter v1 ready
    accepted: Award  # accepted SRO award of `agency`, MOU v1 uploaded
    mou: MouVersion
    session: CourseSession  # an upcoming session open for registration
    officer: Officer
    enrollment: Enrollment  # `officer` enrolled in `session`
    certificate: Certificate  # a rendered certificate of `officer`
    drawdown: Drawdown


def build_world() -> World:
    agency = AgencyFactory(legal_name="Springfield Police Department", state="IL", ori="IL08401")
    representative = MembershipFactory(
        agency=agency, administrator=True, authorized_representative=True
    ).user
    member_membership = MembershipFactory(agency=agency)
    pending = MembershipFactory(agency=agency, pending=True)
    other_agency = AgencyFactory(legal_name="Riverton County Sheriff's Office", ori="WY01300")
    outsider = MembershipFactory(
        agency=other_agency, administrator=True, authorized_representative=True
    ).user
    offered = offered_award(agency, is_sro=True, letter=True)
    application = ApplicationFactory(agency=agency)
    accepted = accepted_award(agency, is_sro=True, letter=False)
    mou = submitted_mou(accepted, by=representative)
    drawdown = Drawdown.objects.create(
        award=accepted, number=1, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        amount=Decimal("25000"), description="October payroll.",
    )  # fmt: skip
    session = make_session()
    officer, graduate = add_officers(agency, 2)
    enrolled = enrollment(session, officer, Enrollment.Status.ENROLLED)
    certificate = _rendered_certificate(graduate)
    _staff_work(offered)
    return World(
        agency=agency, representative=representative, member=member_membership.user,
        member_membership=member_membership, pending=pending, other_agency=other_agency,
        outsider=outsider, application=application, offered=offered, accepted=accepted,
        mou=mou, session=session, officer=officer, enrollment=enrolled, certificate=certificate,
        drawdown=drawdown,
    )  # fmt: skip


def _rendered_certificate(officer: Officer) -> Certificate:
    past = make_session(
        starts_on=date(2026, 3, 2), days=5,
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )  # fmt: skip
    row = enrollment(past, officer, Enrollment.Status.ENROLLED)
    coordinator = UserFactory(roles=[roles.TRAINING_COORDINATOR])
    training_services.record_attendance(enrollments=[row], outcome="completed", by=coordinator)
    certificate = Certificate.objects.get(enrollment=row)
    training_tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY and certificate.file
    return certificate


def _staff_work(award: Award) -> None:
    """Rows only staff pages show: a review assignment and a data flag on the award's
    application (the award's plan and scoring run already exist)."""
    reviewer = UserFactory(roles=[roles.REVIEWER])
    ReviewAssignment.objects.create(
        application=award.application, reviewer=reviewer, coi_certified_at=timezone.now()
    )
    DataFlag.objects.create(
        application=award.application, kind=DataFlag.Kind.POVERTY, value=Decimal("71"),
        message="Poverty rate 71% is above the plausible bound.",
    )  # fmt: skip
    assert FundingPlan.objects.filter(pk=award.plan_id).exists()
    assert ScoringRun.objects.filter(solicitation=award.solicitation).exists()
