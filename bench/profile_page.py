r"""Profile one page against the benchmark's database (after `make bench` has seeded it):

    .venv/bin/python bench/profile_page.py manager@demo.test \
        /admin/applications/scoringrun/5/ranking/

Prints the request's time, its query count and the top of cProfile's cumulative listing."""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bench.local_env  # noqa: F401  (first: the environment)


def main(email: str, url: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.signin import signed_in_client

    client = signed_in_client(email)
    assert client.get(url, secure=True).status_code == 200
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    print(f"{(time.perf_counter() - start) * 1000:.0f} ms, {len(queries)} queries")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url, secure=True)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(int(os.environ.get("TOP", "40")))


if __name__ == "__main__":
    main(*sys.argv[1:3])
