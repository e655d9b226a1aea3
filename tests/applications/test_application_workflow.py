"""An application's life: starting it, saving sections, certifying and submitting before the
deadline, staff returning it, withdrawing it, and who may see or do any of that."""

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application, Membership
from applications.sections import SECTIONS, task_list
from copsgrants.models import AuditEvent
from tests.conftest import require
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
)

pytestmark = pytest.mark.django_db

EASTERN = ZoneInfo("America/New_York")
SLUGS = [section.slug for section in SECTIONS]
Status = Application.Status

CP_ANSWERS = {
    "cp_problem": "Car break-ins around the transit center after dark.",
    "cp_partners": "Transit authority; downtown business association.",
    "cp_problem_solving": "SARA with monthly hot-spot maps.",
    "cp_organizational_changes": "A downtown beat team under one sergeant.",
}


def url(name, application, *args):
    return reverse(f"applications:{name}", args=[application.pk, *args])


def section_url(application, slug):
    return url("application_section", application, slug)


def events(application, verb=None):
    found = AuditEvent.objects.for_object(application)
    return found.filter(verb=verb) if verb else found


def fresh(application):
    return Application.objects.get(pk=application.pk)


def set_status(application, status):
    Application.objects.filter(pk=application.pk).update(status=status)
    return fresh(application)


def version_in(html):
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', html)
    assert match, "no hidden version field in the form"
    return match.group(1)


def sign_in_another(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def solicitation(db):
    return SolicitationFactory()


@pytest.fixture
def complete(agency):
    """A complete, valid draft of `agency`, ready to certify."""
    return ApplicationFactory(complete=True, agency=agency)


@pytest.fixture
def submit(applicant, django_capture_on_commit_callbacks):
    """`submit(application)` submits as the agency's Authorized Representative, emails included."""

    def do(application, by=applicant, name=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.submit_application(
                application=application, by=by, certified_name=name or by.get_full_name()
            )

    return do


# Starting --------------------------------------------------------------------------------------


def test_starting_an_application_creates_one_draft_and_opens_its_overview(
    signed_in, applicant, agency, solicitation
):
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]), {"agency": agency.pk}
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == url("application_overview", application)
    assert (application.agency, application.solicitation) == (agency, solicitation)
    assert application.status == Status.DRAFT
    assert application.created_by == applicant
    assert application.tracking_number is None
    started = events(application).get()
    assert (started.verb, started.actor) == ("application.started", applicant)


def test_starting_again_lands_on_the_same_application(
    signed_in, applicant, member, agency, solicitation
):
    start = reverse("applications:application_start", args=[solicitation.pk])
    first = signed_in(applicant).post(start, {"agency": agency.pk})
    again = signed_in(applicant).post(start, {"agency": agency.pk})
    colleague = sign_in_another(member).post(start, {"agency": agency.pk})
    application = Application.objects.get()
    assert first.url == again.url == colleague.url == url("application_overview", application)
    assert events(application, "application.started").count() == 1


def test_the_database_refuses_a_second_live_application_for_one_agency_and_solicitation(
    agency, solicitation
):
    ApplicationFactory(agency=agency, solicitation=solicitation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(agency=agency, solicitation=solicitation)
    assert Application.objects.count() == 1


@pytest.mark.parametrize("live_status", [s for s in Status.values if s != Status.WITHDRAWN])
def test_every_status_but_withdrawn_counts_as_live_for_the_constraint(
    agency, solicitation, live_status
):
    ApplicationFactory(agency=agency, solicitation=solicitation, status=live_status)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(agency=agency, solicitation=solicitation)


def test_after_a_withdrawal_the_agency_may_start_afresh(signed_in, applicant, agency, solicitation):
    first = ApplicationFactory(agency=agency, solicitation=solicitation)
    services.withdraw_application(application=first, by=applicant)
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]), {"agency": agency.pk}
    )
    second = Application.objects.live().get()
    assert second.pk != first.pk
    assert response.url == url("application_overview", second)
    assert fresh(first).status == Status.WITHDRAWN
    # ...and the constraint itself allows any number of withdrawn ones beside the live one.
    set_status(second, Status.WITHDRAWN)
    ApplicationFactory(agency=agency, solicitation=solicitation)
    assert Application.objects.filter(agency=agency, solicitation=solicitation).count() == 3


