"""The withholding gate, every entry point at once: while an SRO award's MOU condition is not
met, each view, service and admin path that reports a hire, requests a drawdown or approves one
is refused with the reason ("Withheld: MOU not yet approved, due <date>") and saves nothing.
Clearing the condition (what approving the MOU does) opens every one of them; a non-SRO award
is never gated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from applications import services
from applications.models import AwardCondition, Drawdown, OfficerHire
from copsgrants.models import AuditEvent

from . import implementation_helpers as helpers
from .implementation_helpers import as_post, drawdown_data, hire_data

pytestmark = pytest.mark.django_db
withheld_award, non_sro_award = helpers.withheld_award, helpers.non_sro_award
SUBMIT = {"hire": 'data-testid="report-hire"', "drawdown": 'data-testid="request-drawdown"'}


def simulated_request(award, number: int = 1) -> Drawdown:
    """A drawdown awaiting a decision, written directly: the service would refuse to create it."""
    return Drawdown.objects.create(
        award=award, number=number, period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        amount=Decimal("25000"), description="October payroll of three officers.",
    )  # fmt: skip


def nothing_saved(drawdown: Drawdown) -> None:
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.REQUESTED and drawdown.decided_at is None
    assert not OfficerHire.objects.exists()
    assert Drawdown.objects.count() == 1
    assert not AuditEvent.objects.filter(
        verb__in=["hire.reported", "drawdown.requested", "drawdown.approved"]
    ).exists()


def urls(award) -> dict[str, str]:
    return {
        "hire": reverse("applications:hire_new", args=[award.pk]),
        "drawdown": reverse("applications:drawdown_new", args=[award.pk]),
    }


def test_every_entry_point_is_refused_while_withheld_and_opens_once_the_mou_is_approved(
    client, member, program_specialist, withheld_award
):
    award = withheld_award
    due = award.conditions.get(code=AwardCondition.Code.SRO_MOU).due_date
    reason = f"Withheld: MOU not yet approved, due {due.isoformat()}"
    drawdown = simulated_request(award)
    pages = urls(award)
    approve_url = reverse("admin:applications_drawdown_approve", args=[drawdown.pk])
    changelist = reverse("admin:applications_drawdown_changelist")
    bulk = {"action": "approve_selected", ACTION_CHECKBOX_NAME: [drawdown.pk]}
    login = {"backend": "django.contrib.auth.backends.ModelBackend"}

    # The one helper says why.
    assert services.can_implement(member, award) == (False, reason)
    assert services.implementation_blocked(award) == reason

    # Views: the pages show the reason and no form; a POST is refused with the reason.
    client.force_login(member, **login)
    award_page = client.get(reverse("applications:award_detail", args=[award.pk])).text
    assert reason in award_page
    for name, data in (("hire", hire_data()), ("drawdown", drawdown_data())):
        response = client.get(pages[name])
        assert response.status_code == 200
        assert reason in response.text and SUBMIT[name] not in response.text
        response = client.post(pages[name], as_post(data))
        assert response.status_code == 403 and reason in response.text
    nothing_saved(drawdown)

    # Services.
    with pytest.raises(services.ImplementationError, match=reason):
        services.report_hire(award=award, by=member, **hire_data())
    with pytest.raises(services.ImplementationError, match=reason):
        services.request_drawdown(award=award, by=member, **drawdown_data())
    with pytest.raises(services.ImplementationError, match=reason):
        services.approve_drawdown(drawdown=drawdown, by=program_specialist)
    nothing_saved(drawdown)

    # Admin: the change page's button and the bulk action.
    client.force_login(program_specialist, **login)
    change = client.get(reverse("admin:applications_drawdown_change", args=[drawdown.pk])).text
    assert reason in change
    assert reason in client.get(approve_url).text
    response = client.post(approve_url, {"note": ""})
    assert response.status_code == 200 and reason in response.text
    response = client.post(changelist, bulk, follow=True)
    assert f"not approved: {reason}" in response.text
    nothing_saved(drawdown)

    # Approving the MOU clears the condition; every path now works.
    assert services.clear_condition(
        award=award, code=AwardCondition.Code.SRO_MOU, by=program_specialist
    )
    assert services.can_implement(member, award) == (True, "")
    assert client.post(changelist, bulk).status_code == 302
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.APPROVED

    second = simulated_request(award, number=2)
    assert (
        client.post(
            reverse("admin:applications_drawdown_approve", args=[second.pk]), {"note": "Fine."}
        ).status_code
        == 302
    )
    third = services.request_drawdown(award=award, by=member, **drawdown_data())
    services.approve_drawdown(drawdown=third, by=program_specialist)
    services.report_hire(award=award, by=member, **hire_data(last_name="Service"))

    client.force_login(member, **login)
    assert reason not in client.get(reverse("applications:award_detail", args=[award.pk])).text
    for name in pages:
        assert SUBMIT[name] in client.get(pages[name]).text
    assert client.post(pages["hire"], as_post(hire_data(last_name="View"))).status_code == 302
    assert client.post(pages["drawdown"], as_post(drawdown_data())).status_code == 302
    assert set(OfficerHire.objects.values_list("last_name", flat=True)) == {"Service", "View"}
    assert list(Drawdown.objects.order_by("number").values_list("number", "status")) == [
        (1, "approved"), (2, "approved"), (3, "approved"), (4, "requested"),
    ]  # fmt: skip


def test_a_non_sro_award_is_never_gated_by_the_mou(client, member, program_specialist,
                                                    non_sro_award):  # fmt: skip
    award = non_sro_award
    assert not award.conditions.filter(withholds_funds=True).exists()
    assert services.can_implement(member, award) == (True, "")
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    data = as_post(hire_data())
    del data["school_district"], data["school"]
    assert client.post(urls(award)["hire"], data).status_code == 302
    assert client.post(urls(award)["drawdown"], as_post(drawdown_data())).status_code == 302
    services.approve_drawdown(drawdown=Drawdown.objects.get(), by=program_specialist)
    assert Drawdown.objects.get().status == Drawdown.Status.APPROVED
    assert "Withheld" not in client.get(reverse("applications:award_detail", args=[award.pk])).text
