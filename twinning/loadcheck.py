"""`make load`: the production configuration under load, and Donate clicks counted exactly.

Starts `make serve` (DEBUG off, a generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, a free port
on 127.0.0.1) on a fresh SQLite database with the initial content, or on LOAD_DATABASE_URL.
Then holds LOAD_CONNECTIONS (64) concurrent connections for LOAD_SECONDS (60) with wrk over a
mix of public pages and requires zero errors (no socket errors, no response outside 2xx/3xx);
then fires LOAD_CLICKS (500) Donate clicks, LOAD_CLICK_CONCURRENCY (50) at a time, and requires
the route's click count to have grown by exactly that many. Only loopback addresses are used.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "64"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
CLICKS = int(os.environ.get("LOAD_CLICKS", "500"))
CLICK_CONCURRENCY = int(os.environ.get("LOAD_CLICK_CONCURRENCY", "50"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_up(port, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(port, "/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("make serve did not come up")


def main():
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="twinning-load-"))
    port = free_port()
    database = os.environ.get("LOAD_DATABASE_URL") or f"sqlite:///{workdir / 'load.sqlite3'}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database,
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")})
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [python, "manage.py", "load_initial_content"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    os.environ["DJANGO_SETTINGS_MODULE"] = "twinning.settings"
    import django

    django.setup()
    from appeals.models import Appeal, DonationClick, DonationRoute
    from partnerships.models import City, Link

    city = City.objects.filter(slug="leeds").first() or City.objects.first()
    link = Link.objects.published().first()
    appeal = Appeal.objects.published().open_now().first()
    route = DonationRoute.objects.filter(appeal=appeal).first()
    paths = ["/", "/cities/", f"/cities/{city.slug}/", "/links/", f"/links/{link.slug}/", "/statements/"]
    paths += ["/people/", "/appeals/", f"/appeals/{appeal.slug}/", "/links/?status=active", "/cities/?page=1"]

    log = open(workdir / "serve.log", "w")  # noqa: SIM115 - kept open for the server's lifetime
    server = subprocess.Popen(
        ["make", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    failures = []
    try:
        wait_until_up(port)
        for path in paths:
            if get(port, path) != 200:
                failures.append(f"{path} did not answer 200 before the run")
        script = workdir / "mix.lua"
        quoted = ", ".join(f'"{p}"' for p in paths)
        script.write_text(
            f"local paths = {{{quoted}}}\nlocal i = 0\n"
            "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        )
        result = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{SECONDS}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        print(result.stdout)
        if result.returncode != 0:
            failures.append(f"wrk failed: {result.stderr}")
        if "Non-2xx or 3xx responses" in result.stdout:
            failures.append("some responses were not 2xx/3xx")
        socket_errors = re.search(r"Socket errors: (.*)", result.stdout)
        if socket_errors:
            failures.append(f"socket errors: {socket_errors.group(1)}")
        total = re.search(r"(\d+) requests in", result.stdout)

        def clicks():
            return sum(DonationClick.objects.filter(route=route).values_list("count", flat=True))

        before = clicks()
        started = time.monotonic()
        with ThreadPoolExecutor(CLICK_CONCURRENCY) as pool:
            statuses = list(pool.map(lambda _n: get(port, f"/appeals/donate/{route.pk}/"), range(CLICKS)))
        burst = time.monotonic() - started
        counted = clicks() - before
        redirected = statuses.count(302)
        if redirected != CLICKS:
            failures.append(f"{CLICKS - redirected} Donate clicks were not redirected")
        if counted != CLICKS:
            failures.append(f"{CLICKS} Donate clicks sent, {counted} counted")
        print("Summary")
        print(
            f"  database: {django.db.connection.vendor}; workers: {os.environ.get('WEB_CONCURRENCY', 'default (2 x cores + 1)')}"
        )
        print(
            f"  {CONNECTIONS} connections for {SECONDS} s over {len(paths)} pages: "
            f"{total.group(1) if total else '?'} requests, errors: {'none' if not failures else 'see below'}"
        )
        print(
            f"  Donate burst: {CLICKS} clicks, {CLICK_CONCURRENCY} at a time, in {burst:.1f} s: "
            f"{redirected} redirected, {counted} counted"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        print(f"server log: {workdir / 'serve.log'}")
        raise SystemExit(1)
    shutil.rmtree(workdir, ignore_errors=True)
    print("make load passed")


if __name__ == "__main__":
    main()
