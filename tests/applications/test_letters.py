"""Award letters: rendered to private storage by applications/letters.py (through the Celery task),
checked by parsing the real PDF; the public verify page; the sweep of stuck letters."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications import letters
from applications.models import Award, AwardCondition, AwardLetter
from applications.tasks import render_award_letter, sweep_letters
from copsgrants.celery import app
from copsgrants.models import AuditEvent
from tests.applications.letter_helpers import award_with_letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def letter_storage(tmp_path, monkeypatch):
    """Letters go to a fresh private folder per test (in production: STORAGES["private"])."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    return storage


def pdf_text(letter: AwardLetter) -> str:
    with letter.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def rendered(letter: AwardLetter) -> AwardLetter:
    render_award_letter.delay(letter.pk)
    letter.refresh_from_db()
    return letter


def test_an_sro_letter_states_the_award_the_mou_condition_and_its_due_date():
    letter = rendered(award_with_letter(sro=True))

    assert letter.status == AwardLetter.Status.READY
    text = flat(pdf_text(letter))
    award = letter.award
    mou_due = letter.letter_date + timedelta(days=90)
    assert award.number in text
    assert "$375,000.00" in text
    assert "$275,943.54" in text
    assert "16.710" in text
    assert award.agency.uei in text and award.agency.ori in text
    assert "SRO memorandum of understanding" in text
    assert f"Due date: {mou_due:%B} {mou_due.day}, {mou_due.year}" in text
    assert "Funds are withheld until this condition is met" in text
    assert "Retention of the funded positions" in text
    assert letter.verification_code in text
    pages = letter.pages
    assert pages >= 1
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_a_non_sro_letter_has_no_mou_condition():
    letter = rendered(award_with_letter(sro=False))

    text = flat(pdf_text(letter))
    assert letter.award.number in text
    assert "$375,000.00" in text
    assert "memorandum of understanding" not in text.lower()
    assert "MOU" not in text
    assert "Retention of the funded positions" in text


def test_the_first_letter_offers_the_award_and_sets_the_deadline_and_mou_due_date():
    letter = rendered(award_with_letter(sro=True))

    award = Award.objects.get(pk=letter.award_id)
    assert award.status == Award.Status.OFFERED
    deadline = timezone.localtime(award.acceptance_deadline)
    assert deadline.date() == letter.letter_date + timedelta(days=45)
    condition = award.conditions.get(code=AwardCondition.Code.SRO_MOU)
    assert condition.due_date == letter.letter_date + timedelta(days=90)
    assert letter.sha256 and len(letter.sha256) == 64
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", letter.verification_code)
    assert AuditEvent.objects.filter(verb="letter issued", object_id=str(award.pk)).count() == 1


