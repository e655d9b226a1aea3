"""A small, bounded HTTP load generator: N connections (threads) send GET requests to one URL
for a fixed time (or until a request budget is spent) and report requests/second and p50/p95.

Each request opens a new connection (gunicorn's sync workers close every connection anyway), so
the figures include the TCP handshake, as a browser's first request would."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def hammer(
    *,
    host: str,
    port: int,
    path: str,
    headers: dict[str, str],
    connections: int = 16,
    seconds: float = 20.0,
    max_requests: int = 100_000,
    expect: int = 200,
) -> Load:
    """GET `path` from `connections` threads for `seconds`; a response other than `expect`
    counts as an error (and its time is not a sample)."""
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    samples: list[float] = []
    statuses: dict[int, int] = {}
    budget = [max_requests]
    errors = [0]

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=60)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                status = 0
            elapsed = time.perf_counter() - start
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == expect:
                    samples.append(elapsed)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Load(
        requests=len(samples),
        errors=errors[0],
        seconds=elapsed,
        p50_ms=statistics.median(samples) * 1000 if samples else float("nan"),
        p95_ms=percentile(samples, 0.95) * 1000,
        statuses=statuses,
    )
