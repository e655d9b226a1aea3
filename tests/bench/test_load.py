"""The benchmark's own machinery: the load generator counts and times what a server answers,
and the floor view is a bare page beside the app (never in the production URLconf)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import NoReverseMatch, reverse

from bench.load import hammer, percentile


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/ok" else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_it_sends_at_most_its_budget_and_times_each_answer(server):
    load = hammer(host="127.0.0.1", port=server, path="/ok", headers={}, connections=4,
                  seconds=30, max_requests=40)  # fmt: skip
    assert load.requests == 40
    assert load.errors == 0
    assert load.statuses == {200: 40}
    assert 0 < load.p50_ms <= load.p95_ms
    assert load.per_second > 0


def test_it_counts_an_unexpected_status_as_an_error_not_a_sample(server):
    load = hammer(host="127.0.0.1", port=server, path="/missing", headers={}, connections=2,
                  seconds=30, max_requests=6)  # fmt: skip
    assert (load.requests, load.errors, load.statuses) == (0, 6, {404: 6})


def test_it_stops_at_the_deadline(server):
    load = hammer(host="127.0.0.1", port=server, path="/ok", headers={}, connections=2,
                  seconds=0.3, max_requests=10**9)  # fmt: skip
    assert load.requests > 0
    assert load.seconds < 5


def test_percentile_picks_the_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 0.5) == 51.0
    assert percentile(samples, 0.95) == 95.0
    assert percentile([], 0.5) != percentile([], 0.5)  # NaN: no samples, no figure


def test_the_floor_is_a_bare_page_mounted_only_by_the_benchmark(client, settings):
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response.content == b"ok False"
    assert client.get(reverse("applications:dashboard")).status_code == 302  # the app is there
