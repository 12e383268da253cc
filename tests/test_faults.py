"""Outages against real servers: a throwaway PostgreSQL and a throwaway Redis that this test
starts and stops (never the shared ones), and the site served by gunicorn in a subprocess.

With PostgreSQL stopped, pages answer 503 with a friendly page and /healthz says so; when it
returns, the site recovers by itself within seconds. With Redis stopped, the site keeps
serving and logs the cache errors. In CI (CI=true) missing server binaries fail the run.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
RECOVERY_SECONDS = 10
pytestmark = pytest.mark.faults


def need(path_or_name):
    found = Path(path_or_name) if os.path.sep in str(path_or_name) else shutil.which(path_or_name)
    if not found or not Path(found).exists():
        message = (
            f"{path_or_name} is needed for the outage tests (apt-get install postgresql-15 redis-server)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return str(found)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(cmd):
    """initdb refuses to run as root: run the server tools as the postgres user then."""
    if os.geteuid() == 0:
        return [need("runuser"), "-u", "postgres", "--", *cmd]
    return cmd


class ThrowawayPostgres:
    def __init__(self):
        self.initdb, self.pg_ctl = need(PG_BIN / "initdb"), need(PG_BIN / "pg_ctl")
        self.dir = Path(tempfile.mkdtemp(prefix="twinning-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(
            as_postgres([self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        subprocess.run(
            as_postgres(
                [self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self):
        subprocess.run(
            as_postgres([self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
            timeout=60,
        )

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self):
        self.binary = need("redis-server")
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _connects(self.port), 10)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _connects(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def fetch(url):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture(scope="module")
def servers():
    pg, redis = ThrowawayPostgres(), ThrowawayRedis()
    pg.start()
    redis.start()
    site_port = free_port()
    log = Path(pg.dir) / "site.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="twinning.settings_test",
        DEBUG="false",
        DATABASE_URL=pg.url,
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        CONN_MAX_AGE="60",
    )
    for command in (["migrate", "--noinput"], ["load_initial_content"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
    with open(log, "w") as log_file:
        site = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "twinning.wsgi:application",
                "--bind",
                f"127.0.0.1:{site_port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{site_port}"
        try:
            assert wait_for(lambda: _connects(site_port), 30), log.read_text()[-3000:]
            yield {"pg": pg, "redis": redis, "base": base, "log": log}
        finally:
            site.terminate()
            site.wait(timeout=20)
            redis.stop()
            pg.remove()


PAGES = ["/", "/cities/", "/cities/leeds/", "/links/", "/appeals/"]


def test_serves_normally_without_a_version_in_the_server_header(servers):
    for page in PAGES:
        status, headers, body = fetch(servers["base"] + page)
        assert status == 200, (page, body[:500])
        assert not any(c.isdigit() for c in headers.get("Server", "")), headers.get("Server")
        assert "Content-Security-Policy" in headers
    assert fetch(servers["base"] + "/healthz")[2] == "ok\n"


def test_keeps_serving_while_redis_is_down_and_logs_it(servers):
    servers["redis"].stop()
    try:
        for page in PAGES:
            status, _headers, body = fetch(servers["base"] + page)
            assert status == 200, (page, body[:500])
        status, _headers, body = fetch(servers["base"] + "/healthz")
        assert (status, body) == (200, "ok; cache unavailable\n")
        assert "cache unavailable" in servers["log"].read_text()
    finally:
        servers["redis"].start()
    assert wait_for(lambda: fetch(servers["base"] + "/healthz")[2] == "ok\n", RECOVERY_SECONDS)


def test_503_while_postgres_is_down_then_recovers_by_itself(servers):
    pg, base = servers["pg"], servers["base"]
    assert fetch(base + "/")[0] == 200  # a pooled connection exists, and is about to break
    pg.stop()
    try:
        # A page the cache already holds is still served: the page cache needs no database.
        status, headers, _body = fetch(base + "/")
        assert (status, headers["X-Page-Cache"]) == (200, "hit")
        for page in PAGES:
            # Pages the cache does not hold (a query string makes a new cache key) need the
            # database, and get the friendly 503.
            status, headers, body = fetch(base + page + "?during-the-outage")
            assert status == 503, (page, status, body[:500])
            assert "Sorry, the service is unavailable for a moment" in body
            assert "Traceback" not in body and "OperationalError" not in body
            assert headers["Retry-After"].isdigit()
            assert "Content-Security-Policy" in headers
        status, _headers, body = fetch(base + "/healthz")
        assert (status, body) == (503, "database unavailable\n")
    finally:
        pg.start()
    started = time.monotonic()
    assert wait_for(lambda: fetch(base + "/")[0] == 200, RECOVERY_SECONDS), "did not recover"
    print(f"recovered {time.monotonic() - started:.1f} s after PostgreSQL was back")
    for page in PAGES:
        assert fetch(base + page)[0] == 200, page
    assert fetch(base + "/healthz")[0] == 200
