"""Headers on every response, a strict Content-Security-Policy that the pages actually keep
(no inline scripts or styles anywhere, the admin included), and a clean deploy check."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.site_urls import OTHER_RESPONSES, PUBLIC_PAGES, resolve

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class Inline(HTMLParser):
    """Whatever a strict CSP would block: inline scripts, event handlers, style attributes
    and <style> blocks. JSON-LD data blocks are data, not script, and are allowed."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/ld+json":
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in <{tag} {name}>")


def inline_problems(response):
    parser = Inline()
    parser.feed(response.content.decode())
    return parser.problems


def all_public_urls(site):
    return [resolve(entry, site) for entry in PUBLIC_PAGES]


class TestHeaders:
    def test_every_public_response_carries_the_headers(self, client, site, today):
        for url in all_public_urls(site) + [resolve(e, site) for e in OTHER_RESPONSES] + ["/nowhere/"]:
            response = client.get(url)
            assert response.status_code < 500, url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["Referrer-Policy"] == "same-origin", url
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
            assert response["X-Frame-Options"] == "DENY", url
            assert "camera=()" in response["Permissions-Policy"], url
            assert "geolocation=()" in response["Permissions-Policy"], url
            assert "Content-Security-Policy" in response, url

    def test_policy_is_strict(self, client, db):
        directives = csp_directives(client.get("/"))
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]
        header = client.get("/")["Content-Security-Policy"]
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header
        assert "*" not in header

    def test_admin_pages_have_the_same_policy(self, admin_client, site):
        response = admin_client.get(reverse("admin:partnerships_link_change", args=[site.leeds_kharkiv.pk]))
        assert response.status_code == 200
        assert csp_directives(response)["script-src"] == ["'self'"]


class TestPagesKeepThePolicy:
    def test_public_pages_have_no_inline_script_or_style(self, client, site, today):
        for url in all_public_urls(site):
            response = client.get(url)
            assert response.status_code == 200, url
            assert inline_problems(response) == [], url

    def test_staff_preview_and_error_pages_have_none_either(self, staff_client, client, site, today):
        for url in [*all_public_urls(site), site.draft_link.get_absolute_url()]:
            assert inline_problems(staff_client.get(url)) == [], url
        assert inline_problems(client.get("/nowhere/")) == []
        assert inline_problems(client.get(site.closed_route.get_absolute_url())) == []

    def test_admin_pages_work_under_the_policy(self, admin_client, client, site):
        """Django's admin keeps its scripts in files, so the strict policy needs no exception.
        Every page a staff member uses is checked for anything the policy would block."""
        login = client.get(reverse("admin:login"))
        assert login.status_code == 200
        assert inline_problems(login) == []
        pages = [reverse("admin:index"), reverse("admin:password_change")]
        for model, obj in [
            ("partnerships_link", site.leeds_kharkiv),
            ("partnerships_city", site.leeds),
            ("partnerships_event", site.oath),
            ("partnerships_statement", site.lewis_said),
            ("partnerships_source", site.bbc),
            ("partnerships_person", site.lewis),
            ("appeals_appeal", site.appeal),
            ("appeals_donationroute", site.route),
        ]:
            pages += [
                reverse(f"admin:{model}_changelist"),
                *([] if model == "appeals_donationroute" else [reverse(f"admin:{model}_add")]),
                reverse(f"admin:{model}_change", args=[obj.pk]),
                reverse(f"admin:{model}_history", args=[obj.pk]),
            ]
        for url in pages:
            response = admin_client.get(url)
            assert response.status_code == 200, url
            assert inline_problems(response) == [], url
            # Every script the admin loads comes from this site's static files.
            for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', response.content.decode()):
                assert src.startswith("/"), (url, src)


def _production_env(**extra):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE belongs to the test process, not production.
    test_only = {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        DJANGO_SETTINGS_MODULE="twinning.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="twinning.example.org",
        CSRF_TRUSTED_ORIGINS="https://twinning.example.org",
        **extra,
    )
    return env


def test_deploy_check_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_hardened():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(SECURE_PROXY_SSL_HEADER="HTTP_X_SCHEME,https"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "31536000 True True True ('HTTP_X_SCHEME', 'https') ['https://twinning.example.org'] True"
    )
