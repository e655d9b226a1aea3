r"""Each benchmarked page's time in this process, next to the floor's, against the benchmark's
database (after `make bench` has seeded it): a quick check between full runs while working on a
page. No gunicorn, no load generator: one request at a time through Django's test client, pages and
floor (the applicant's, as in `make bench`) interleaved, medians of `ROUNDS` (default 40).

    .venv/bin/python bench/inprocess.py [label-substring ...]

On a quiet machine the ratios came within 10% of `make bench`'s (whose floor also carries
gunicorn's and the load generator's share of every request); under load both shrink."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import bench.local_env  # noqa: F401  (first: the environment)


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def main(wanted: list[str]) -> None:
    from bench.run import setup_django

    setup_django()
    from bench.run import urls
    from bench.signin import signed_in_client
    from bench.urls import FLOOR_PATH

    rounds = int(os.environ.get("ROUNDS", "40"))
    # As in `make bench`: every page against the applicant's floor.
    floor_client = signed_in_client("applicant@demo.test")
    for label, (email, url) in urls().items():
        if wanted and not any(w in label for w in wanted):
            continue
        client = signed_in_client(email)
        for _ in range(3):  # warm caches (templates, ContentTypes, the ranking summary)
            timed(client, url)
            timed(floor_client, FLOOR_PATH)
        page, floor = [], []
        for _ in range(rounds):
            page.append(timed(client, url))
            floor.append(timed(floor_client, FLOOR_PATH))
        p, f = statistics.median(page), statistics.median(floor)
        print(f"{label:40} {p:7.1f} ms  floor {f:5.1f} ms  {p / f:5.1f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