def test_the_agencys_representatives_are_emailed_a_link_not_the_letter(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = rendered(award_with_letter())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    representative = letter.award.agency.memberships.get().user
    assert message.to == [representative.email]
    assert letter.award.number in message.subject
    assert reverse("applications:award_detail", args=[letter.award_id]) in message.body
    assert not message.attachments


def test_rendering_a_ready_letter_again_changes_nothing_and_sends_nothing(
    letter_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = rendered(award_with_letter())
    first = (letter.file.name, letter.sha256, letter.verification_code, letter.rendered_at)

    with django_capture_on_commit_callbacks(execute=True):
        render_award_letter.delay(letter.pk)
        letters.render_letter(letter)

    letter.refresh_from_db()
    assert (letter.file.name, letter.sha256, letter.verification_code, letter.rendered_at) == first
    assert letter.attempts == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(verb="letter issued").count() == 1
    assert letter_storage.listdir("letters")[1] == [letter.file.name.split("/")[-1]]


def test_a_retry_after_a_crash_overwrites_the_half_written_file_instead_of_adding_one(
    letter_storage,
):
    letter = award_with_letter()
    # A worker wrote the file and died before its transaction committed.
    letter_storage.save(letters.file_name(letter), io.BytesIO(b"partial"))
    letter = rendered(letter)

    assert letter_storage.listdir("letters")[1] == [letter.file.name.split("/")[-1]]
    with letter.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_agency_supplied_text_is_escaped_in_the_letter():
    letter = rendered(
        award_with_letter(legal_name='<b>Evil</b> & "Co" <img src="file:///etc/passwd">')
    )

    text = flat(pdf_text(letter))
    assert '<b>Evil</b> & "Co" <img src="file:///etc/passwd">' in text
    with letter.file.open("rb") as handle:
        assert b"root:" not in handle.read()


def test_the_verification_code_depends_on_the_letters_content():
    letter = award_with_letter()
    day = timezone.localdate()
    code = letters.verification_code(letters.letter_content(letter, day))
    assert code == letters.verification_code(letters.letter_content(letter, day))
    letter.award.federal_amount += 1
    assert code != letters.verification_code(letters.letter_content(letter, day))


def verify(client, number, code):
    return client.get(reverse("applications:verify_letter"), {"number": number, "code": code})


def test_the_verify_page_confirms_a_genuine_letter_and_discloses_nothing_else(client):
    letter = rendered(award_with_letter())
    code = letter.verification_code

    response = verify(client, letter.award.number, code.lower().replace("-", " "))

    assert response.status_code == 200
    html = response.text
    assert "Valid letter" in html
    agency = letter.award.agency
    for secret in (agency.legal_name, agency.uei, "375,000", "375000", agency.city):
        assert secret not in html


def test_the_verify_page_rejects_a_wrong_code_or_number_without_saying_which(client):
    letter = rendered(award_with_letter())
    other = rendered(award_with_letter())

    wrong_code = verify(client, letter.award.number, other.verification_code).text
    unknown_number = verify(client, "15JCOPS-26-GG-99999-UHPX", letter.verification_code).text

    for html in (wrong_code, unknown_number):
        assert "Not a valid letter" in html
        assert "Valid letter" not in html
        assert letter.award.agency.legal_name not in html
    # The two refusals read the same: the page does not reveal whether an award number exists.
    assert wrong_code.replace(other.verification_code, "").count(
        "Not a valid"
    ) == unknown_number.count("Not a valid")


def test_a_letter_still_pending_does_not_verify(client):
    letter = award_with_letter()
    code = letters.verification_code(letters.letter_content(letter, timezone.localdate()))

    assert "Not a valid letter" in verify(client, letter.award.number, code).text


def test_the_verify_page_is_public(client):
    response = client.get(reverse("applications:verify_letter"))
    assert response.status_code == 200
    assert "Verify an award letter" in response.text


def test_the_sweep_renders_a_letter_left_pending_when_its_enqueue_was_lost():
    stuck = award_with_letter()
    recent = award_with_letter()
    AwardLetter.objects.filter(pk=stuck.pk).update(  # setting up the past: no history wanted
        queued_at=timezone.now() - timedelta(minutes=30)
    )

    assert sweep_letters.delay().get() == 1

    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == AwardLetter.Status.READY
    assert recent.status == AwardLetter.Status.PENDING


def test_the_sweep_renders_a_letter_whose_worker_died_mid_render():
    letter = award_with_letter()
    AwardLetter.objects.filter(pk=letter.pk).update(
        status=AwardLetter.Status.RENDERING,
        started_at=timezone.now() - timedelta(minutes=10),
        attempts=1,
    )

    sweep_letters.delay()

    letter.refresh_from_db()
    assert letter.status == AwardLetter.Status.READY
    assert letter.attempts == 2


def test_a_letter_rendering_now_is_left_to_its_worker_by_the_sweep():
    letter = award_with_letter()
    AwardLetter.objects.filter(pk=letter.pk).update(
        status=AwardLetter.Status.RENDERING, started_at=timezone.now(), attempts=1
    )

    assert sweep_letters.delay().get() == 0

    letter.refresh_from_db()
    assert letter.status == AwardLetter.Status.RENDERING


def test_beat_runs_the_letter_sweep_every_minute(settings):
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "applications.tasks.sweep_letters"
    ]
    assert [entry["schedule"] for entry in entries] == [60.0]
    assert "applications.tasks.sweep_letters" in app.tasks
    render = app.tasks["applications.tasks.render_award_letter"]
    assert render.acks_late and render.reject_on_worker_lost
    assert render.soft_time_limit < render.time_limit


def test_a_letter_whose_template_breaks_is_marked_failed_with_the_error(settings):
    letter = award_with_letter()
    broken = "{% url 'applications:no_such_page' %}"
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {letters.TEMPLATE: broken})]
            },
        }
    ]

    render_award_letter.apply(args=[letter.pk])

    letter.refresh_from_db()
    assert letter.status == AwardLetter.Status.FAILED
    assert "NoReverseMatch" in letter.error
    assert not letter.file
    assert Award.objects.get(pk=letter.award_id).status == Award.Status.PENDING_LETTER


def test_a_soft_time_limit_not_below_the_hard_limit_is_refused_at_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "copsgrants.settings",
            "DJANGO_DEBUG": "1",
            "LETTER_SOFT_TIME_LIMIT": "90",
            "LETTER_TIME_LIMIT": "90",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "LETTER_SOFT_TIME_LIMIT" in result.stderr


def test_a_reissued_letter_restates_the_first_letters_deadline_and_mou_due_date():
    first = rendered(award_with_letter(sro=True))
    award = Award.objects.get(pk=first.award_id)
    AwardLetter.objects.filter(pk=first.pk).update(  # as if issued 10 days ago
        letter_date=first.letter_date - timedelta(days=10)
    )
    condition = award.conditions.get(code=AwardCondition.Code.SRO_MOU)
    condition.due_date = first.letter_date + timedelta(days=80)
    condition.save(update_fields=["due_date"])
    deadline = timezone.localtime(award.acceptance_deadline).date()

    second = rendered(
        AwardLetter.objects.create(award=award, version=2, reason="Corrected the ORI.")
    )

    text = flat(pdf_text(second))
    due = condition.due_date
    assert f"Due date: {due:%B} {due.day}, {due.year}" in text
    assert f"by {deadline:%B} {deadline.day}, {deadline.year}" in text
    assert "revised letter, version 2" in text
    assert "Corrected the ORI." in text
    award.refresh_from_db()
    assert timezone.localtime(award.acceptance_deadline).date() == deadline
