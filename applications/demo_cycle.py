"""The demo's staff work (run by `applications.demo.seed`): the FY25 solicitation screened,
reviewed, scored, ranked, planned, approved and released; FY26 part screened and mid-review.

All of it goes through the services, as staff would through the admin, so it carries the same
audit trail. Peer agencies (in several states, two sharing a state so the 0.5% minimum and the
national order both show) register and are verified the real way; their FY25 applications are
imported like Springfield's, since nothing can be submitted to a closed solicitation. Each step
is skipped when its result is already there, so `seed_demo` stays idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from copsgrants.models import User

from . import services
from .models import (
    Agency,
    AgencyType,
    Application,
    DataFlag,
    FundingPlan,
    Review,
    ReviewAssignment,
    ScoringRun,
    Solicitation,
)

# (legal name, ORI, UEI, state, population, sworn officers, figures that vary the scores)
PEERS = [
    ("Harlan Police Department", "TX22701", "HRLNPD2026TX", "TX", 96_400, 171,
     {"budget_change_percent": Decimal("-8.20"), "unemployment_rate": Decimal("6.90"),
      "poverty_rate": Decimal("21.30"), "violent_crimes": 702, "property_crimes": 3610}),
    ("Bexley County Sheriff's Office", "TX10300", "BXLYCSO26TXS", "TX", 61_200, 88,
     # Commits to SROs: the bonus carries it across the FY25 funding line past Skagit Point.
     {"budget_change_percent": Decimal("-2.40"), "unemployment_rate": Decimal("4.10"),
      "poverty_rate": Decimal("12.40"), "violent_crimes": 188, "property_crimes": 1402}),
    ("Marisol Police Department", "CA01937", "MRSLPD2026CA", "CA", 143_000, 240,
     {"budget_change_percent": Decimal("-5.40"), "unemployment_rate": Decimal("7.80"),
      "poverty_rate": Decimal("17.90"), "violent_crimes": 905, "property_crimes": 4880}),
    ("Cedar Bluff Police Department", "CA04411", "CDRBLFPD26CA", "CA", 38_900, 61,
     {"budget_change_percent": Decimal("0.80"), "unemployment_rate": Decimal("3.60"),
      "poverty_rate": Decimal("9.70"), "violent_crimes": 74, "property_crimes": 690,
      "veteran_commitment": False}),
    ("Oconee Falls Police Department", "GA07302", "OCNFLSPD26GA", "GA", 27_300, 52,
     {"budget_change_percent": Decimal("-11.50"), "unemployment_rate": Decimal("8.40"),
      "poverty_rate": Decimal("26.10"), "violent_crimes": 233, "property_crimes": 1107}),
    ("Skagit Point Police Department", "WA02905", "SKGTPTPD26WA", "WA", 52_700, 83,
     {"budget_change_percent": Decimal("-2.30"), "unemployment_rate": Decimal("5.10"),
      "poverty_rate": Decimal("11.20"), "violent_crimes": 160, "property_crimes": 2230,
      "sro_commitment": False, "sro_positions": None, "sro_time_assurance": False}),
]  # fmt: skip

# What FY26 looks like mid-review, by peer (in PEERS order).
FY26_SUBMITTED = 6  # every peer has submitted FY26
FY26_SCREENED = 4  # the first four are screened eligible; two wait for the specialist
FY25_APPROPRIATION = Decimal("2250000.00")
REVIEW_SCORES = [(4, 3, 4, 3), (3, 3, 2, 2), (5, 4, 4, 4), (2, 2, 3, 1), (4, 5, 3, 4), (3, 2, 2, 3),
                 (5, 5, 4, 4), (1, 2, 2, 2), (3, 4, 3, 3), (4, 4, 5, 3)]  # fmt: skip


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _peer_fields(name: str, ori: str, uei: str, state: str, population: int, sworn: int) -> dict:
    town = name.split(" Police")[0].split(" County")[0]
    domain = town.lower().replace(" ", "") + ".example"
    return {
        "legal_name": name, "ori": ori, "uei": uei, "state": state,
        "agency_type": AgencyType.COUNTY_SHERIFF if "Sheriff" in name else AgencyType.MUNICIPAL,
        "jurisdiction_population": population, "sworn_force_actual": sworn,
        "sworn_force_budgeted": sworn + 6, "address_line1": "1 Civic Center Plaza",
        "address_line2": "", "city": town, "zip_code": "75001",
        "le_executive_name": "Morgan Hale", "le_executive_title": "Chief of Police",
        "le_executive_email": f"chief@{domain}", "le_executive_phone": "555-555-0100",
        "gov_executive_name": "Robin Vance", "gov_executive_title": "Mayor",
        "gov_executive_email": f"mayor@{domain}", "gov_executive_phone": "555-555-0101",
    }  # fmt: skip


def peer_agencies() -> list[tuple[Agency, dict]]:
    """Register and verify the peer agencies (each by its own representative, no demo login)."""
    peers = []
    specialist = _user("specialist@demo.test")
    for name, ori, uei, state, population, sworn, figures in PEERS:
        agency = Agency.objects.filter(ori=ori).first()
        if agency is None:
            email = f"representative@{ori.lower()}.example"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None, first_name="Casey", last_name=f"Ward ({state})"
            )
            agency = services.register_agency(
                by=user, fields=_peer_fields(name, ori, uei, state, population, sworn),
                is_authorized_representative=True,
            )  # fmt: skip
            services.verify_agency(
                agency=agency, by=specialist,
                note=f"ORI {ori} on the FBI list; UEI {uei} active in SAM.gov.",
            )  # fmt: skip
        peers.append((agency, figures))
    return peers


def _screen(applications: list[Application], specialist: User) -> None:
    for application in applications:
        application.refresh_from_db()
        if application.status != Application.Status.SUBMITTED:
            continue
        if not application.agency.is_verified:
            services.screen_application(
                application=application, by=specialist, eligible=False,
                reason=Application.IneligibilityReason.NO_SAM,
                note="SAM.gov shows no active registration for this UEI, and COPS could not "
                "verify the agency before the deadline.",
            )  # fmt: skip
        else:
            services.screen_application(application=application, by=specialist, eligible=True)
        application.refresh_from_db()


def _resolve_flags(applications: list[Application], specialist: User) -> None:
    for application in applications:
        services.refresh_flags(application=application)
        for flag in DataFlag.objects.filter(application=application, resolution=""):
            services.resolve_flag(
                flag=flag, by=specialist, resolution=DataFlag.Resolution.VERIFIED,
                note="Checked against the agency's audited budget and Census ACS tables.",
            )  # fmt: skip


def _assign(applications: list[Application], manager: User, reviewers: list[User]) -> None:
    waiting = [
        a for a in applications
        if a.status == Application.Status.UNDER_REVIEW and not a.assignments.exists()
    ]  # fmt: skip
    if waiting:
        services.assign_reviewers(
            applications=waiting, reviewers=reviewers, by=manager, per_application=2
        )


def _review(assignment: ReviewAssignment, n: int, *, submit: bool = True) -> None:
    """The assigned reviewer certifies no conflict, scores the rubric and (usually) submits."""
    reviewer = assignment.reviewer
    if assignment.coi_certified_at is None:
        assignment = services.certify_no_conflict(assignment=assignment, by=reviewer)
    review = Review.objects.filter(assignment=assignment).first()
    if review is not None and review.status == Review.Status.SUBMITTED:
        return
    rubric = assignment.application.solicitation.scoring_rules.get(in_force=True).rubric
    scores = REVIEW_SCORES[n % len(REVIEW_SCORES)]
    review = services.save_review(
        assignment=assignment, by=reviewer,
        scores={c["key"]: {"score": s, "comment": "See the strategy section."}
                for c, s in zip(rubric, scores, strict=False)},
    )  # fmt: skip
    if submit:
        services.submit_review(review=review, by=reviewer)


def _decide(solicitation: Solicitation, manager: User, approver: User) -> None:
    if not ScoringRun.objects.filter(solicitation=solicitation).exists():
        services.compute_scores(solicitation=solicitation, by=manager)
    plan = FundingPlan.objects.filter(solicitation=solicitation).first()
    if plan is None:
        plan = services.draft_funding_plan(solicitation=solicitation, by=manager)
    if plan.status == FundingPlan.Status.DRAFT:
        plan = services.approve_plan(plan=plan, by=approver)
    if plan.status == FundingPlan.Status.APPROVED:
        services.release_decisions(plan=plan, by=manager)


def fy25_decided(previous: Solicitation) -> None:
    """FY25 from screening to released decisions."""
    if FundingPlan.objects.filter(
        solicitation=previous, status=FundingPlan.Status.RELEASED
    ).exists():
        return
    specialist, manager = _user("specialist@demo.test"), _user("manager@demo.test")
    reviewers = [_user("reviewer@demo.test"), _user("reviewer2@demo.test")]
    applications = list(
        Application.objects.filter(solicitation=previous).select_related("agency").order_by("pk")
    )
    _screen(applications, specialist)
    eligible = [a for a in applications if a.status == Application.Status.UNDER_REVIEW]
    _resolve_flags(eligible, specialist)
    _assign(eligible, manager, reviewers)
    assignments = ReviewAssignment.objects.active().filter(application__in=eligible)
    for n, assignment in enumerate(assignments.select_related("application", "reviewer")):
        _review(assignment, n)
    _decide(previous, manager, _user("approver@demo.test"))


def fy26_mid_review(current: Solicitation, submitted: list[Application]) -> None:
    """FY26: some screened and assigned; Riley has one to certify, one draft, one submitted."""
    specialist, manager = _user("specialist@demo.test"), _user("manager@demo.test")
    riley, avery = _user("reviewer@demo.test"), _user("reviewer2@demo.test")
    screened = submitted[:FY26_SCREENED]
    if any(a.assignments.exists() for a in screened):
        return
    _screen(screened, specialist)
    _resolve_flags(screened, specialist)
    _assign(screened, manager, [riley, avery])
    mine = list(ReviewAssignment.objects.active().filter(
        application__in=screened, reviewer=riley).order_by("application_id"))  # fmt: skip
    for n, assignment in enumerate(mine[1:]):  # the first stays to certify
        _review(assignment, n, submit=n > 0)  # then a draft, then submitted ones
    for n, assignment in enumerate(ReviewAssignment.objects.active().filter(
            application__in=screened, reviewer=avery).order_by("application_id")):  # fmt: skip
        _review(assignment, n + 3)