def test_starting_on_a_closed_solicitation_is_refused(signed_in, applicant, agency):
    closed = SolicitationFactory(closed=True)
    response = signed_in(applicant).post(
        reverse("applications:application_start", args=[closed.pk]),
        {"agency": agency.pk},
        follow=True,
    )
    assert not Application.objects.exists()
    assert response.redirect_chain[-1][0] == reverse(
        "applications:solicitation_detail", args=[closed.pk]
    )
    assert "is not accepting applications" in response.text
    with pytest.raises(services.ApplicationError, match="not accepting applications"):
        services.start_application(agency=agency, solicitation=closed, by=applicant)


def test_a_user_of_another_agency_cannot_start_an_application_for_this_agency(
    signed_in, other_agency_applicant, agency, solicitation
):
    response = signed_in(other_agency_applicant).post(
        reverse("applications:application_start", args=[solicitation.pk]), {"agency": agency.pk}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()
    with pytest.raises(services.ApplicationError, match="not a member"):
        services.start_application(
            agency=agency, solicitation=solicitation, by=other_agency_applicant
        )


# Status transitions through the services -----------------------------------------------------


def test_an_authorized_representative_submits_a_complete_draft(applicant, complete, submit):
    submitted = submit(complete)
    assert submitted.status == fresh(complete).status == Status.SUBMITTED
    event = events(complete, "application.submitted").get()
    assert event.actor == applicant
    assert event.data["tracking_number"] == submitted.tracking_number


def test_staff_return_a_submitted_application_with_a_reason(program_specialist, complete, submit):
    submit(complete)
    returned = services.return_application(
        application=complete, by=program_specialist, reason="  Attach the budget ordinance.  "
    )
    stored = fresh(complete)
    assert returned.status == stored.status == Status.RETURNED
    assert stored.returned_reason == "Attach the budget ordinance."
    event = events(complete, "application.returned").get()
    assert (event.actor, event.message) == (program_specialist, "Attach the budget ordinance.")
    assert stored.is_editable


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "], ids=["empty", "spaces", "whitespace"])
def test_a_blank_return_reason_is_refused(program_specialist, complete, submit, reason):
    submit(complete)
    with pytest.raises(services.ApplicationError, match="Say what the agency needs to correct"):
        services.return_application(application=complete, by=program_specialist, reason=reason)
    assert fresh(complete).status == Status.SUBMITTED
    assert not events(complete, "application.returned").exists()


def test_a_returned_application_is_resubmitted_under_the_same_tracking_number(
    applicant, program_specialist, complete, submit
):
    first = submit(complete)
    services.return_application(application=complete, by=program_specialist, reason="Fix X.")
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        again = submit(complete)
        assert again.submitted_at == timezone.now()
    assert again.status == Status.SUBMITTED
    assert again.tracking_number == first.tracking_number
    assert again.returned_reason == ""
    assert again.submitted_at > first.submitted_at
    event = events(complete, "application.resubmitted").get()
    assert event.actor == applicant
    assert events(complete, "application.submitted").count() == 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
def test_a_draft_submitted_or_returned_application_can_be_withdrawn(
    applicant, complete, status, django_capture_on_commit_callbacks
):
    application = set_status(complete, status)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = services.withdraw_application(application=application, by=applicant)
    stored = fresh(application)
    assert withdrawn.status == stored.status == Status.WITHDRAWN
    assert stored.withdrawn_at is not None
    event = events(application, "application.withdrawn").get()
    assert event.actor == applicant
    assert len(mail.outbox) == 1


def test_submitting_an_incomplete_application_is_refused_with_the_count_of_items(applicant, agency):
    application = ApplicationFactory(agency=agency)
    with pytest.raises(services.ApplicationError, match=r"not complete: \d+ items still need"):
        services.submit_application(application=application, by=applicant, certified_name="X")
    assert fresh(application).status == Status.DRAFT
    assert not events(application).exists()


def test_one_missing_answer_is_counted_as_one_item(applicant, agency):
    application = ApplicationFactory(complete=True, agency=agency, veteran_commitment=None)
    with pytest.raises(services.ApplicationError, match="not complete: 1 item still"):
        services.submit_application(application=application, by=applicant, certified_name="X")
    assert fresh(application).status == Status.DRAFT


def test_a_plain_member_cannot_submit(member, complete):
    with pytest.raises(services.ApplicationError, match="Authorized Representative"):
        services.submit_application(
            application=complete, by=member, certified_name=member.get_full_name()
        )
    assert fresh(complete).status == Status.DRAFT
    assert not events(complete).exists()


def test_an_authorized_representative_of_another_agency_cannot_submit(
    other_agency_applicant, complete
):
    with pytest.raises(services.ApplicationError, match="not a member"):
        services.submit_application(
            application=complete, by=other_agency_applicant, certified_name="X"
        )
    assert fresh(complete).status == Status.DRAFT


@pytest.mark.parametrize(
    "status",
    [s for s in Status.values if s != Status.SUBMITTED],
)
def test_only_a_submitted_application_can_be_returned(program_specialist, complete, status):
    application = set_status(complete, status)
    with pytest.raises(services.ApplicationError, match="Only a submitted application"):
        services.return_application(application=application, by=program_specialist, reason="X")
    assert fresh(application).status == status
    assert not events(application).exists()


@pytest.mark.parametrize(
    "status",
    [Status.WITHDRAWN, Status.UNDER_REVIEW, Status.SCORED, Status.RECOMMENDED,
     Status.NOT_SELECTED],
)  # fmt: skip
def test_a_withdrawn_or_decided_application_cannot_be_withdrawn(applicant, complete, status):
    application = set_status(complete, status)
    with pytest.raises(services.ApplicationError, match="can no longer be withdrawn"):
        services.withdraw_application(application=application, by=applicant)
    assert fresh(application).status == status
    assert not events(application).exists()


def test_a_plain_member_cannot_withdraw(member, complete):
    with pytest.raises(services.ApplicationError, match="Only an Authorized Representative"):
        services.withdraw_application(application=complete, by=member)
    assert fresh(complete).status == Status.DRAFT


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Status.SUBMITTED, "submitted and locked"),
        (Status.UNDER_REVIEW, "under review and locked"),
        (Status.WITHDRAWN, "withdrawn"),
    ],
)
def test_a_locked_application_cannot_be_edited(applicant, complete, status, message):
    application = set_status(complete, status)
    with pytest.raises(services.ApplicationError, match=message):
        services.save_section(
            application=application,
            slug="community-policing",
            data=CP_ANSWERS | {"cp_problem": "Changed after submission."},
            version=1,
            by=applicant,
        )
    stored = fresh(application)
    assert stored.cp_problem == complete.cp_problem
    assert stored.section_version("community-policing") == 1


