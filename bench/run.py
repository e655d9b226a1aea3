"""`make bench`: one table of figures, each next to a floor measured in the same run.

Pages: gunicorn (2 sync workers, DEBUG off, PostgreSQL) serves the app with a bare floor view
mounted beside it (bench/wsgi.py); bench/load.py sends GETs from 16 connections for
BENCH_SECONDS (20) per page; queries per page are counted in-process, at demo scale and again at
BENCH_SCALE (10,000) applications (the count must not grow with the data). Letters: see
bench/letters.py. Services: compute_scores and draft_funding_plan on BENCH_SCALE applications,
timed once. The training capacity race: 50 concurrent enrollments for 30 seats.

The database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/copsgrants_bench)
is dropped and created afresh. Knobs: BENCH_SCALE, BENCH_SECONDS, BENCH_LETTERS (500),
BENCH_CONNECTIONS (16), BENCH_PORT (8765).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALE = int(os.environ.get("BENCH_SCALE", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
LETTERS = int(os.environ.get("BENCH_LETTERS", "500"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/copsgrants_bench"
)
os.environ.update(
    DJANGO_SETTINGS_MODULE="copsgrants.settings",
    DJANGO_DEBUG="0",
    DJANGO_SECRET_KEY="bench-only-" + "k3y-n0t-f0r-pr0duct10n-" * 3,
    DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    DATABASE_URL=DATABASE_URL,
    # Tasks (letters, email) are queued and never run: the benchmark measures the web side.
    CELERY_BROKER_URL="memory://",
    EMAIL_URL="dummymail://",
    MEDIA_ROOT=os.environ.get("BENCH_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-media-")),
    DJANGO_LOG_LEVEL="WARNING",
)

from bench.load import Load, hammer  # noqa: E402

CODE = "O-COPS-2026-CHP"
# (label, target ratio of p50 to the floor's p50)
PAGES = {
    "agency dashboard": 4,
    "application section page": 4,
    "admin application list (100 rows)": 8,
    "ranking page": 8,
    "letter download": 8,
}


def fresh_database() -> None:
    import psycopg2

    url = urllib.parse.urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    admin = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"


def user(email: str):
    from copsgrants.models import User

    return User.objects.get(email=email)


def urls() -> dict[str, tuple[str, str]]:
    """Each page's URL and the user who asks for it."""
    from django.urls import reverse

    from applications.models import Agency, Application, AwardLetter, ScoringRun, Solicitation

    current = Solicitation.objects.get(code=CODE)
    springfield = Agency.objects.get(ori="IL08401")
    draft = Application.objects.get(agency=springfield, solicitation=current)
    letter = AwardLetter.objects.filter(
        award__agency=springfield, status=AwardLetter.Status.READY
    ).latest("pk")
    run = ScoringRun.objects.filter(is_current=True).latest("pk")
    return {
        "agency dashboard": ("applicant@demo.test", reverse("applications:dashboard")),
        "application section page": (
            "applicant@demo.test",
            reverse("applications:application_section", args=[draft.pk, "officers"]),
        ),
        "admin application list (100 rows)": (
            "admin@demo.test",
            reverse("admin:applications_application_changelist")
            + f"?solicitation__id__exact={current.pk}",
        ),
        "ranking page": (
            "manager@demo.test",
            reverse("admin:applications_scoringrun_ranking", args=[run.pk]),
        ),
        "letter download": (
            "applicant@demo.test",
            reverse("applications:award_letter_download", args=[letter.award_id, letter.version]),
        ),
    }


def signed_in(email: str):
    from bench.signin import signed_in_client

    return signed_in_client(email)


def query_counts() -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, (email, url) in urls().items():
        client = signed_in(email)
        client.get(url, secure=True)  # warm caches (ContentTypes, templates)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        counts[label] = len(queries)
    return counts


