"""Awards in the admin: the Make awards button on a released plan's page (grants managers only),
the award list with each letter's state, the batch's progress page and its JSON, retrying a
failed letter and re-issuing one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications import services
from applications.models import Award, AwardLetter

from .award_helpers import released_plan

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:applications_award_{name}", args=args)


@pytest.fixture
def plan_and_manager():
    plan, manager, _ = released_plan([("CA", 1), ("TX", 2), ("WY", 1)])
    return plan, manager


def awards_made(plan, manager, capture):
    with capture(execute=False):
        return services.make_awards(plan=plan, by=manager)


def set_letter(award, status, **fields):
    """The state a worker leaves a letter in (test setup, without WeasyPrint)."""
    if status == "ready":
        fields.setdefault("sha256", "b" * 64)
    award.letters.update(status=status, **fields)


def test_a_released_plans_page_offers_make_awards_which_makes_them_and_shows_progress(
    signed_in, plan_and_manager, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    client = signed_in(manager)
    page = client.get(reverse("admin:applications_fundingplan_change", args=[plan.pk])).text
    assert url("make", plan.pk) in page and "Make awards" in page
    assert "Make 3 awards from this plan" in client.get(url("make", plan.pk)).text

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("make", plan.pk))
    assert response.status_code == 302 and response.url == url("batch", plan.pk)
    assert Award.objects.filter(plan=plan).count() == 3

    page = client.get(reverse("admin:applications_fundingplan_change", args=[plan.pk])).text
    assert url("make", plan.pk) not in page and url("batch", plan.pk) in page
    # A second try says why not.
    assert "already been made" in client.post(url("make", plan.pk)).text
    assert Award.objects.count() == 3


@pytest.mark.parametrize("persona", ["program_specialist", "reviewer", "applicant"])
def test_only_a_grants_manager_may_make_awards_in_the_admin(
    request, signed_in, plan_and_manager, persona
):
    plan, _ = plan_and_manager
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    page = client.get(reverse("admin:applications_fundingplan_change", args=[plan.pk]))
    assert url("make", plan.pk) not in page.text
    response = client.post(url("make", plan.pk))
    if user.is_staff:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and "login" in response.url
    assert not Award.objects.exists()


def test_the_award_list_shows_each_letters_state_and_the_batch_progress(
    signed_in, plan_and_manager, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    first, second, third = awards_made(plan, manager, django_capture_on_commit_callbacks)
    set_letter(first, "ready")
    set_letter(second, "failed", error="Font file unreadable")
    page = signed_in(manager).get(url("changelist")).text
    assert first.number in page and third.number in page
    assert "v1 ready" in page and "v1 pending" in page
    assert "v1 failed: Font file unreadable" in page
    assert "1 of 3 letters ready" in page
    assert 'data-letter-progress="' + url("progress", plan.pk) + '"' in page
    assert "/static/js/letter-progress." in page


def test_the_progress_endpoint_counts_the_latest_letter_of_each_award(
    signed_in, plan_and_manager, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    first, second, third = awards_made(plan, manager, django_capture_on_commit_callbacks)
    client = signed_in(manager)
    progress = client.get(url("progress", plan.pk)).json()
    assert progress == {"pending": 3, "rendering": 0, "ready": 0, "failed": 0, "total": 3,
                        "label": "0 of 3 letters ready", "done": False}  # fmt: skip

    set_letter(first, "ready")
    set_letter(second, "rendering")
    set_letter(third, "failed", error="boom")
    progress = client.get(url("progress", plan.pk)).json()
    assert (progress["ready"], progress["rendering"], progress["failed"]) == (1, 1, 1)
    assert progress["label"] == "1 of 3 letters ready" and not progress["done"]

    # A re-issue: the award counts once, by its newest letter.
    set_letter(second, "ready")
    Award.objects.filter(pk=first.pk).update(status=Award.Status.OFFERED)
    with django_capture_on_commit_callbacks(execute=False):
        services.reissue_letter(award=first, by=manager, reason="Address corrected")
    progress = client.get(url("progress", plan.pk)).json()
    assert (progress["total"], progress["ready"], progress["pending"]) == (3, 1, 1)


def test_the_batch_page_lists_failed_letters_with_a_retry_link_that_queues_them_again(
    signed_in, plan_and_manager, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    first, _, _ = awards_made(plan, manager, django_capture_on_commit_callbacks)
    set_letter(first, "failed", error="Timed out")
    client = signed_in(manager)
    page = client.get(url("batch", plan.pk)).text
    assert "Timed out" in page and url("retry", first.pk, 1) in page
    assert '<progress class="letter-progress-bar" value="0" max="3"' in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("retry", first.pk, 1))
    assert response.status_code == 302
    letter = first.letters.get()
    assert (letter.status, letter.error) == ("pending", "")
    # Retrying a letter that is not failed says why.
    assert "Only a failed letter" in client.post(url("retry", first.pk, 1)).text


def test_reissuing_from_the_award_page_adds_a_version_and_keeps_the_first(
    signed_in, plan_and_manager, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    award, _, _ = awards_made(plan, manager, django_capture_on_commit_callbacks)
    client = signed_in(manager)
    page = client.get(url("change", award.pk)).text
    assert "Re-issue: The award is letter being prepared" in page
    assert url("reissue", award.pk) not in page

    set_letter(award, "ready")
    Award.objects.filter(pk=award.pk).update(status=Award.Status.OFFERED)
    assert url("reissue", award.pk) in client.get(url("change", award.pk)).text
    assert "This field is required" in client.post(url("reissue", award.pk)).text
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("reissue", award.pk), {"reason": "Agency address corrected"})
    assert response.status_code == 302
    assert list(award.letters.values_list("version", "status")) == [(2, "pending"), (1, "ready")]
    page = client.get(url("change", award.pk)).text
    assert "Agency address corrected" in page and "First letter" in page


def test_staff_without_make_awards_cannot_retry_or_reissue(
    signed_in, plan_and_manager, program_specialist, django_capture_on_commit_callbacks
):
    plan, manager = plan_and_manager
    award, _, _ = awards_made(plan, manager, django_capture_on_commit_callbacks)
    set_letter(award, "failed", error="x")
    client = signed_in(program_specialist)
    for target in (url("retry", award.pk, 1), url("reissue", award.pk)):
        assert client.post(target, {"reason": "x"}).status_code in (403, 302)
    assert award.letters.get().status == AwardLetter.Status.FAILED
    assert award.letters.count() == 1