def test_a_draft_section_saves_and_is_audited(applicant, agency):
    application = ApplicationFactory(agency=agency)
    services.save_section(
        application=application, slug="community-policing", data=CP_ANSWERS, version=0, by=applicant
    )
    stored = fresh(application)
    assert stored.cp_problem == CP_ANSWERS["cp_problem"]
    assert stored.section_version("community-policing") == 1
    event = events(application, "application.section_saved").get()
    assert event.actor == applicant
    assert event.data == {"section": "community-policing", "version": 1}


# Submission ------------------------------------------------------------------------------------


def test_submission_records_who_when_what_was_certified_and_a_tracking_number(
    applicant, complete, submit
):
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        submit(complete, name="  Alex   Rivera ")
    stored = fresh(complete)
    assert stored.submitted_by == applicant
    assert stored.submitted_at == moment
    assert stored.certified_name == "Alex   Rivera"  # trimmed by the service
    assert stored.tracking_number == f"CHP26-{complete.pk:06d}"
    assert re.fullmatch(r"CHP26-\d{6}", stored.tracking_number)


def test_the_tracking_number_uses_the_solicitations_fiscal_year(agency, applicant, submit):
    application = ApplicationFactory(complete=True, agency=agency, solicitation__fiscal_year=2031)
    assert submit(application).tracking_number == f"CHP31-{application.pk:06d}"


