"""Benchmarks: `make bench`.

Each figure is reported as a ratio to a floor measured in the same run (rendering the public home
page through the full middleware stack), because these machines are noisy: a ratio moves when our
code gets slower, not when the machine does.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copsgrants.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{_db}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
SCALE = int(os.environ.get("BENCH_SCALE", "10000"))


def timed(client: Client, url: str, rounds: int = ROUNDS) -> float:
    """Median seconds per request over `rounds` requests, after a warm-up."""
    for _ in range(10):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    sys.path.insert(0, str(ROOT))
    from applications.models import Agency, Application, Solicitation
    from copsgrants.models import User
    from tests.factories import AgencyFactory, ApplicationFactory, MembershipFactory

    AgencyFactory.create_batch(1000)
    busy = User.objects.get(email="applicant@demo.test")
    for agency in Agency.objects.exclude(memberships__user=busy)[:30]:
        MembershipFactory(user=busy, agency=agency)
    springfield = Agency.objects.get(ori="IL08401")
    current = Solicitation.objects.get(code="O-COPS-2026-CHP")
    for agency in Agency.objects.filter(applications__isnull=True)[:300]:
        ApplicationFactory(agency=agency, solicitation=current, submitted=True)
    draft = Application.objects.get(agency=springfield, solicitation=current)
    complete = Application.objects.filter(status="submitted", solicitation=current).first()

    anonymous = Client()
    applicant = Client()
    applicant.force_login(busy, backend="django.contrib.auth.backends.ModelBackend")
    staff = Client()
    staff.force_login(
        User.objects.get(email="admin@demo.test"),
        backend="django.contrib.auth.backends.ModelBackend",
    )

    floor = timed(anonymous, "/")
    cases = {
        "dashboard (31 agencies)": timed(applicant, "/dashboard/"),
        "agency page": timed(applicant, f"/agencies/{springfield.pk}/"),
        "agency form": timed(applicant, "/agencies/new/"),
        "application task list": timed(applicant, f"/applications/{draft.pk}/"),
        "officer request section": timed(applicant, f"/applications/{draft.pk}/officers/"),
        "review page (draft)": timed(applicant, f"/applications/{draft.pk}/review/"),
        "admin application detail": timed(
            staff, f"/admin/applications/application/{complete.pk}/change/", rounds=ROUNDS // 4
        ),
        "admin application list (300+ rows)": timed(
            staff, "/admin/applications/application/", rounds=ROUNDS // 4
        ),
        "admin agency list (1,002 rows, 100 shown)": timed(
            staff, "/admin/applications/agency/", rounds=ROUNDS // 4
        ),
        "admin agency search": timed(
            staff, "/admin/applications/agency/?q=IL08401", rounds=ROUNDS // 4
        ),
    }
    cases |= at_scale(staff, current)
    print(f"floor: public home page {floor * 1000:.2f} ms/request (median of {ROUNDS})")
    print(f"{'case':<52} {'ms':>10} {'x floor':>10}")
    for name, seconds in cases.items():
        print(f"{name:<52} {seconds * 1000:>10.2f} {seconds / floor:>10.1f}")


def once(action) -> float:
    """Seconds for one call of `action` (a service run: too slow, and not idempotent, to repeat)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def at_scale(staff: Client, current) -> dict[str, float]:
    """The staff workplace with SCALE (10,000) screened, reviewed applications in the current
    solicitation (seed_synthetic): pages are medians of requests, services one timed call."""
    from applications import services
    from applications.models import ScoringRun
    from copsgrants.models import User

    call_command(
        "seed_synthetic", "--applications", str(SCALE), "--solicitation", current.code,
        "--reviewed", stdout=io.StringIO(),
    )  # fmt: skip
    manager = User.objects.get(email="manager@demo.test")
    as_manager = Client()
    as_manager.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    rounds = max(ROUNDS // 10, 5)
    listing = f"/admin/applications/application/?solicitation__id__exact={current.pk}"
    cases = {
        f"admin index, manager's work queue ({SCALE:,})": timed(as_manager, "/admin/", rounds),
        f"admin application list ({SCALE:,} rows, 100 shown)": timed(staff, listing, rounds),
        f"admin application search ({SCALE:,} rows)": timed(
            staff, listing + "&q=Synthetic+Town+4242", rounds
        ),
    }
    cases[f"compute scores ({SCALE:,} applications)"] = once(
        lambda: services.compute_scores(solicitation=current, by=manager)
    )
    run = ScoringRun.objects.get(solicitation=current, is_current=True)
    if hasattr(services, "draft_funding_plan"):
        cases[f"draft funding plan ({SCALE:,} applications)"] = once(
            lambda: services.draft_funding_plan(solicitation=current, by=manager)
        )
    try:
        ranking = reverse("admin:applications_scoringrun_ranking", args=[run.pk])
    except NoReverseMatch:
        pass
    else:
        cases[f"ranking page ({SCALE:,} applications)"] = timed(as_manager, ranking, 5)
    return cases


if __name__ == "__main__":
    main()
