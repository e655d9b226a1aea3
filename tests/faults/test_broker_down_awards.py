"""Redis is stopped while awards are made: the grants manager's "Make awards" still succeeds, the
awards and their pending letters commit; once Redis is back, the sweep (run by a real worker)
renders every letter: one ready letter and one file per award, one email per award, however
many times the letters were queued again.

A Redis server of the test's own is killed (not the shared one), the awards are made through
the admin's button (a real POST), and Redis is started again on the same port."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse
from post_office.models import STATUS, Email

from applications.models import Award, AwardLetter
from applications.tasks import sweep_letters
from tests.applications.award_helpers import released_plan
from tests.applications.test_award_letters_worker import (
    assert_one_ready_letter_and_one_file_per_award,
    drained,
    letter_emails,
    statuses,
)
from tests.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

Status = AwardLetter.Status


@pytest.fixture
def media(tmp_path, monkeypatch):
    """The worker's private storage: a folder of this test's own (MEDIA_ROOT in its env)."""
    folder = tmp_path / "media"
    folder.mkdir()
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    return folder


def test_awards_made_while_redis_is_down_commit_and_the_sweep_renders_every_letter_once(
    media, signed_in, redis_server, publish_to, start_celery_worker, monkeypatch, caplog
):
    publish_to(redis_server.url)
    plan, manager, _ = released_plan([("IL", 1), ("WA", 2), ("VA", 1), ("TX", 1)])
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="applications.services.awards"):
        response = signed_in(manager).post(reverse("admin:applications_award_make", args=[plan.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:applications_award_batch", args=[plan.pk])
    awards = list(Award.objects.filter(plan=plan).order_by("sequence"))
    assert len(awards) == 4
    assert statuses() == {Status.PENDING: 4}
    assert caplog.text.count("the letter sweep will render it") == 4

    # Redis is back, empty (it kept nothing): the messages published during the outage are lost,
    # the pending rows are the promise. The worker's sweep takes every pending letter at once.
    redis_server.start()
    monkeypatch.setenv("LETTER_PENDING_SWEEP_MINUTES", "0")
    worker = start_celery_worker(broker_url=redis_server.url)
    # Two sweeps back to back: the second queues each letter again while the first's renders
    # are still waiting, which must not make a second file or a second email.
    sweep_letters.delay()
    sweep_letters.delay()

    wait_for(lambda: statuses() == {Status.READY: 4}, timeout=240, interval=0.5)
    wait_for(lambda: worker.succeeded("applications.tasks.sweep_letters") == 2, timeout=60)
    assert re.findall(r"Re-enqueued (\d+) award letter", worker.log.read_text()) == ["4", "4"]
    wait_for(lambda: drained(redis_server.url, worker), timeout=120, interval=0.5)
    assert worker.succeeded("applications.tasks.render_award_letter") == 8

    assert_one_ready_letter_and_one_file_per_award(media, awards)
    # One email per award, sent by the worker once the letter was stored.
    letter_ready = Email.objects.filter(subject__contains="letter ready")
    assert letter_ready.count() == 4
    wait_for(lambda: set(letter_ready.values_list("status", flat=True)) == {STATUS.sent})
    sent = worker.sent()
    for award in awards:
        assert letter_emails(sent, award) == 1, award.number
