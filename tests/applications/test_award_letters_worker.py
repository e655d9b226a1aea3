"""Award letters rendered by real Celery worker processes on a real Redis: a batch ends with one
ready letter (one file, its sha256 stored) per award, and a worker killed in the middle of a
batch loses nothing and duplicates nothing once another worker and the sweep have run."""

from __future__ import annotations

import hashlib
import os
import re
import signal
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.utils import timezone
from post_office.models import STATUS, Email

from applications import services
from applications.models import Award, AwardLetter
from tests.conftest import wait_for

from .award_helpers import released_plan

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

Status = AwardLetter.Status


@pytest.fixture
def media(tmp_path, monkeypatch):
    """The workers' private storage: a folder of this test's own (MEDIA_ROOT in their env)."""
    folder = tmp_path / "media"
    folder.mkdir()
    monkeypatch.setenv("MEDIA_ROOT", str(folder))
    return folder


@pytest.fixture
def broker(redis_server, publish_to):
    """A Redis of this test's own: the on-commit tasks are published there."""
    publish_to(redis_server.url)
    return redis_server.url


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in AwardLetter.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def letter_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def assert_one_ready_letter_and_one_file_per_award(media: Path, awards: list[Award]) -> None:
    files = letter_files(media)
    assert len(files) == len(awards), [str(path) for path in files]
    for award in awards:
        (letter,) = AwardLetter.objects.filter(award=award)
        assert (letter.version, letter.status) == (1, Status.READY), letter.error
        path = media / letter.file.name
        assert path in files
        assert hashlib.sha256(path.read_bytes()).hexdigest() == letter.sha256
        assert path.read_bytes().startswith(b"%PDF-")
        award.refresh_from_db()
        assert award.status == Award.Status.OFFERED
        assert award.acceptance_deadline is not None
    assert len({path.read_bytes() for path in files}) == len(awards)


def drained(broker_url: str, worker) -> bool:
    """Nothing waits in the broker's queues and the worker finished every task it took."""
    client = redis.Redis.from_url(broker_url)
    waiting = sum(client.llen(key) for key in client.scan_iter() if client.type(key) == b"list")
    log = worker.log.read_text()
    received = len(
        re.findall(r"Task applications\.tasks\.render_award_letter\[[^\]]+\] received", log)
    )
    finished = len(
        re.findall(
            r"Task applications\.tasks\.render_award_letter\[[^\]]+\] (?:succeeded|raised|retry)",
            log,
        )
    )
    return waiting == 0 and received == finished


def letter_emails(texts: list[str], award: Award) -> int:
    """How many of the messages a worker sent are the award's letter-ready email (a long
    Subject header is folded over two lines: unfold it first)."""
    subject = f"Subject: Your COPS award {award.number}: letter ready, acceptance open"
    return sum(re.sub(r"\n[ \t]+", " ", text).count(subject) for text in texts)


def make_awards(count: int) -> list[Award]:
    states = ["IL", "WA", "VA", "TX", "OH", "NY", "CA", "GA"]
    plan, manager, _ = released_plan([(states[i % len(states)], 1) for i in range(count)])
    return services.make_awards(plan=plan, by=manager)


def test_a_real_worker_renders_a_batch_of_letters_one_ready_letter_per_award(
    media, broker, start_celery_worker
):
    worker = start_celery_worker(broker_url=broker)
    awards = make_awards(8)
    assert statuses() == {Status.PENDING: 8}

    wait_for(lambda: statuses() == {Status.READY: 8}, timeout=180, interval=0.5)

    assert_one_ready_letter_and_one_file_per_award(media, awards)
    assert worker.succeeded("applications.tasks.render_award_letter") == 8
    # Each agency's representative is told, by email from the worker, that the letter is ready.
    for award in awards:
        representative = award.agency.memberships.get(is_authorized_representative=True).user
        wait_for(
            lambda email=representative.email: any(
                f"To: {email}" in message for message in worker.sent()
            ),
            timeout=60,
        )


def test_a_worker_killed_mid_batch_still_ends_with_exactly_one_letter_per_award(
    media, broker, start_celery_worker
):
    first = start_celery_worker(broker_url=broker)
    awards = make_awards(10)

    # Kill it (SIGKILL: no warm shutdown, no ack, no cleanup) while it renders a letter (with
    # --pool=solo the worker's own process renders), some of the batch still queued behind it.
    def rendering():
        return AwardLetter.objects.filter(status=Status.RENDERING).values_list("pk", flat=True)

    (killed,) = wait_for(lambda: list(rendering()), timeout=180, interval=0.01)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=20)
    assert AwardLetter.objects.get(pk=killed).status == Status.RENDERING
    assert statuses().get(Status.READY, 0) < 10

    # Another worker takes the queued letters. The message of the letter being rendered when the
    # worker died is unacknowledged (Redis hands it back only after the visibility timeout): the
    # periodic sweep, run once the letter has been stuck past the render's time limit, queues it
    # again. It also queues again every letter still pending, which must not make a second file.
    second = start_celery_worker(broker_url=broker)
    from applications.tasks import sweep_letters

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=True):
        assert sweep_letters() >= 1  # at least the killed letter
    wait_for(lambda: statuses() == {Status.READY: 10}, timeout=240, interval=0.5)
    # Let the duplicates the sweep queued run to the end (the queue empty, every task the new
    # worker received finished), then look again.
    wait_for(lambda: drained(broker, second), timeout=120, interval=0.5)

    assert_one_ready_letter_and_one_file_per_award(media, awards)

    # One letter-ready email per award across both workers: none sent twice, and none lost with
    # the killed worker (a message it had taken but not sent is left queued: the outbox sweep,
    # run here by the second worker, sends what is owed).
    from copsgrants.tasks import sweep_outbox

    sweep_outbox.delay()
    wait_for(lambda: second.succeeded("copsgrants.tasks.sweep_outbox"), timeout=60)
    letter_ready = Email.objects.filter(subject__contains="letter ready")
    assert letter_ready.count() == 10
    wait_for(lambda: set(letter_ready.values_list("status", flat=True)) == {STATUS.sent})
    sent = first.sent() + second.sent()
    for award in awards:
        assert letter_emails(sent, award) == 1, award.number
