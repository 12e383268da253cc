"""What the browser tests and the checkers share: where the tools are, the widths, the content."""

import datetime
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the pages under test: no update checks, no sync, no field trials.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


def unavailable(reason, fix="apt-get install chromium"):
    """A missing tool fails the test in CI and skips it, with the reason, elsewhere."""
    if IN_CI:
        pytest.fail(f"{reason}. CI requires these checks: {fix}.")
    pytest.skip(f"{reason} ({fix})")


def load_initial_content():
    """The site's real initial content, as `make run` loads it.

    The cache is cleared first: the database is emptied after every live-server test, and a
    page cached by an earlier test must not be served from the previous content."""
    from django.core.cache import cache

    from appeals import initial_content as appeals_content
    from partnerships import initial_content as partnerships_content

    cache.clear()
    partnerships_content.load()
    appeals_content.load()


def add_closed_appeal():
    """The initial content has no closed appeal: add one (clearly a test record) so its page and
    the page its Donate route answers with (410 Gone) are checked too."""
    from appeals.models import Appeal
    from tests.factories import AppealFactory, DonationRouteFactory

    appeal = AppealFactory(
        title="A closed test appeal",
        slug="closed-test-appeal",
        launched_on=datetime.date(2022, 3, 1),
        closes_on=datetime.date(2022, 6, 30),
        give_instead=Appeal.objects.get(slug="leeds-together-for-ukraine"),
    )
    DonationRouteFactory(appeal=appeal, url="https://donate.example.org/closed-test-appeal")
    return appeal