def test_the_receipt_is_emailed_to_the_agencys_active_members_only(
    applicant, member, agency, other_agency_applicant, complete, submit
):
    pending = MembershipFactory(agency=agency, pending=True).user
    declined = MembershipFactory(agency=agency, status=Membership.Status.DECLINED).user
    submitted = submit(complete)
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert sorted(receipt.to) == sorted([applicant.email, member.email])
    for outsider in (pending, declined, other_agency_applicant):
        assert outsider.email not in receipt.to
    assert submitted.tracking_number in receipt.subject
    assert submitted.tracking_number in receipt.body
    assert "Received" in receipt.subject
    assert "Positions requested: 3 (2 as School Resource Officers)" in receipt.body
    assert "Federal share requested: $375,000.00" in receipt.body
    assert f"Certified by: {applicant.get_full_name()}" in receipt.body


def test_a_submitted_application_is_locked_and_says_why(signed_in, applicant, complete, submit):
    submit(complete)
    before = fresh(complete)
    response = signed_in(applicant).post(
        section_url(complete, "community-policing"),
        CP_ANSWERS | {"version": "1", "return": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(url("application_overview", complete), 302)]
    assert "This application is submitted and locked." in response.text
    after = fresh(complete)
    assert after.cp_problem == before.cp_problem
    assert after.section_versions == before.section_versions
    assert not events(complete, "application.section_saved").exists()
    # The form itself is shown disabled, with the same reason.
    page = signed_in(applicant).get(section_url(complete, "community-policing")).text
    assert '<fieldset class="usa-fieldset" disabled>' in page
    assert "This application is submitted and locked." in page


def test_submitting_twice_records_one_event_and_sends_one_receipt(complete, submit):
    first = submit(complete)
    second = submit(complete)
    assert second.tracking_number == first.tracking_number
    assert second.submitted_at == first.submitted_at
    assert events(complete, "application.submitted").count() == 1
    assert len(mail.outbox) == 1


# Certifying through the review page -------------------------------------------------------------


def certify(client, application, **data):
    return client.post(url("application_submit", application), data)


def test_a_wrongly_typed_name_is_refused_next_to_the_field(signed_in, applicant, complete):
    response = certify(
        signed_in(applicant), complete, certified_name="Somebody Else", assurances="on"
    )
    assert response.status_code == 200
    expected = applicant.get_full_name()
    assert response.context["certify_form"].errors["certified_name"] == [
        f"Type your name exactly as on your account ({expected}) to sign."
    ]
    assert 'id="id_certified_name_error"' in response.text
    assert fresh(complete).status == Status.DRAFT
    assert not mail.outbox


def test_the_certification_box_must_be_ticked(signed_in, applicant, complete):
    response = certify(signed_in(applicant), complete, certified_name=applicant.get_full_name())
    assert response.status_code == 200
    assert response.context["certify_form"].errors["assurances"] == [
        "Tick the certification to submit."
    ]
    assert fresh(complete).status == Status.DRAFT


def test_the_authorized_representative_certifies_and_submits(
    signed_in, applicant, complete, django_capture_on_commit_callbacks
):
    client = signed_in(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = certify(
            client, complete, certified_name=applicant.get_full_name(), assurances="on"
        )
    assert response.status_code == 302
    assert response.url == url("application_overview", complete)
    stored = fresh(complete)
    assert stored.status == Status.SUBMITTED
    assert stored.certified_name == applicant.get_full_name()
    assert stored.submitted_by == applicant
    assert len(mail.outbox) == 1
    overview = client.get(response.url).text
    assert f"Tracking number: {stored.tracking_number}" in overview
    assert f'data-testid="tracking-number">{stored.tracking_number}<' in overview


def test_the_typed_name_ignores_case_and_extra_spaces(signed_in, applicant, complete):
    typed = "  " + "   ".join(applicant.get_full_name().upper().split()) + " "
    response = certify(signed_in(applicant), complete, certified_name=typed, assurances="on")
    assert response.status_code == 302
    assert fresh(complete).status == Status.SUBMITTED


def test_the_review_page_tells_a_plain_member_why_they_cannot_submit(signed_in, member, complete):
    response = signed_in(member).get(url("application_review", complete))
    match = re.search(r'data-testid="submit-reason">(.*?)</div></div>', response.text, re.S)
    assert match, "no submit reason shown"
    assert "Only an Authorized Representative of the agency can certify" in match.group(1)
    assert 'action="' + url("application_submit", complete) not in response.text


def test_a_plain_member_posting_the_certification_is_refused(signed_in, member, complete):
    response = certify(
        signed_in(member), complete, certified_name=member.get_full_name(), assurances="on"
    )
    assert response.status_code == 403
    assert "Only an Authorized Representative of the agency can certify" in response.text
    assert fresh(complete).status == Status.DRAFT


# The deadline, in Eastern time, across daylight saving time ------------------------------------

# 5:00 PM Eastern the day after DST began (March 14, 2027) is 21:00 UTC; in January it is 22:00.
EDT_DEADLINE = datetime(2027, 3, 15, 17, 0, tzinfo=EASTERN)
EST_DEADLINE = datetime(2027, 1, 15, 17, 0, tzinfo=EASTERN)
DEADLINES = [
    pytest.param(EDT_DEADLINE, datetime(2027, 3, 15, 21, 0, tzinfo=UTC), id="EDT"),
    pytest.param(EST_DEADLINE, datetime(2027, 1, 15, 22, 0, tzinfo=UTC), id="EST"),
]


def solicitation_closing(deadline):
    return SolicitationFactory(
        fiscal_year=2027, opens_at=deadline - timedelta(days=60), closes_at=deadline
    )


@pytest.mark.parametrize(("deadline", "in_utc"), DEADLINES)
def test_the_deadline_is_entered_in_eastern_time_and_stored_in_utc(deadline, in_utc):
    solicitation = solicitation_closing(deadline)
    solicitation.refresh_from_db()
    assert solicitation.closes_at.utcoffset() == timedelta(0)
    assert (solicitation.closes_at.hour, solicitation.closes_at.minute) == (
        in_utc.hour,
        in_utc.minute,
    )
    assert solicitation.closes_at == in_utc
    assert timezone.localtime(solicitation.closes_at).hour == 17


@pytest.mark.parametrize(("deadline", "in_utc"), DEADLINES)
def test_one_second_before_the_deadline_submission_succeeds(
    agency, applicant, submit, deadline, in_utc
):
    application = ApplicationFactory(
        complete=True, agency=agency, solicitation=solicitation_closing(deadline)
    )
    with time_machine.travel(in_utc - timedelta(seconds=1), tick=False):
        submitted = submit(application)
    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_at == in_utc - timedelta(seconds=1)
    assert submitted.tracking_number == f"CHP27-{application.pk:06d}"


@pytest.mark.parametrize("late", [timedelta(0), timedelta(seconds=1)], ids=["at", "1s-after"])
@pytest.mark.parametrize(("deadline", "in_utc"), DEADLINES)
def test_at_or_after_the_deadline_submission_is_refused(agency, applicant, deadline, in_utc, late):
    application = ApplicationFactory(
        complete=True, agency=agency, solicitation=solicitation_closing(deadline)
    )
    with (
        time_machine.travel(in_utc + late, tick=False),
        pytest.raises(services.ApplicationError, match="deadline"),
    ):
        services.submit_application(application=application, by=applicant, certified_name="X")
    assert fresh(application).status == Status.DRAFT
    assert not events(application).exists()


@pytest.mark.parametrize(
    ("deadline", "in_utc", "named"),
    [
        pytest.param(*DEADLINES[0].values, "March 15, 2027 at 5:00 PM EDT", id="EDT"),
        pytest.param(*DEADLINES[1].values, "January 15, 2027 at 5:00 PM EST", id="EST"),
    ],
)
def test_a_late_submission_is_told_the_deadline_in_eastern_time(
    agency, applicant, deadline, in_utc, named
):
    application = ApplicationFactory(
        complete=True, agency=agency, solicitation=solicitation_closing(deadline)
    )
    with time_machine.travel(in_utc, tick=False), pytest.raises(services.ApplicationError) as exc:
        services.submit_application(application=application, by=applicant, certified_name="X")
    assert named in str(exc.value)


def test_a_draft_cannot_be_edited_after_the_deadline(signed_in, applicant, agency):
    application = ApplicationFactory(
        complete=True, agency=agency, solicitation=solicitation_closing(EDT_DEADLINE)
    )
    with time_machine.travel(EDT_DEADLINE, tick=False):
        response = signed_in(applicant).post(
            section_url(application, "community-policing"),
            CP_ANSWERS | {"version": "1"},
            follow=True,
        )
    assert "The deadline for this solicitation (" in response.text
    assert "has passed." in response.text
    assert fresh(application).cp_problem == application.cp_problem


# Two submits at once (PostgreSQL) --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_submit_the_application_once(agency, applicant):
    require(connection.vendor == "postgresql", "PostgreSQL")
    application = ApplicationFactory(complete=True, agency=agency)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit_now():
        try:
            mine = Application.objects.get(pk=application.pk)  # both read it as a draft
            barrier.wait(timeout=10)
            results.append(
                services.submit_application(
                    application=mine, by=applicant, certified_name=applicant.get_full_name()
                )
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert [r.status for r in results] == [Status.SUBMITTED, Status.SUBMITTED]
    assert len({(r.tracking_number, r.submitted_at) for r in results}) == 1
    assert events(application, "application.submitted").count() == 1
    assert fresh(application).status == Status.SUBMITTED
    assert len(mail.outbox) == 1


# Two people editing one section ----------------------------------------------------------------


def test_a_stale_form_does_not_overwrite_a_colleagues_newer_answers(
    signed_in, applicant, member, agency
):
    application = ApplicationFactory(agency=agency)
    page = section_url(application, "community-policing")
    first, second = signed_in(applicant), sign_in_another(member)
    first_version = version_in(first.get(page).text)
    second_version = version_in(second.get(page).text)
    assert first_version == second_version == "0"

    saved = first.post(page, CP_ANSWERS | {"version": first_version, "return": "1"})
    assert saved.status_code == 302
    mine = CP_ANSWERS | {"cp_problem": "Speeding on Route 9.", "return": "1"}
    stale = second.post(page, mine | {"version": second_version})
    assert stale.status_code == 200
    assert "Someone else saved this section" in stale.text
    stored = fresh(application)
    assert stored.cp_problem == CP_ANSWERS["cp_problem"]
    assert stored.section_version("community-policing") == 1
    # Their own answers stay on the page, with the version they have now seen.
    assert "Speeding on Route 9." in stale.text
    refreshed = version_in(stale.text)
    assert refreshed == "1"

    again = second.post(page, mine | {"version": refreshed})
    assert again.status_code == 302
    stored = fresh(application)
    assert stored.cp_problem == "Speeding on Route 9."
    assert stored.section_version("community-policing") == 2
    saves = events(application, "application.section_saved").order_by("pk")
    assert [e.actor for e in saves] == [applicant, member]


# Scoping: another agency sees nothing ----------------------------------------------------------

SCOPED_REQUESTS = (
    [("get", "application_overview", None), ("get", "application_review", None),
     ("post", "application_submit", None), ("get", "application_withdraw", None),
     ("post", "application_withdraw", None)]
    + [("get", "application_section", slug) for slug in SLUGS]
    + [("post", "application_section", slug) for slug in SLUGS]
)  # fmt: skip


@pytest.mark.parametrize(
    ("method", "name", "slug"),
    SCOPED_REQUESTS,
    ids=[
        f"{m}-{n.removeprefix('application_')}{'-' + s if s else ''}" for m, n, s in SCOPED_REQUESTS
    ],
)
def test_a_user_of_another_agency_gets_404_on_every_application_page(
    signed_in, other_agency_applicant, complete, method, name, slug
):
    target = url(name, complete, slug) if slug else url(name, complete)
    before = fresh(complete)
    data = CP_ANSWERS | {
        "version": "1",
        "cp_problem": "Hijacked.",
        "certified_name": other_agency_applicant.get_full_name(),
        "assurances": "on",
    }
    client = signed_in(other_agency_applicant)
    response = client.get(target) if method == "get" else client.post(target, data)
    assert response.status_code == 404
    after = fresh(complete)
    assert after.status == Status.DRAFT
    assert after.cp_problem == before.cp_problem
    assert after.section_versions == before.section_versions
    assert after.updated_at == before.updated_at
    assert not events(complete).exists()
    assert not mail.outbox


def test_an_unknown_section_is_404(signed_in, applicant, complete):
    assert signed_in(applicant).get(section_url(complete, "budget")).status_code == 404


# Task list states ------------------------------------------------------------------------------


def states(application):
    return {status.section.slug: status.state for status in task_list(fresh(application))}


def test_a_fresh_draft_has_every_section_not_started_but_the_prefilled_agency(agency):
    expected = dict.fromkeys(SLUGS, "not_started") | {"agency": "complete"}
    assert states(ApplicationFactory(agency=agency)) == expected


def test_a_partly_answered_section_is_in_progress(signed_in, applicant, agency):
    application = ApplicationFactory(agency=agency)
    response = signed_in(applicant).post(
        section_url(application, "officers"),
        {"positions_new_hire": "2", "salary_year_1": "52000.00", "version": "0", "return": "1"},
    )
    assert response.status_code == 302
    assert states(application) == dict.fromkeys(SLUGS, "not_started") | {
        "officers": "in_progress",
        "agency": "complete",
    }
    overview = signed_in(applicant).get(url("application_overview", application)).text
    assert 'section-state--in_progress" data-section="officers">In progress<' in overview
    assert "1 of 9 complete" in overview


def test_a_complete_application_has_every_section_complete(signed_in, applicant, complete):
    assert states(complete) == dict.fromkeys(SLUGS, "complete")
    overview = signed_in(applicant).get(url("application_overview", complete)).text
    assert "9 of 9 complete" in overview


def test_fewer_positions_than_sros_puts_the_sro_section_in_error_and_on_the_review_page(
    signed_in, applicant, complete
):
    Application.objects.filter(pk=complete.pk).update(
        positions_new_hire=1, positions_rehire_laid_off=0
    )
    assert states(complete) == dict.fromkeys(SLUGS, "complete") | {"sro": "has_errors"}
    response = signed_in(applicant).get(url("application_review", complete))
    link = section_url(complete, "sro") + "#id_sro_positions"
    assert link.startswith(f"/applications/{complete.pk}/sro/")
    message = "You can deploy at most the 1 position you requested in the officer request as SROs."
    assert f'<a class="usa-link" href="{link}">{message}</a>' in response.text
    assert "1 item to finish before you can submit" in response.text
    assert re.search(
        r'<button type="submit"[^>]* disabled aria-disabled="true">Certify and submit application',
        response.text,
    )


# Returned for corrections ----------------------------------------------------------------------


def test_a_returned_application_shows_the_reason_is_emailed_and_can_be_fixed_and_resubmitted(
    client, signed_in, applicant, member, program_specialist, complete, submit,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    submitted = submit(complete)
    mail.outbox.clear()
    reason = "Attach the council vote that schedules the layoffs."
    client.force_login(program_specialist, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:applications_application_changelist"),
            {"action": "return_for_corrections", "_selected_action": [complete.pk],
             "apply": "1", "reason": reason},
        )  # fmt: skip
    assert response.status_code == 302
    assert fresh(complete).status == Status.RETURNED
    assert events(complete, "application.returned").get().actor == program_specialist

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert sorted(email.to) == sorted([applicant.email, member.email])
    assert reason in email.body
    assert submitted.tracking_number in email.body

    agency_client = signed_in(applicant)
    overview = agency_client.get(url("application_overview", complete)).text
    assert f'data-testid="returned-reason">{reason}</p>' in overview

    saved = agency_client.post(
        section_url(complete, "community-policing"),
        CP_ANSWERS | {"cp_problem": "Corrected problem statement.", "version": "1", "return": "1"},
    )
    assert saved.status_code == 302
    assert fresh(complete).cp_problem == "Corrected problem statement."

    with django_capture_on_commit_callbacks(execute=True):
        resubmitted = certify(
            agency_client, complete, certified_name=applicant.get_full_name(), assurances="on"
        )
    assert resubmitted.status_code == 302
    stored = fresh(complete)
    assert stored.status == Status.SUBMITTED
    assert stored.returned_reason == ""
    assert stored.tracking_number == submitted.tracking_number
    assert events(complete, "application.resubmitted").get().actor == applicant
    assert mail.outbox[-1].subject.startswith("Resubmitted")
    assert (
        'data-testid="returned-reason"'
        not in agency_client.get(url("application_overview", complete)).text
    )


def test_a_return_reason_reaches_the_agency_verbatim_in_the_plain_text_email(
    program_specialist, complete, submit, django_capture_on_commit_callbacks
):
    submit(complete)
    reason = "Attach the council's vote & the layoff notice (pages 2 > 1)."
    with django_capture_on_commit_callbacks(execute=True):
        services.return_application(application=complete, by=program_specialist, reason=reason)
    assert reason in mail.outbox[-1].body


def test_the_receipt_names_the_agency_verbatim(other_agency, other_agency_applicant, submit):
    application = ApplicationFactory(complete=True, agency=other_agency)
    submit(application, by=other_agency_applicant)
    assert "Riverton County Sheriff's Office" in mail.outbox[-1].body


# Escaping ---------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_html_in_a_text_answer_is_escaped_on_the_review_page_and_in_the_html_email(
    signed_in, applicant, agency, submit
):
    application = ApplicationFactory(
        complete=True, agency=agency, cp_problem=f"Fights after school {SCRIPT}"
    )
    page = signed_in(applicant).get(url("application_review", application)).text
    assert SCRIPT not in page
    assert "Fights after school &lt;script&gt;alert(1)&lt;/script&gt;" in page

    submit(application)
    receipt = mail.outbox[-1]
    assert SCRIPT not in receipt.body
    html, mimetype = receipt.alternatives[0]
    assert mimetype == "text/html"
    assert "<script" not in html
    assert "<script" not in receipt.subject


# Money display sanity on the overview ----------------------------------------------------------


def test_the_overview_shows_the_budget_of_the_saved_answers(signed_in, applicant, complete):
    page = signed_in(applicant).get(url("application_overview", complete)).text
    assert "375,000.00" in page
    assert complete.budget.total_federal == Decimal("375000.00")


def test_the_dashboard_costs_the_same_queries_for_one_or_many_applications(signed_in, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    client = signed_in(applicant)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("applications:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    ApplicationFactory(agency=applicant.memberships.get().agency)
    few = queries()
    for _ in range(8):
        membership = MembershipFactory(user=applicant)
        ApplicationFactory(agency=membership.agency, submitted=True)
    assert queries() == few


def test_withdrawing_through_the_pages_asks_first_then_withdraws(signed_in, applicant, complete):
    client = signed_in(applicant)
    page = client.get(url("application_withdraw", complete)).text
    assert "Withdraw this application?" in page
    assert complete.status == Status.DRAFT  # asking changes nothing
    response = client.post(url("application_withdraw", complete), follow=True)
    assert "The application is withdrawn." in response.text
    complete.refresh_from_db()
    assert complete.status == Status.WITHDRAWN


def test_a_plain_member_is_told_why_they_cannot_withdraw(signed_in, member, complete):
    page = signed_in(member).get(url("application_withdraw", complete)).text
    assert "Only an Authorized Representative or agency administrator can withdraw." in page
    assert 'type="submit"' not in page.split('id="main-content"')[1]
