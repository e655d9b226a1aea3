"""The MOU review screen in the admin, through the client as each staff role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from applications.models import AwardCondition
from copsgrants import roles
from mou.models import Element, MouElementCheck, MouVersion
from tests.award_states import accepted_award
from tests.factories import AgencyFactory, UserFactory
from tests.mou.review_helpers import private_mou, submitted_mou

pytestmark = pytest.mark.django_db
__all__ = ["private_mou"]


@pytest.fixture
def mou(agency, applicant, private_mou):
    return submitted_mou(accepted_award(agency, letter=False), by=applicant)


def review_url(mou) -> str:
    return reverse("admin:mou_mouversion_review", args=[mou.pk])


def posted(action: str, missing: tuple = (), note: str = "") -> dict:
    data = {"action": {"approve": "Approve", "request_changes": "Request changes"}[action],
            "note": note}  # fmt: skip
    for element in Element:
        data[f"{element.value}_present"] = "missing" if element in missing else "present"
        data[f"{element.value}_comment"] = f"On {element.label}." if element in missing else ""
    return data


def test_the_review_screen_shows_the_version_its_file_and_the_checklist(
    signed_in, program_specialist, mou, applicant
):
    earlier = submitted_mou(mou.award, version=0, status=MouVersion.Status.CHANGES_REQUESTED)
    earlier.decision_note = "Add the signatures."
    earlier.save()
    client = signed_in(program_specialist)
    response = client.get(review_url(mou))
    assert response.status_code == 200
    page = response.content.decode()
    assert mou.award.number in page and "Springfield USD 12" in page
    assert reverse("mou:mou_download", args=[mou.award_id, mou.version]) in page
    assert "Add the signatures." in page and "Changes requested" in page
    for element in Element:
        assert element.label in page
        assert f'name="{element.value}_present"' in page
    assert 'value="Approve"' in page and 'value="Request changes"' in page
    change = client.get(reverse("admin:mou_mouversion_change", args=[mou.pk]))
    assert change.status_code == 200 and review_url(mou) in change.content.decode()


def test_approve_with_a_missing_element_is_refused_with_the_list(signed_in, program_specialist,
                                                                 mou):  # fmt: skip
    response = signed_in(program_specialist).post(
        review_url(mou), posted("approve", missing=(Element.SIGNATURES, Element.SUPERVISION))
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert Element.SIGNATURES.label in errors[0] and Element.SUPERVISION.label in errors[0]
    assert Element.PURPOSE.label not in errors[0]
    assert 'data-testid="review-errors"' in response.content.decode()
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED
    assert not MouElementCheck.objects.exists() and not Email.objects.exists()


def test_approve_clears_the_condition(signed_in, program_specialist, mou):
    client = signed_in(program_specialist)
    response = client.post(review_url(mou), posted("approve", note="Well done."))
    change_url = reverse("admin:mou_mouversion_change", args=[mou.pk])
    assert response.status_code == 302 and response["Location"] == change_url
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.APPROVED and mou.decided_by == program_specialist
    condition = mou.award.conditions.get(code=AwardCondition.Code.SRO_MOU)
    assert condition.cleared_at is not None
    assert Email.objects.count() == 1
    page = client.get(change_url).content.decode()
    assert "Approved" in page and review_url(mou) not in page
    assert f'data-element="{Element.ROLES.value}"' in page  # the checklist, read-only
    assert "MOU v1 approved" in page  # the audit trail
    # A decided version's review screen sends back to the record.
    again = client.get(review_url(mou))
    assert again.status_code == 302 and again["Location"] == change_url


def test_request_changes_saves_the_comments(signed_in, program_specialist, mou, applicant):
    response = signed_in(program_specialist).post(
        review_url(mou), posted("request_changes", missing=(Element.ROLES,), note="Revise.")
    )
    assert response.status_code == 302
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.CHANGES_REQUESTED
    check = mou.checks.get(element=Element.ROLES)
    assert not check.present and check.comment == f"On {Element.ROLES.label}."
    assert f"On {Element.ROLES.label}." in Email.objects.get().message
    assert mou.award.conditions.get(code=AwardCondition.Code.SRO_MOU).cleared_at is None


def test_an_incomplete_form_is_a_field_error_not_a_500(signed_in, program_specialist, mou):
    data = posted("approve")
    del data[f"{Element.PURPOSE.value}_present"]
    data[f"{Element.ROLES.value}_present"] = "maybe"
    response = signed_in(program_specialist).post(review_url(mou), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert f"{Element.PURPOSE.value}_present" in form.errors
    assert f"{Element.ROLES.value}_present" in form.errors
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED


@pytest.mark.parametrize("role", [roles.GRANTS_MANAGER, roles.TRAINING_COORDINATOR,
                                  roles.REVIEWER])  # fmt: skip
def test_other_staff_cannot_review(signed_in, mou, role):
    client = signed_in(UserFactory(roles=[role]))
    assert client.get(review_url(mou)).status_code == 403
    assert client.post(review_url(mou), posted("approve")).status_code == 403
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED


def test_a_grants_manager_reads_the_list_but_sees_no_review_link(signed_in, grants_manager, mou):
    client = signed_in(grants_manager)
    assert (
        mou.award.number in client.get(reverse("admin:mou_mouversion_changelist")).content.decode()
    )
    page = client.get(reverse("admin:mou_mouversion_change", args=[mou.pk])).content.decode()
    assert review_url(mou) not in page


def test_the_list_filters_by_due_date(signed_in, program_specialist, mou, private_mou):
    soon = submitted_mou(accepted_award(AgencyFactory(), letter=False))
    late = submitted_mou(accepted_award(AgencyFactory(), letter=False))
    today = timezone.localdate()
    AwardCondition.objects.filter(award=soon.award).update(due_date=today + timedelta(days=10))
    AwardCondition.objects.filter(award=late.award).update(due_date=today - timedelta(days=1))
    client = signed_in(program_specialist)
    url = reverse("admin:mou_mouversion_changelist")

    def listed(query: str) -> set[str]:
        return {row.award.number for row in client.get(url + query).context["cl"].result_list}

    assert listed("") == {mou.award.number, soon.award.number, late.award.number}
    assert listed("?due=14") == {soon.award.number}
    assert listed("?due=overdue") == {late.award.number}
    assert listed(f"?q={late.award.number}") == {late.award.number}
    assert "(overdue)" in client.get(url).content.decode()


def test_nothing_is_added_or_deleted_in_the_admin(signed_in, program_specialist, mou):
    client = signed_in(program_specialist)
    assert client.get(reverse("admin:mou_mouversion_add")).status_code == 403
    assert client.get(reverse("admin:mou_mouversion_delete", args=[mou.pk])).status_code == 403
    assert client.get(reverse("admin:mou_mouversion_review", args=["abc"])).status_code == 404
