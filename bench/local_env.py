"""The environment of the in-process tools (profile_page.py, inprocess.py): the benchmark's
database (seeded by `make bench`), DEBUG off as in the benchmark, no broker. Imported first."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL",
    os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/copsgrants_bench"),
)
os.environ.update(
    DJANGO_SETTINGS_MODULE="copsgrants.settings",
    DJANGO_DEBUG="0",
    DJANGO_SECRET_KEY="bench-only-" + "k3y-n0t-f0r-pr0duct10n-" * 3,
    DJANGO_ALLOWED_HOSTS="testserver",
    CELERY_BROKER_URL="memory://",
)
