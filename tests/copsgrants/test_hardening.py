"""Caching, lockout wording, admin history ids, secret-key strength and SQLite concurrency."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, include, path, reverse
from simple_history.admin import SimpleHistoryAdmin

from tests.factories import UserFactory

from .test_settings import PRODUCTION, run

pytestmark = pytest.mark.django_db


@login_not_required
def cached_for_a_minute(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("fine to cache")
    response["Cache-Control"] = "private, max-age=60"
    return response


# Used only by the test that marks itself with this module as its URLconf.
urlpatterns = [
    path("test-cache/", cached_for_a_minute),
    path("", include("copsgrants.urls")),
]


# Cache-Control ------------------------------------------------------------------------------


def test_pages_for_a_signed_in_user_are_never_stored(signed_in, applicant, agency):
    client = signed_in(applicant)
    for url in (
        reverse("applications:dashboard"),
        reverse("applications:agency_detail", args=[agency.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert response["Pragma"] == "no-cache"


def test_public_pages_are_never_stored_once_signed_in(signed_in, applicant):
    response = signed_in(applicant).get(reverse("applications:solicitation_list"))
    assert "no-store" in response["Cache-Control"]


def test_the_sign_in_page_is_never_stored(client):
    for name in ("login", "register", "password_reset"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"], name


def test_public_pages_for_visitors_are_left_to_the_browser(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_static_files_keep_their_own_caching(signed_in, applicant):
    response = signed_in(applicant).get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.urls(__name__)
def test_a_view_that_sets_its_own_cache_control_keeps_it(signed_in, applicant):
    response = signed_in(applicant).get("/test-cache/")
    assert response["Cache-Control"] == "private, max-age=60"


# Lockout page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "wording"), [(15, "15 minutes"), (1, "1 minute"), (90, "90 minutes")]
)
def test_the_lockout_page_says_how_long_in_minutes(client, settings, minutes, wording):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=minutes)
    UserFactory(email="chief@town.example")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            reverse("login"), {"username": "chief@town.example", "password": "wrong"}
        )
    assert response.status_code == 429
    assert f"paused for {wording} after 5 wrong passwords" in response.text
    assert "PT" not in response.text


# Admin history pages ------------------------------------------------------------------------

HUGE = str(10**25)
MALFORMED = ["abc", HUGE, "-1.5"]
MODEL_ADMINS = sorted(
    admin.site._registry.items(), key=lambda item: item[0]._meta.label
)  # every registered ModelAdmin


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.raise_request_exception = False  # a crash must show up as a 500 to assert on
    return client


@pytest.mark.parametrize(
    ("model", "model_admin"), MODEL_ADMINS, ids=[m._meta.label for m, _ in MODEL_ADMINS]
)
def test_admin_history_pages_answer_a_malformed_id_with_a_404(superuser_client, model, model_admin):
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    has_field_history = isinstance(model_admin, SimpleHistoryAdmin)
    urls = [reverse(f"{info}_history", args=[bad]) for bad in MALFORMED]
    if has_field_history:
        urls += [reverse(f"{info}_simple_history", args=["1", bad]) for bad in MALFORMED]
        urls += [reverse(f"{info}_simple_history", args=[bad, "1"]) for bad in MALFORMED]
    else:
        with pytest.raises(NoReverseMatch):
            reverse(f"{info}_simple_history", args=["1", "1"])
    for url in urls:
        status = superuser_client.get(url).status_code
        # Django's own history page sends an unknown id back to the admin index.
        assert status == 404 if has_field_history else status in (302, 404), (url, status)


def test_admin_history_pages_still_work_for_a_real_record(superuser_client, agency):
    agency.legal_name = "Springfield Police Department (renamed)"
    agency.save()
    history_id = agency.history.latest().history_id
    info = "admin:applications_agency"
    assert superuser_client.get(reverse(f"{info}_history", args=[agency.pk])).status_code == 200
    response = superuser_client.get(reverse(f"{info}_simple_history", args=[agency.pk, history_id]))
    assert response.status_code == 200


# Secret key -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["abcde", "x7Qp!9zR" * 6, "ab" * 40],
    ids=["5 characters", "48 characters", "2 different characters"],
)
def test_a_weak_secret_key_with_debug_off_stops_start_up(key):
    result = run("manage.py", "check", **(PRODUCTION | {"DJANGO_SECRET_KEY": key}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_short_secret_key_is_fine_for_local_development():
    result = run("manage.py", "check", DJANGO_DEBUG="1", DJANGO_SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


# SQLite under concurrent saves -------------------------------------------------------------------

# Twenty threads each run what a section save does to the database: in one transaction, read the
# row, then write it. Each thread has its own connection, opened from the settings' DATABASES.
CONCURRENT_SAVES = textwrap.dedent(
    """
    import json, threading, time
    import django
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE draft (id INTEGER PRIMARY KEY, saves INTEGER NOT NULL)")
        cursor.execute("INSERT INTO draft VALUES (1, 0)")
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connection.close()

    start, errors = threading.Barrier(20), []

    def save():
        try:
            start.wait()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT saves FROM draft WHERE id = 1")
                    saves = cursor.fetchone()[0]
                    time.sleep(0.01)
                    cursor.execute("UPDATE draft SET saves = %s WHERE id = 1", [saves + 1])
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT saves FROM draft WHERE id = 1")
        saves = cursor.fetchone()[0]
    print(json.dumps({
        "options": settings.DATABASES["default"]["OPTIONS"],
        "journal_mode": journal_mode,
        "saves": saves,
        "errors": errors,
    }))
    """
)


@pytest.fixture
def sqlite_run(tmp_path):
    """Run code in a fresh process whose database is a new SQLite file (whatever the tests use)."""

    def run_with_sqlite(code: str) -> dict:
        database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        result = run("-c", code, DJANGO_DEBUG="1", DATABASE_URL=database)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run_with_sqlite


def test_twenty_concurrent_saves_on_sqlite_wait_for_each_other_instead_of_failing(sqlite_run):
    outcome = sqlite_run(CONCURRENT_SAVES)
    assert outcome["errors"] == []
    assert outcome["saves"] == 20  # and none overwrote another


def test_sqlite_is_set_up_for_concurrent_writes(sqlite_run):
    outcome = sqlite_run(
        "import json, django; django.setup()\n"
        "from django.conf import settings; from django.db import connection\n"
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode')\n"
        "print(json.dumps({'options': settings.DATABASES['default']['OPTIONS'],"
        " 'journal_mode': cursor.fetchone()[0]}))"
    )
    assert outcome["journal_mode"] == "wal"
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
    assert outcome["options"]["timeout"] >= 20
