import pytest
from django.core import mail

from copsgrants.email import send_templated_email
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_email_text_is_verbatim_and_its_html_alternative_escapes_everything(
    django_capture_on_commit_callbacks,
):
    agency = AgencyFactory(legal_name="<script>alert(1)</script> Sheriff's Office")
    membership = MembershipFactory(agency=agency, pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            template="applications/email/join_requested",
            context={"membership": membership, "agency": agency},
            to=["admin@agency.test"],
        )
    message = mail.outbox[0]
    assert "<script>alert(1)</script> Sheriff's Office" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Sheriff&#x27;s Office" in html


def test_links_in_email_are_clickable_in_the_html_alternative(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.factories import UserFactory

    UserFactory(email="chief@town.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "chief@town.example"})
    html = mail.outbox[0].alternatives[0][0]
    assert '<a href="http://testserver/accounts/reset/' in html
