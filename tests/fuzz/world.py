"""One of everything a form can be posted against, for the form-wide fuzzing and stored-XSS
tests: an agency with members (one waiting to join), a draft application, an offered award, an
open non-SRO award with a hire and a drawdown, a withheld SRO award with a submitted MOU and
another still without one, a training session with an officer enrolled, and on the staff side a
submitted application to screen, a review assignment and a draft funding plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from applications import services
from applications.models import (
    Agency,
    Application,
    Award,
    Drawdown,
    FundingPlan,
    Membership,
    OfficerHire,
    ReviewAssignment,
    Solicitation,
)
from copsgrants import roles
from copsgrants.models import User
from mou.models import MouVersion
from tests.applications.acceptance_helpers import offered_award
from tests.applications.implementation_helpers import opened
from tests.applications.plan_helpers import scored_solicitation
from tests.award_states import accepted_award
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)
from tests.mfa_helpers import add_recovery_codes, confirmed_app_device
from tests.mou.review_helpers import submitted_mou
from tests.training.helpers import add_hire, add_officers, enrollment, make_session
from training.models import CourseSession, Enrollment, Officer


@dataclass
class World:
    superuser: User
    applicant: User
    member: User
    member_id: int  # the member's membership
    outsider: User
    reviewer: User
    agency: Agency
    joiner: Membership
    solicitation: Solicitation
    fresh_solicitation: Solicitation  # open, nothing started
    draft: Application
    offered: Award
    open_award: Award
    hire: OfficerHire
    drawdown: Drawdown
    sro_award: Award
    mou: MouVersion
    mou_award: Award
    submitted: Application
    assignment: ReviewAssignment
    plan: FundingPlan
    session: CourseSession
    officer: Officer
    enrollment: Enrollment
    # Two-step verification on (an authenticator app and recovery codes): owes a code after
    # force_login, which verifies staff sessions only (tests/conftest.py).
    two_step: User | None = None


def build_world(agency: Agency, applicant: User) -> World:
    superuser = UserFactory(is_staff=True, is_superuser=True, email="root@cops.test")
    reviewer = UserFactory(roles=[roles.REVIEWER])
    joiner = MembershipFactory(agency=agency, pending=True)
    membership = MembershipFactory(agency=agency)
    member = membership.user
    outsider = UserFactory()
    AgencyFactory(pending=True)
    solicitation = SolicitationFactory()
    draft = ApplicationFactory(agency=agency, solicitation=solicitation, complete=True)
    offered = offered_award(agency)
    open_award = opened(accepted_award(agency, is_sro=False, letter=False))
    hire = add_hire(open_award, first_name="Dana", last_name="Whitfield")
    drawdown = Drawdown.objects.create(
        award=open_award, number=1, period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31), amount=Decimal("25000.00"),
        description="October salary and fringe benefits.", requested_by=applicant,
    )  # fmt: skip
    sro_award = accepted_award(agency, letter=False)
    mou_award = accepted_award(agency, letter=False)
    mou = submitted_mou(mou_award, by=applicant)
    submitted = ApplicationFactory(
        submitted=True, agency=AgencyFactory(), solicitation=SolicitationFactory(closed=True)
    )
    under_review = ApplicationFactory(
        submitted=True, agency=AgencyFactory(), solicitation=submitted.solicitation,
        status=Application.Status.UNDER_REVIEW,
    )  # fmt: skip
    assignment = ReviewAssignment.objects.create(application=under_review, reviewer=reviewer)
    plan_solicitation, _run, _apps = scored_solicitation([("IL", 3), ("WY", 2)])
    plan = services.draft_funding_plan(solicitation=plan_solicitation, by=superuser)
    session = make_session()
    (officer,) = add_officers(agency, 1)
    two_step = UserFactory(email="two-step@agency.test")
    confirmed_app_device(two_step)
    add_recovery_codes(two_step)
    return World(
        superuser=superuser, applicant=applicant, member=member, member_id=membership.pk,
        outsider=outsider, reviewer=reviewer, agency=agency,
        fresh_solicitation=SolicitationFactory(),
        joiner=joiner, solicitation=solicitation, draft=draft, offered=offered,
        open_award=open_award, hire=hire, drawdown=drawdown, sro_award=sro_award, mou=mou,
        mou_award=mou_award, submitted=submitted, assignment=assignment, plan=plan,
        session=session, officer=officer,
        enrollment=enrollment(session, officer, Enrollment.Status.ENROLLED),
        two_step=two_step,
    )  # fmt: skip
