import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def run_python(code, **env_overrides):
    """Run Python code in a fresh interpreter with a controlled environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "twinning.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


class Landmarks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def first(self, tag, **attrs):
        for t, a in self.tags:
            if t == tag and all(a.get(k) == v for k, v in attrs.items()):
                return a
        return None


def parse(response):
    parser = Landmarks()
    parser.feed(response.content.decode())
    return parser


class TestSecretKey:
    def test_refuses_to_start_without_secret_key_when_debug_off(self):
        result = run_python("import django; django.setup()", DEBUG="false")
        assert result.returncode != 0
        assert "SECRET_KEY is not set" in result.stderr
        assert "refuses to start" in result.stderr

    def test_starts_with_secret_key_when_debug_off(self):
        result = run_python(
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, len(settings.SECRET_KEY))",
            DEBUG="false",
            SECRET_KEY="x" * 50,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["False", "50"]

    def test_development_default_only_with_debug(self):
        result = run_python(
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.SECRET_KEY.startswith('django-insecure'))",
            DEBUG="true",
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", "True"]


class TestHealthz:
    @pytest.mark.django_db
    def test_ok_when_database_answers(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.content == b"ok\n"
        assert "no-cache" in response["Cache-Control"]

    def test_503_when_database_does_not_answer(self):
        # A real connection attempt to a port where nothing listens: no mocks.
        code = (
            "import django; django.setup()\n"
            "from django.test import Client\n"
            "r = Client().get('/healthz')\n"
            "print(r.status_code, r.content.decode().strip())\n"
        )
        result = run_python(
            code,
            DEBUG="false",
            SECRET_KEY="x" * 50,
            ALLOWED_HOSTS="testserver",
            DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
            SECURE_SSL_REDIRECT="false",
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "503 database unavailable"

    @pytest.mark.django_db
    def test_rejects_post(self, client):
        assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
class TestErrorPages:
    pytestmark = [pytest.mark.urls("tests.urls_errors"), pytest.mark.django_db]

    @pytest.mark.parametrize(
        ("url", "status", "heading"),
        [
            ("/__test__/400", 400, "Sorry, we could not understand that request"),
            ("/__test__/403", 403, "You do not have permission to see this page"),
            ("/no-such-page/", 404, "Page not found"),
            ("/__test__/500", 500, "Sorry, there is a problem with the service"),
        ],
    )
    def test_error_pages_use_the_site_layout(self, client_no_raise, url, status, heading):
        response = client_no_raise.get(url)
        assert response.status_code == status
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        page = parse(response)
        assert page.first("main", id="main-content") is not None
        assert page.first("a", **{"class": "skip-link"}) is not None
        assert 'href="/"' in html
        assert "Traceback" not in html


@pytest.mark.django_db
class TestBaseTemplate:
    def test_home_has_landmarks_and_skip_link(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 200
        page = parse(response)
        assert page.first("html")["lang"] == "en"
        skip = page.first("a", **{"class": "skip-link"})
        assert skip["href"] == "#main-content"
        assert page.first("main", id="main-content") is not None
        assert page.first("header") is not None
        assert page.first("footer") is not None
        nav = page.first("nav")
        assert nav is not None and nav.get("aria-label")
        assert page.first("meta", property="og:title") is not None
        assert page.first("meta", name="description") is not None

    def test_skip_link_comes_first_in_body(self, client):
        page = parse(client.get(reverse("home")))
        body_index = next(i for i, (t, _) in enumerate(page.tags) if t == "body")
        assert page.tags[body_index + 1] == ("a", {"class": "skip-link", "href": "#main-content"})

    def test_no_resource_from_another_origin(self, client):
        page = parse(client.get(reverse("home")))
        for tag, attrs in page.tags:
            for attr in ("src", "href"):
                value = attrs.get(attr) or ""
                if tag in {"link", "script", "img"} and value:
                    # The canonical address is absolute, on the site's own origin.
                    assert value.startswith(("/", "http://testserver/")), f"{tag} loads {value}"
        assert not any(tag == "script" for tag, _ in page.tags)
