"""The same extremes against a real gunicorn (the production server, Dockerfile/Procfile): a
1 GB request body sent over a socket is answered long before it is all sent, and the worker's
peak memory (VmHWM) barely moves. No database is touched: CSRF and the 413 middleware answer
before any view runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
GB = 1024**3
MB = 1024**2
BOUNDARY = "copsgrantsGunicornBoundary"


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def wait_for_worker(process: subprocess.Popen, port: int) -> int:
    """The pid of gunicorn's worker once it is forked and the port accepts connections."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited")
        pids = children.read_text().split()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            pids = []
        if pids:
            return int(pids[0])
        time.sleep(0.2)
    pytest.fail("gunicorn did not start")


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env |= {
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "copsgrants.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('db') / 'unused.sqlite3'}",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "copsgrants.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60", "--chdir", str(ROOT)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        worker = wait_for_worker(process, port)
        # Warm up: the worker imports Django on its first request; measure after that.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as warm:
            warm.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert warm.recv(64).startswith(b"HTTP/1.1 200")
            while warm.recv(65536):
                pass
        yield port, worker
    finally:
        process.terminate()
        process.wait(timeout=30)


def send_huge(port: int, headers: str, size: int, chunked: bool) -> tuple[bytes, int, float]:
    """Sends `headers` then up to `size` body bytes until the server answers or hangs up;
    returns (the answer's first bytes, body bytes sent, seconds)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
    sock.sendall(headers.encode())
    block = b"0" * (64 * 1024)
    frame = b"%x\r\n" % len(block) + block + b"\r\n" if chunked else block
    sent, started, answer = 0, time.monotonic(), b""
    sock.setblocking(False)
    try:
        while sent < size and time.monotonic() - started < 60:
            try:
                answer += sock.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                sent += sock.send(frame) and len(block)
            except BlockingIOError:
                time.sleep(0.001)
        sock.setblocking(True)
        sock.settimeout(10)
        while b"\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        sock.close()
    return answer, sent, time.monotonic() - started


def head(length_line: str) -> str:
    return (
        "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length_line}\r\n\r\n"
    )


def test_a_declared_one_gigabyte_upload_is_refused_with_413_at_once(gunicorn):
    port, worker = gunicorn
    before = peak_kb(worker)
    answer, sent, seconds = send_huge(port, head(f"Content-Length: {GB}"), GB, chunked=False)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 64 * MB, f"sent {sent / MB:.0f} MB before the answer"
    assert seconds < 10
    grew = (peak_kb(worker) - before) * 1024
    print(f"sent {sent / MB:.1f} MB, answered in {seconds:.2f} s, worker peak +{grew / MB:.1f} MB")
    assert grew < 50 * MB


def test_a_chunked_one_gigabyte_upload_is_refused_without_being_read(gunicorn):
    port, worker = gunicorn
    before = peak_kb(worker)
    answer, sent, seconds = send_huge(port, head("Transfer-Encoding: chunked"), GB, chunked=True)
    # Django never reads a body without Content-Length: the form arrives empty, no CSRF token.
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert sent < 64 * MB, f"sent {sent / MB:.0f} MB before the answer"
    assert seconds < 10
    grew = (peak_kb(worker) - before) * 1024
    print(f"sent {sent / MB:.1f} MB, answered in {seconds:.2f} s, worker peak +{grew / MB:.1f} MB")
    assert grew < 50 * MB
