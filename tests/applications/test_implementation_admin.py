"""Implementation in the admin: drawdowns approved or rejected from their page or in bulk
(program specialists only; per-row refusals reported with their reason), the read-only hire
list, and the award list's MOU condition filter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import AwardCondition, Drawdown, OfficerHire
from copsgrants.models import AuditEvent
from tests.award_states import accepted_award

from . import implementation_helpers as helpers
from .acceptance_helpers import offered_award
from .implementation_helpers import drawdown_data, hire_data, opened

pytestmark = pytest.mark.django_db
open_award = helpers.open_award
CHANGELIST = reverse("admin:applications_drawdown_changelist")


def url(name: str, drawdown: Drawdown) -> str:
    return reverse(f"admin:applications_drawdown_{name}", args=[drawdown.pk])


@pytest.fixture
def requested(member, open_award):
    return services.request_drawdown(award=open_award, by=member, **drawdown_data())


def test_the_drawdown_list_shows_award_agency_period_amount_and_status(
    signed_in, program_specialist, requested
):
    html = signed_in(program_specialist).get(CHANGELIST).text
    award = requested.award
    for text in (award.number, award.agency.legal_name, "Oct 1, 2026 to Oct 31, 2026",
                 "$25,000", "Requested", "Approve selected drawdowns"):  # fmt: skip
        assert text in html


def test_a_specialist_approves_from_the_drawdown_page(signed_in, program_specialist, requested):
    client = signed_in(program_specialist)
    page = client.get(reverse("admin:applications_drawdown_change", args=[requested.pk])).text
    assert url("approve", requested) in page and url("reject", requested) in page
    assert "Approve drawdown 1 of $25,000" in client.get(url("approve", requested)).text
    response = client.post(url("approve", requested), {"note": "Payroll matches."})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.decision_note) == ("approved", "Payroll matches.")
    page = client.get(reverse("admin:applications_drawdown_change", args=[requested.pk])).text
    assert "Drawdown approved</span>" in page and "“$25,000 approved: Payroll matches.”" in page
    assert url("approve", requested) not in page


def test_rejecting_from_the_page_needs_a_reason(signed_in, program_specialist, requested):
    client = signed_in(program_specialist)
    response = client.post(url("reject", requested), {"note": ""})
    assert response.status_code == 200 and "Say why the drawdown is rejected." in response.text
    client.post(url("reject", requested), {"note": "Costs are from September."})
    requested.refresh_from_db()
    assert requested.status == "rejected"


@pytest.mark.parametrize("persona", ["grants_manager", "reviewer"])
def test_staff_without_decide_drawdown_cannot_decide(request, signed_in, requested, persona):
    client = signed_in(request.getfixturevalue(persona))
    assert client.post(url("approve", requested), {"note": ""}).status_code in {403, 404}
    assert client.post(url("reject", requested), {"note": "No"}).status_code in {403, 404}
    client.post(CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [requested.pk]})
    requested.refresh_from_db()
    assert requested.status == Drawdown.Status.REQUESTED


def test_a_grants_manager_sees_drawdowns_without_the_decision_buttons(
    signed_in, grants_manager, requested
):
    client = signed_in(grants_manager)
    page = client.get(reverse("admin:applications_drawdown_change", args=[requested.pk])).text
    assert requested.award.number in page and url("approve", requested) not in page
    assert "Approve selected drawdowns" not in client.get(CHANGELIST).text


def test_bulk_approval_decides_each_and_reports_each_refusal(
    signed_in, program_specialist, member, agency, open_award
):
    ok = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    withheld = accepted_award(agency, letter=False)
    blocked = Drawdown.objects.create(
        award=withheld, number=1, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        amount=Decimal("1000"), description="Payroll",
    )  # fmt: skip
    done = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    services.reject_drawdown(drawdown=done, by=program_specialist, note="Duplicate.")
    response = signed_in(program_specialist).post(
        CHANGELIST,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [ok.pk, blocked.pk, done.pk]},
        follow=True,
    )
    html = response.text
    due = withheld.conditions.get(code="sro_mou").due_date.isoformat()
    assert "1 drawdown approved." in html
    assert (
        f"{withheld.number} drawdown 1 not approved: Withheld: MOU not yet approved, due {due}"
        in html
    )
    assert f"{open_award.number} drawdown 2 not approved: Drawdown 2 is already rejected." in html
    statuses = dict(Drawdown.objects.values_list("pk", "status"))
    assert statuses == {ok.pk: "approved", blocked.pk: "requested", done.pk: "rejected"}


def test_bulk_rejection_asks_for_one_reason_then_rejects_each(
    signed_in, program_specialist, member, open_award
):
    first = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    second = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    client = signed_in(program_specialist)
    ids = {ACTION_CHECKBOX_NAME: [first.pk, second.pk], "action": "reject_selected"}
    page = client.post(CHANGELIST, ids)
    assert page.status_code == 200 and "Why it is rejected" in page.text
    assert Drawdown.objects.filter(status="requested").count() == 2
    page = client.post(CHANGELIST, {**ids, "apply": "1", "note": ""})
    assert "Say why the drawdown is rejected." in page.text
    response = client.post(CHANGELIST, {**ids, "apply": "1", "note": "No receipts."}, follow=True)
    assert "2 drawdowns rejected." in response.text
    assert set(Drawdown.objects.values_list("status", "decision_note")) == {
        ("rejected", "No receipts.")
    }
    assert AuditEvent.objects.filter(verb="drawdown.rejected").count() == 2


def test_the_hire_list_is_read_only(signed_in, program_specialist, member, open_award):
    hire = services.report_hire(award=open_award, by=member, **hire_data())
    client = signed_in(program_specialist)
    html = client.get(reverse("admin:applications_officerhire_changelist")).text
    assert "Dana Whitfield" in html and open_award.number in html and helpers.SCHOOL in html
    change = reverse("admin:applications_officerhire_change", args=[hire.pk])
    client.post(change, {"first_name": "Changed"})
    assert OfficerHire.objects.get().first_name == "Dana"
    assert client.get(reverse("admin:applications_officerhire_add")).status_code == 403


def test_the_award_list_filters_on_the_mou_condition(signed_in, program_specialist, agency):
    today = timezone.localdate()
    soon, later, late, met = (accepted_award(agency, letter=False) for _ in range(4))
    non_sro = accepted_award(agency, is_sro=False, letter=False)
    for award, due in ((soon, 10), (later, 40), (late, -1), (met, -30)):
        AwardCondition.objects.filter(award=award, code="sro_mou").update(
            due_date=today + timedelta(days=due)
        )
    opened(met)
    client = signed_in(program_specialist)
    changelist = reverse("admin:applications_award_changelist")
    assert "MOU condition" in client.get(changelist).text

    def listed(value: str) -> set[str]:
        html = client.get(changelist, {"mou_condition": value}).text
        return {a.number for a in (soon, later, late, met, non_sro) if a.number in html}

    assert listed("due_soon") == {soon.number}
    assert listed("overdue") == {late.number}
    assert listed("met") == {met.number}
    assert listed("not_met") == {soon.number, later.number, late.number}


def test_the_staff_award_page_lists_its_hires_and_drawdowns(
    signed_in, program_specialist, member, open_award
):
    services.report_hire(award=open_award, by=member, **hire_data())
    drawdown = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    page = signed_in(program_specialist).get(
        reverse("admin:applications_award_change", args=[open_award.pk])
    )
    html = page.text
    hires = html[html.index('data-testid="hires"') :]
    assert "Dana Whitfield" in hires and helpers.SCHOOL in hires
    drawdowns = html[html.index('data-testid="drawdowns"') :]
    assert url("change", drawdown) in drawdowns and "$25,000" in drawdowns
    assert "Requested" in drawdowns


def test_the_staff_award_page_says_who_declined_and_why(
    signed_in, program_specialist, applicant, agency
):
    award = offered_award(agency)
    services.decline_award(award=award, by=applicant, reason="The council cut the <b>match</b>.")
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_award_change", args=[award.pk]))
        .text
    )
    row = html[html.index('data-testid="decline"') :]
    assert str(applicant) in row[:600]
    assert "The council cut the &lt;b&gt;match&lt;/b&gt;." in row[:600]