def serve() -> subprocess.Popen:
    from django.db import connections

    connections.close_all()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "bench.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        load = hammer(
            host="127.0.0.1",
            port=PORT,
            path="/bench/floor/",
            headers=headers(""),
            connections=1,
            seconds=1,
            max_requests=1,
        )
        if load.requests:
            return process
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def headers(session: str) -> dict[str, str]:
    from django.conf import settings

    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
    # Served as though behind the TLS-terminating proxy (SECURE_PROXY_SSL_HEADER).
    return {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **cookie}


def load_pages() -> tuple[list[Load], dict[str, Load]]:
    from django.conf import settings

    sessions = {}
    for email in {email for email, _ in urls().values()}:
        sessions[email] = signed_in(email).cookies[settings.SESSION_COOKIE_NAME].value
    targets = urls()
    process = serve()
    try:

        def run(path: str, email: str) -> Load:
            return hammer(
                host="127.0.0.1",
                port=PORT,
                path=path,
                headers=headers(sessions[email]),
                connections=CONNECTIONS,
                seconds=SECONDS,
            )

        floors = [run("/bench/floor/", "applicant@demo.test")]
        pages = {label: run(url, email) for label, (email, url) in targets.items()}
        floors.append(run("/bench/floor/", "applicant@demo.test"))
    finally:
        # SIGINT: gunicorn's quick shutdown (SIGTERM would wait for a slow page to finish).
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return floors, pages


def capacity_race() -> tuple[float, str]:
    """50 threads ask at once for a 30-seat session; seconds until all answered, and whether the
    session ends with 30 seats and a 20-place waitlist in queue order, without an error."""
    from django.db import connection

    from applications.models import Award, Membership
    from tests.training.helpers import add_officers, make_session
    from training import services
    from training.models import Enrollment

    # An agency with an accepted SRO award (seeded above) may enroll its officers.
    award = Award.objects.filter(status=Award.Status.ACCEPTED, is_sro=True).latest("pk")
    agency = award.agency
    by = Membership.objects.filter(agency=agency, status=Membership.Status.ACTIVE).first().user
    session = make_session(capacity=30)
    officers = add_officers(agency, 50)
    barrier = threading.Barrier(len(officers) + 1)
    errors: list[Exception] = []

    def enroll(officer) -> None:
        try:
            barrier.wait(timeout=60)
            services.enroll(session=session, officers=[officer], by=by)
        except Exception as error:  # reported below, not raised
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=enroll, args=(officer,)) for officer in officers]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    seconds = time.perf_counter() - start
    rows = list(Enrollment.objects.filter(session=session).order_by("queue_number"))
    statuses = [row.status for row in rows]
    correct = (
        not errors
        and [row.queue_number for row in rows] == list(range(1, 51))
        and statuses == [Enrollment.Status.ENROLLED] * 30 + [Enrollment.Status.WAITLISTED] * 20
    )
    verdict = (
        "correct"
        if correct
        else f"WRONG ({len(errors)} errors, {statuses.count('enrolled')} seated)"
    )
    return seconds, verdict


