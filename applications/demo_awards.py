"""The demo's awards (run by `applications.demo.seed` after FY25's decisions are released): the
grants manager makes the FY25 awards, their letters are rendered here and now (no worker needed
for `seed_demo`; a worker that later takes the queued messages finds them ready and does
nothing), and the agencies sign: Springfield's two Authorized Representatives accept its SRO
award; at Riverton the sheriff has signed and Olivia (other@demo.test) can sign second.
Skagit Point's award has no SRO positions, so its letter has no MOU condition. Each step is
skipped when its result is already there, so `seed_demo` stays idempotent."""

from __future__ import annotations

from copsgrants.demo import demo_password
from copsgrants.models import User

from . import services
from .models import Agency, Award, AwardLetter, FundingPlan, Membership, Solicitation

# Second Authorized Representatives: they join through the services like anyone else.
SECOND_REPRESENTATIVES = {
    "IL08401": ("chief@springfield.demo.test", "Dana", "Whitfield", "applicant@demo.test"),
    "WY01300": ("sheriff@riverton.demo.test", "Rosa", "Castillo", "other@demo.test"),
}
DEMO_IP = "192.0.2.10"  # TEST-NET-1: a documentation address, never a real one


def _user(email: str) -> User:
    return User.objects.get(email=email)


def second_representative(agency: Agency) -> User:
    """The agency's second Authorized Representative: asks to join, and the agency's
    administrator approves them as a representative."""
    email, first_name, last_name, administrator = SECOND_REPRESENTATIVES[agency.ori]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=demo_password(), first_name=first_name, last_name=last_name
        )
    if not Membership.objects.filter(user=user, agency=agency).exists():
        membership = services.request_membership(user=user, agency=agency)
        services.approve_membership(
            membership=membership, by=_user(administrator), authorized_representative=True
        )
    return user


def _sign(award: Award, user: User) -> None:
    if not award.signatures.filter(user=user).exists():
        services.sign_acceptance(award=award, by=user, typed_name=user.get_full_name(), ip=DEMO_IP)


def fy25_awarded(previous: Solicitation) -> None:
    """Awards from the released FY25 plan, letters ready, Springfield accepted, Riverton half."""
    from .letters import render_letter  # WeasyPrint: loaded only when the demo renders

    plan = FundingPlan.objects.filter(
        solicitation=previous, status=FundingPlan.Status.RELEASED
    ).first()
    if plan is None:
        return
    if not plan.awards.exists():
        services.make_awards(plan=plan, by=_user("manager@demo.test"))
    for letter in AwardLetter.objects.filter(award__plan=plan).exclude(
        status=AwardLetter.Status.READY
    ):
        render_letter(letter)
    awards = {award.agency.ori: award for award in plan.awards.select_related("agency")}
    springfield, riverton = awards.get("IL08401"), awards.get("WY01300")
    if springfield is not None and springfield.status == Award.Status.OFFERED:
        _sign(springfield, _user("applicant@demo.test"))
        _sign(springfield, second_representative(springfield.agency))
    if riverton is not None and riverton.status == Award.Status.OFFERED:
        _sign(riverton, second_representative(riverton.agency))
