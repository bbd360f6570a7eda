"""Debian's Chromium driven by Playwright, for tests of the daemon's pages.

The recipe is ../shared/docs/browser-lab.md: `executable_path=/usr/bin/chromium` and the flags
that stop it calling closed hosts; never `playwright install` (it downloads a browser).

Playwright's async API runs on the reactor's own asyncio loop (pytest-twisted,
`--reactor=asyncio`): the sync API refuses to run beside a running loop, and an in-process
twisted.web site must keep answering while the browser waits. So:

- async tests (`@on_asyncio`, beside an in-process site) take `page` and await its methods;
- sync tests (e2e, the daemon in its own process) take `sync_page`: Playwright's sync API,
  run in a thread of its own (pytest-twisted runs test bodies in the reactor's greenlet, so
  they may not block on the reactor).

A failed test leaves a screenshot of its page in var/browser-failures/ (the path is printed in
the test's report). Without Chromium the tests skip, except under CI=true where they fail.

Use from a conftest: import `browser, page, sync_browser, sync_page` and the hook
`pytest_runtest_makereport` (it takes the screenshot) from here, as tests/browser/conftest.py does.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from twisted.internet import defer

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-background-networking",  # else it keeps calling hosts that are closed here
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAILURES = Path(__file__).resolve().parents[2] / "var" / "browser-failures"
TIMEOUT_MS = 10_000  # every wait in a page: long enough for a loaded CI machine, not forever


def chromium_path() -> str:
    """The browser to launch; a skip with the reason here, a failure under CI=true."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (Debian's chromium package; ./lab installs it)"
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}", pytrace=False)
        pytest.skip(problem)
    return str(CHROMIUM)


def wait(awaitable: Awaitable[Any]) -> Any:
    """Run an asyncio awaitable on the reactor's loop from a fixture or hook (not a test body)."""
    future = asyncio.ensure_future(awaitable)
    return pytest_twisted.blockon(defer.Deferred.fromFuture(future))


def watched(page: Any) -> Any:
    """`page` with its errors collected in `page.errors`: uncaught exceptions and console
    errors (CSP refusals among them). For a second tab too: `watched(await context.new_page())`."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: page.errors.append(f"console: {message.text}") if message.type == "error" else None,
    )
    return page


class Chromium:
    """One Playwright driver and one headless browser for the session; a context per test."""

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None

    async def start(self, executable: str) -> None:
        from playwright.async_api import async_playwright

        self.playwright = await async_playwright().start()
        self.browser = await self.playwright.chromium.launch(
            executable_path=executable, args=FLAGS, headless=True
        )

    async def stop(self) -> None:
        if self.browser is not None:
            await self.browser.close()
        if self.playwright is not None:
            await self.playwright.stop()

    async def new_page(self, **context: Any) -> Any:
        """A page in a fresh context (own cookies and storage), with its errors collected."""
        made = await self.browser.new_context(**context)
        made.set_default_timeout(TIMEOUT_MS)
        return watched(await made.new_page())


class InThread:
    """A sync Playwright object used from any thread: each call runs on its own thread."""

    def __init__(self, target: Any, thread: ThreadPoolExecutor) -> None:
        self._target, self._thread = target, thread

    def __getattr__(self, name: str) -> Any:
        found = self._thread.submit(getattr, self._target, name).result()
        if not callable(found):
            return self._wrap(found)
        return lambda *args, **kwargs: self._wrap(self._thread.submit(found, *args, **kwargs).result())

    def _wrap(self, value: Any) -> Any:
        if type(value).__module__.startswith("playwright."):
            return InThread(value, self._thread)
        return value


class SyncChromium:
    """The sync API in a thread of its own, where no asyncio loop runs (the reactor's does
    in the tests' thread, and the sync API refuses to start beside it)."""

    def __init__(self) -> None:
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self.playwright: Any = None
        self.browser: Any = None

    def start(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        def launch() -> None:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=executable, args=FLAGS, headless=True
            )

        self.thread.submit(launch).result()

    def stop(self) -> None:
        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self.playwright is not None:
                self.playwright.stop()

        self.thread.submit(close).result()
        self.thread.shutdown()

    def new_page(self, **context: Any) -> InThread:
        def made() -> Any:
            page = self.browser.new_context(**context).new_page()
            page.context.set_default_timeout(TIMEOUT_MS)
            return watched(page)

        return InThread(self.thread.submit(made).result(), self.thread)


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    """The session's headless Chromium (skipped, or failed under CI, when it is missing)."""
    executable = chromium_path()
    chromium = Chromium()
    try:
        wait(chromium.start(executable))
        yield chromium
    finally:
        wait(chromium.stop())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A test that failed with a page open: its screenshot, named in the failure's report."""
    outcome = yield
    report = outcome.get_result()
    funcargs = getattr(item, "funcargs", {})
    made = funcargs.get("page") or funcargs.get("sync_page")
    if report.when != "call" or not report.failed or made is None:
        return
    FAILURES.mkdir(parents=True, exist_ok=True)
    shot = FAILURES / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid) + ".png")
    try:
        taken = made.screenshot(path=str(shot), full_page=True)
        if asyncio.iscoroutine(taken):
            wait(taken)
        report.sections.append(("browser", f"screenshot: {shot}\nerrors: {made.errors}"))
    except Exception as error:
        report.sections.append(("browser", f"no screenshot: {error}"))


@pytest.fixture
def page(browser: Chromium) -> Iterator[Any]:
    """A fresh page (Playwright async API); see pytest_runtest_makereport for its screenshot."""
    made = wait(browser.new_page())
    yield made
    wait(made.context.close())


@pytest.fixture(scope="session")
def sync_browser() -> Iterator[SyncChromium]:
    """Chromium for sync tests (the daemon in another process), driven from its own thread."""
    executable = chromium_path()
    chromium = SyncChromium()
    try:
        chromium.start(executable)
        yield chromium
    finally:
        chromium.stop()


@pytest.fixture
def sync_page(sync_browser: SyncChromium) -> Iterator[InThread]:
    """A fresh page for a sync test: Playwright's sync API, called from the test's thread."""
    made = sync_browser.new_page()
    yield made
    made.context.close()
