"""Browser tests: Debian's Chromium through Playwright (tests/lab/browser.py)."""

from tests.lab.browser import (  # noqa: F401
    browser,
    page,
    pytest_runtest_makereport,
    sync_browser,
    sync_page,
)
