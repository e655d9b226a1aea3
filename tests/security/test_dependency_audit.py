"""`make lint`'s dependency checks: bandit finds no medium or high issue, and the pip-audit step
says SKIPPED (never "no vulnerabilities") where no vulnerability service answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"
BANDIT_TARGETS = ["copsgrants", "applications", "mou", "training", "scripts"]
SKIPPED = "pip-audit: SKIPPED - vulnerability service unreachable from this machine (no result)"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nobody listens


def audit(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    requirements = tmp_path / "constraints.txt"
    requirements.write_text("# pins\nDjango==5.2.19\n")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(requirements)],
        env=os.environ | {"AUDIT_TIMEOUT": "5"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unreachable_service_is_reported_as_skipped_not_as_clean(tmp_path):
    port = closed_port()
    result = audit(
        tmp_path,
        AUDIT_PYPI_URL=f"http://127.0.0.1:{port}/pypi",
        AUDIT_OSV_URL=f"http://127.0.0.1:{port}/v1/query",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SKIPPED
    assert "No known vulnerabilities" not in result.stdout + result.stderr


class _Answers(BaseHTTPRequestHandler):
    """A stand-in PyPI that answers the project page but 404s each release's page, as the
    registry mirror reachable from these machines does; and an OSV that answers HTML."""

    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.path)
        if self.path == "/pypi/Django/json":
            self._send(200, "application/json", json.dumps({"vulnerabilities": []}))
        else:
            self._send(404, "text/plain", "Not Found")

    def do_POST(self):
        self.seen.append(self.path)
        self._send(200, "text/html", "<html>proxy login</html>")

    def _send(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return None


@pytest.fixture
def half_answering_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Answers.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_service_that_cannot_answer_for_the_pinned_release_is_skipped_too(
    tmp_path, half_answering_server
):
    result = audit(
        tmp_path,
        AUDIT_PYPI_URL=f"{half_answering_server}/pypi",
        AUDIT_OSV_URL=f"{half_answering_server}/v1/query",
    )
    assert result.stdout.strip() == SKIPPED, result.stdout + result.stderr
    # It asked the exact question pip-audit would: the pinned release, not the project page.
    assert "/pypi/Django/5.2.19/json" in _Answers.seen
    assert "/v1/query" in _Answers.seen


def test_a_service_that_answers_for_the_pinned_release_is_chosen(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPT.parent))
    import audit_dependencies

    requirements = tmp_path / "constraints.txt"
    requirements.write_text("# pins\nDjango==5.2.19\n")

    class Answering(_Answers):
        def do_GET(self):
            self.seen.append(self.path)
            self._send(200, "application/json", json.dumps({"vulnerabilities": []}))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AUDIT_PYPI_URL", f"http://127.0.0.1:{server.server_address[1]}/pypi")
        assert audit_dependencies.choose_service(requirements) == "pypi"
    finally:
        server.shutdown()
        server.server_close()


def test_bandit_finds_no_medium_or_high_issue():
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(
        [str(bandit), "-q", "-c", "pyproject.toml", "-r", *BANDIT_TARGETS, "-ll"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No issues identified" in result.stdout or result.stdout.strip() == ""


def test_make_lint_runs_bandit_and_the_dependency_audit():
    makefile = (ROOT / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "bandit" in lint and "-ll" in lint
    assert "scripts/audit_dependencies.py" in lint
    assert "\naudit:" in makefile
