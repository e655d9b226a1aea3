"""Time compute_scores on SCALE (10,000) freshly seeded applications, as `make bench` does, in a
few seconds a try instead of a minute of seeding each time.

    .venv/bin/python bench/scoring.py --database copsgrants_scoring --seed   # once (~2 min)
    .venv/bin/python bench/scoring.py --database copsgrants_scoring          # each try

--seed migrates a fresh DATABASE, seeds the demo and SCALE reviewed synthetic applications
(what bench/seed.py does before compute_scores) and keeps that state as the template
DATABASE_seeded. Each try recreates DATABASE from the template, then prints compute_scores' wall
time, this process's CPU time and the database backend's (read from /proc: PostgreSQL on this
machine), which are steadier than the wall time while other work shares the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALE = 10_000
CODE = "O-COPS-2026-CHP"


def recreate(name: str, template: str | None = None) -> None:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        cursor.execute(f'CREATE DATABASE "{name}"{copy}')
    admin.close()


def seed(name: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    call_command("seed_synthetic", "--applications", str(SCALE), "--solicitation", CODE,
                 "--reviewed", stdout=io.StringIO())  # fmt: skip
    connection.close()
    recreate(f"{name}_seeded", template=name)


def backend_cpu() -> float:
    """Seconds of CPU the database backend serving this connection has used."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_compute_scores() -> None:
    from applications import services
    from applications.models import Solicitation
    from copsgrants.models import User

    solicitation = Solicitation.objects.get(code=CODE)
    manager = User.objects.get(email="manager@demo.test")
    database_cpu, cpu, started = backend_cpu(), time.process_time(), time.perf_counter()
    services.compute_scores(solicitation=solicitation, by=manager)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"compute_scores {wall:.2f} s (CPU: Python {cpu:.2f} s, "
          f"PostgreSQL {backend_cpu() - database_cpu:.2f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a database of your own to recreate")
    parser.add_argument("--seed", action="store_true", help="seed and keep the template")
    args = parser.parse_args()
    if args.database == "copsgrants_bench":
        parser.error("copsgrants_bench is the shared benchmark's database: name one of your own")
    if args.seed:
        recreate(args.database)
    else:
        recreate(args.database, template=f"{args.database}_seeded")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="copsgrants.settings",
        DJANGO_DEBUG="0",  # no query logging, as in `make bench`
        DJANGO_SECRET_KEY="bench-only-" + "k3y-n0t-f0r-pr0duct10n-" * 3,
        DJANGO_ALLOWED_HOSTS="localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        CELERY_BROKER_URL="memory://",
        EMAIL_URL="dummymail://",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-media-"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    if args.seed:
        seed(args.database)
        print(f"seeded {args.database}_seeded")
    else:
        time_compute_scores()


if __name__ == "__main__":
    main()
