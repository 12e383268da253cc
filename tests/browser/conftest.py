"""Browser tests: Playwright for Python driving the system's Chromium against pytest-django's
live server (which also serves the static files).

Chromium is never downloaded: the tests use the one the system package manager installed
(``/usr/bin/chromium`` unless ``CHROMIUM`` names another). In CI (``CI=true``) a missing browser
is a failure; on a developer's machine without Chromium these tests are skipped and say why.
"""

import os
import shutil

import pytest

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    add_closed_appeal,
    load_initial_content,
    unavailable,
)

# Playwright's sync API runs an event loop in the test thread, so Django would refuse database
# calls from the test itself ("You cannot call this from an async context"). Nothing in these
# tests is asynchronous Django code; the check does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev dependencies include it
        unavailable("Playwright for Python is not installed")
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        unavailable(f"Chromium was not found at {CHROMIUM}")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (a fresh profile each) pointed at the live server; closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, **kwargs):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def site(live_server):
    """The live server with the initial content and a closed appeal; returns its base URL."""
    load_initial_content()
    add_closed_appeal()
    return live_server.url
