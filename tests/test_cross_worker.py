"""Two gunicorn servers sharing one Redis and one database, as in production.

Both cache a page; a record changes (through the ORM in another process, or by staff in the
admin on one server); both serve the change at their next request. The servers run the
production settings (DEBUG off, whitenoise, Redis cache) against a database made for this
module: a temporary SQLite file, or a throwaway PostgreSQL database when the suite runs on
PostgreSQL. Redis keys live under a unique prefix in the test Redis database and are deleted
afterwards (REDIS_TEST_URL, default redis://127.0.0.1:6379/15).
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

from twinning import demo_data

ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
STAFF_PASSWORD = secrets.token_urlsafe(16)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A database of its own for the servers, on the same engine as the test run."""

    def __init__(self, tmp_path):
        self.db = settings.DATABASES["default"]
        self.postgres = self.db["ENGINE"].endswith("postgresql")
        if self.postgres:
            self.name = f"twinning_xworker_{secrets.token_hex(4)}"
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            user = urllib.parse.quote(self.db["USER"] or "")
            password = ":" + urllib.parse.quote(self.db["PASSWORD"]) if self.db["PASSWORD"] else ""
            auth = f"{user}{password}@" if user else ""
            self.url = (
                f"postgres://{auth}{self.db['HOST'] or '127.0.0.1'}:{self.db['PORT'] or 5432}/{self.name}"
            )
        else:
            self.url = f"sqlite:///{tmp_path / 'xworker.sqlite3'}"

    def _admin(self):
        return psycopg.connect(
            host=self.db["HOST"] or "127.0.0.1",
            port=self.db["PORT"] or 5432,
            user=self.db["USER"] or None,
            password=self.db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def drop(self):
        if self.postgres:
            with self._admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Site:
    def __init__(self, tmp_path):
        self.database = Database(tmp_path)
        self.prefix = f"xworker-{secrets.token_hex(6)}"
        self.redis = redis.Redis.from_url(REDIS_TEST_URL)
        try:
            self.redis.ping()
        except redis.ConnectionError as error:
            raise RuntimeError(f"The cross-worker test needs Redis at {REDIS_TEST_URL}: {error}") from error
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "DJANGO_SETTINGS_MODULE": "twinning.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": self.database.url,
            "REDIS_URL": REDIS_TEST_URL,
            "CACHE_KEY_PREFIX": self.prefix,
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(tmp_path / "static"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD,
        }
        self.servers = []

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def orm(self, code):
        """Run ORM code in a separate process on the servers' database and cache."""
        return self.manage("shell", "--verbosity", "0", "-c", code).strip()

    def prepare(self):
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("generate_demo_data", "--small", "--seed", "4")
        self.manage("createsuperuser", "--noinput", "--username", "staff", "--email", "staff@example.org")

    def start(self, count=2):
        for _ in range(count):
            port = _free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "twinning.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "1",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            self.servers.append(Server(port, process))
        for server in self.servers:
            server.wait_until_up()

    def stop(self):
        for server in self.servers:
            server.process.send_signal(signal.SIGTERM)
        for server in self.servers:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
            server.process.stderr.close()
        self.database.drop()
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*"))
        if keys:
            self.redis.delete(*keys)
        self.redis.close()


class Response:
    def __init__(self, raw):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()
        self.text = self.body.decode("utf-8", "replace")


class Server:
    def __init__(self, port, process):
        self.port = port
        self.process = process
        self.cookies = {}

    def request(self, method, path, headers=None, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        # Both workers sit behind one proxy in production, which sends them the same Host; pages
        # carry absolute URLs (canonical, hreflang), so the test must too.
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = Response(conn.getresponse())
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def wait_until_up(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()}")
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn on port {self.port} did not answer within 60 seconds")

    def sign_in(self):
        page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            form={"username": "staff", "password": STAFF_PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status == 302, response.text[:500]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("xworker"))
    try:
        site.prepare()
        site.start(2)
        yield site
    finally:
        site.stop()


def cache_on_both(site, path):
    """Request the page on each server until both serve it from the cache."""
    for server in site.servers:
        first = server.get(path)
        assert first.status == 200, (path, first.status)
        again = server.get(path)
        assert again.headers["X-Page-Cache"] == "hit", path
    return first


def test_a_change_through_the_orm_is_seen_by_both_workers_at_their_next_request(site):
    path = f"/cities/{demo_data.HUB_CITY_SLUG}/"
    before = cache_on_both(site, path)
    assert "Centralia" in before.text
    # The pages are in the shared Redis, under this test's prefix only.
    assert any(site.redis.scan_iter(match=f"{site.prefix}:*page-cache:page:*"))

    site.orm(
        "from partnerships.models import City\n"
        f"city = City.objects.get(slug={demo_data.HUB_CITY_SLUG!r})\n"
        "city.name = 'Centralia-upon-Sea'\n"
        "city.save()\n"
    )
    # The first request after the change renders afresh; the other worker may then be served
    # that new page from the shared cache. Neither may serve the old one.
    responses = [server.get(path) for server in site.servers]
    assert responses[0].headers["X-Page-Cache"] == "miss"
    for response in responses:
        assert response.status == 200
        assert "Centralia-upon-Sea" in response.text


def test_staff_unpublishing_on_one_worker_is_seen_by_the_other(site):
    path = f"/links/{demo_data.SHOWCASE_LINK_SLUG}/"
    cache_on_both(site, path)
    cache_on_both(site, "/links/")
    link_id = site.orm(
        f"from partnerships.models import Link; print(Link.objects.get(slug={demo_data.SHOWCASE_LINK_SLUG!r}).pk)"
    )
    public_a, public_b = site.servers
    staff_on_a = Server(public_a.port, public_a.process)  # a browser of its own, with cookies
    staff_on_a.sign_in()
    changelist = staff_on_a.get("/admin/partnerships/link/")
    assert changelist.status == 200 and "X-Page-Cache" not in changelist.headers
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist.text).group(1)
    done = staff_on_a.request(
        "POST",
        "/admin/partnerships/link/",
        form={
            "action": "unpublish",
            "_selected_action": [link_id],
            "index": "0",
            "csrfmiddlewaretoken": token,
        },
    )
    assert done.status == 302, done.text[:500]

    assert public_b.get(path).status == 404
    assert demo_data.SHOWCASE_LINK_SLUG not in public_b.get("/links/").text
    # Staff on A still see the draft, privately; the public on A does not.
    staff_view = staff_on_a.get(path)
    assert staff_view.status == 200 and "private" in staff_view.headers["Cache-Control"]
    assert public_a.get(path).status == 404


def test_both_workers_agree_on_etags_and_answer_304(site):
    a, b = site.servers
    first = a.get("/people/")
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "max-age=60" in first.headers["Cache-Control"]
    assert b.get("/people/").headers["ETag"] == etag
    not_modified = b.get("/people/", **{"If-None-Match": etag})
    assert not_modified.status == 304 and not_modified.body == b""


def test_the_donate_redirect_is_never_cached_and_counts_every_click(site):
    route_id = site.orm(
        "from appeals.models import DonationRoute\n"
        f"print(DonationRoute.objects.filter(appeal__slug={demo_data.SHOWCASE_APPEAL_SLUG!r}).first().pk)"
    )
    count = (
        "from django.db.models import Sum\n"
        "from appeals.models import DonationClick\n"
        f"print(DonationClick.objects.filter(route_id={route_id}).aggregate(n=Sum('count'))['n'] or 0)"
    )
    before = int(site.orm(count))
    for server in (*site.servers, *site.servers):
        response = server.get(f"/appeals/donate/{route_id}/")
        assert response.status == 302
        assert response.headers["Location"].startswith("https://donate.example.org/")
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["X-Page-Cache"] == "skip"
    assert int(site.orm(count)) == before + 4


@pytest.mark.parametrize(("encoding", "expected"), [("br", "br"), ("gzip", "gzip")])
def test_static_files_are_compressed_and_cached_for_a_year(site, encoding, expected):
    home = site.servers[0].get("/")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', home.text).group(1)
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    response = site.servers[1].get(stylesheet, **{"Accept-Encoding": encoding})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == expected
    control = response.headers["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", control).group(1))
    assert max_age >= 365 * 24 * 3600 and "immutable" in control and "public" in control
