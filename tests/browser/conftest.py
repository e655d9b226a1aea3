"""Fixtures for tests that drive a real Chromium through Playwright against `live_server`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import chromium_path, require

# Playwright's sync API runs an asyncio event loop in this thread; without this Django refuses
# ORM calls made from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran. CSP violations are console errors."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.failed_requests)

    def describe(self) -> str:
        lines = [f"console error: {text}" for text in self.console_errors]
        lines += [f"uncaught exception: {text}" for text in self.page_errors]
        lines += [f"failed request: {text}" for text in self.failed_requests]
        return "\n".join(lines)

    def assert_none(self) -> None:
        assert not self, "The browser reported problems:\n" + self.describe()


def artifact_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item so fixtures can tell, at teardown, whether it failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator:
    path = chromium_path()
    require(path is not None, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator:
    """pytest-django's live server, except that static files reach WhiteNoise, as in production.

    pytest-django puts staticfiles' StaticFilesHandler in front of the server. That handler finds
    files with the staticfiles finders, which do not know the hashed names the manifest storage
    writes into pages (js/app.2270651adcc7.js), so every stylesheet and script would 404. Passing
    requests straight to Django lets WhiteNoise serve the collected files from STATIC_ROOT.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture
def _browser_page(browser, live_server, request: pytest.FixtureRequest):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = PageProblems()
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(f"{message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda req: (
            problems.failed_requests.append(f"{req.method} {req.url}: {req.failure}")
            # The browser aborts loads still running when the page navigates away; an HTTP
            # error is reported by the "response" handler, so ABORTED on its own is noise.
            if req.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.failed_requests.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )
            if response.status >= 400
            else None
        ),
    )
    yield page, problems
    failed = any(
        getattr(request.node, f"rep_{when}", None) is not None
        and getattr(request.node, f"rep_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        try:
            page.screenshot(path=artifact_path(request.node.name), full_page=True)
        except Exception as exc:  # a screenshot must never hide the real failure
            print(f"Could not save a failure screenshot: {exc}")
    context.close()


@pytest.fixture
def page(_browser_page):
    """A fresh Playwright page (own context, 1280x900) whose base URL is the live server."""
    return _browser_page[0]


@pytest.fixture
def page_problems(_browser_page) -> PageProblems:
    """Console errors (including CSP violations), uncaught exceptions and failed requests."""
    return _browser_page[1]