def main() -> None:
    started = time.perf_counter()
    fresh_database()
    setup_django()
    from django.core.management import call_command

    from applications.models import AwardLetter
    from bench import letters
    from bench.seed import seed_scale

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    print(f"seeded the demo ({time.perf_counter() - started:.0f} s)", flush=True)
    queries_small = query_counts()
    timings = seed_scale(
        scale=SCALE,
        code=CODE,
        manager=user("manager@demo.test"),
        approver=user("approver@demo.test"),
    )
    print("seeded: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
    # What autovacuum does after a bulk load in production: without fresh statistics PostgreSQL
    # expects 200 of the 10,000 rows and the admin list's query takes twice as long; without the
    # vacuum the bulk updates above (scoring, decisions) leave two dead row versions for each
    # live one, and a COUNT of one solicitation's applications reads three times the heap.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    queries = query_counts()
    floors, pages = load_pages()
    print("load done", flush=True)
    race_seconds, race_verdict = capacity_race()
    letter = AwardLetter.objects.filter(
        award__agency__ori="IL08401", status=AwardLetter.Status.READY
    ).latest("pk")
    pdf = letters.measure(letter, count=LETTERS)
    print_table(floors, pages, queries_small, queries, timings, pdf, race_seconds, race_verdict)
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")


def print_table(floors, pages, queries_small, queries, timings, pdf, race_seconds, race_verdict):
    floor_p50 = sum(f.p50_ms for f in floors) / len(floors)
    floor_p95 = sum(f.p95_ms for f in floors) / len(floors)
    floor_rps = sum(f.per_second for f in floors) / len(floors)
    rows: list[tuple[str, str, str, str, str, str]] = []

    def row(name, value, floor="", ratio=None, target="", ok=None):
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        rows.append((name, value, floor, "" if ratio is None else f"{ratio:.1f}x", target, verdict))

    for label, target in PAGES.items():
        load = pages[label]
        ratio = load.p50_ms / floor_p50
        row(
            f"{label}: p50 ms",
            f"{load.p50_ms:.0f}",
            f"{floor_p50:.0f}",
            ratio,
            f"<= {target}x",
            ratio <= target,
        )
        row(f"{label}: p95 ms", f"{load.p95_ms:.0f}", f"{floor_p95:.0f}", load.p95_ms / floor_p95)
        errors = f" ({load.errors} errors)" if load.errors else ""
        row(
            f"{label}: requests/s",
            f"{load.per_second:.1f}{errors}",
            f"{floor_rps:.1f}",
            floor_rps / load.per_second if load.per_second else None,
        )
        row(
            f"{label}: queries",
            f"{queries[label]}",
            f"{queries_small[label]} at demo scale",
            None,
            "no growth",
            # At scale, never more than with the demo's handful of rows (the admin list's date
            # hierarchy skips its years query when the dates span two adjacent years).
            queries[label] <= queries_small[label],
        )
    ratio = pdf["letter_ms"] / pdf["raw_ms"]
    row(
        "award letter: median ms",
        f"{pdf['letter_ms']:.0f}",
        f"{pdf['raw_ms']:.0f} raw",
        ratio,
        "<= 1.2x",
        ratio <= 1.2,
    )
    row(
        f"award letter: RSS growth over {LETTERS} (MB)",
        f"{pdf['rss_growth_mb']:+.1f}",
        f"{pdf['rss_before_mb']:.0f} MB before",
        None,
        "< 25 MB",
        pdf["rss_growth_mb"] < 25,
    )
    ratio = pdf["raw_per_s"] / pdf["letters_per_s"]
    row(
        f"award letters/s, batch of {LETTERS}, 2 processes",
        f"{pdf['letters_per_s']:.1f}",
        f"{pdf['raw_per_s']:.1f} raw",
        ratio,
        "<= 1.2x",
        ratio <= 1.2,
    )
    scores = timings["compute_scores"]
    row(
        f"compute scores, {SCALE:,} applications (s)",
        f"{scores:.1f}",
        "",
        None,
        "< 5 s",
        scores < 5,
    )
    row(f"draft funding plan, {SCALE:,} applications (s)", f"{timings['draft_funding_plan']:.1f}")
    row("scores + funding plan (s)", f"{scores + timings['draft_funding_plan']:.1f}")
    row(
        "capacity race: 50 enrollments, 30 seats (s)",
        f"{race_seconds:.2f}",
        "",
        None,
        "correct",
        race_verdict == "correct",
    )
    row("capacity race: outcome", race_verdict)

    each = ", ".join(f"{f.p50_ms:.0f}" for f in floors)
    print(
        f"\nfloor: a bare view behind the same middleware, same gunicorn; {CONNECTIONS} "
        f"connections, {SECONDS:.0f} s per page; floor p50 at the start and end: {each} ms"
    )
    header = ("figure", "measured", "floor", "ratio", "target", "result")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
