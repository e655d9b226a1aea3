"""Email leaves the request through the broker and a real Celery worker process."""

import re

import pytest
from django.urls import reverse

from tests.conftest import wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


def test_a_password_reset_email_is_delivered_by_a_real_worker(
    client, celery_worker_process, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example", first_name="Jamie", last_name="Chief")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "chief@town.example"})
    assert response.status_code == 302

    files = wait_for(lambda: list(celery_worker_process.glob("*.log")))
    message = files[0].read_text()
    assert "To: chief@town.example" in message
    assert "Subject: Reset your COPS Grants password" in message
    assert "Hello Jamie Chief" in message
    assert re.search(r"http://testserver/accounts/reset/\S+/\S+/", message)
