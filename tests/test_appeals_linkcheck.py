"""check_donation_links against a local HTTPS server with a certificate made at test time.

Never the internet: every URL points at 127.0.0.1 / localhost.
"""

import datetime
import http.server
import socket
import ssl
import threading
import time
from io import StringIO

import pytest
import trustme
from django.core.management import call_command
from django.test import override_settings

from appeals import linkcheck
from appeals.models import DonationRoute
from tests.factories import AppealFactory, DonationRouteFactory

pytestmark = pytest.mark.django_db

SLOW_SECONDS = 3
TIMEOUT = 0.5


class Handler(http.server.BaseHTTPRequestHandler):
    seen = []  # (method, path, user agent) of every request

    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def route(self):
        Handler.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        if self.path == "/ok":
            self.answer(200, b"give here")
        elif self.path == "/missing":
            self.answer(404)
        elif self.path == "/no-head":
            self.answer(405 if self.command == "HEAD" else 200, b"get only")
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.answer(200)
        else:
            self.answer(500)


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def server(ca):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _reset_seen():
    Handler.seen.clear()


class TestCheck:
    def test_200(self, server, ca_file):
        result = linkcheck.check(f"{server}/ok", timeout=TIMEOUT, ca_file=ca_file)
        assert (result.status, result.error, result.ok) == (200, "", True)
        assert [m for m, _, _ in Handler.seen] == ["HEAD"]

    def test_browser_like_user_agent(self, server, ca_file):
        linkcheck.check(f"{server}/ok", timeout=TIMEOUT, ca_file=ca_file)
        assert Handler.seen[0][2].startswith("Mozilla/5.0")

    def test_404(self, server, ca_file):
        result = linkcheck.check(f"{server}/missing", timeout=TIMEOUT, ca_file=ca_file)
        assert (result.status, result.ok) == (404, False)

    def test_head_not_allowed_falls_back_to_get(self, server, ca_file):
        result = linkcheck.check(f"{server}/no-head", timeout=TIMEOUT, ca_file=ca_file)
        assert (result.status, result.ok) == (200, True)
        assert [(m, p) for m, p, _ in Handler.seen] == [("HEAD", "/no-head"), ("GET", "/no-head")]

    def test_redirect_is_followed(self, server, ca_file):
        result = linkcheck.check(f"{server}/moved", timeout=TIMEOUT, ca_file=ca_file)
        assert (result.status, result.ok) == (200, True)

    def test_timeout(self, server, ca_file):
        started = time.monotonic()
        result = linkcheck.check(f"{server}/slow", timeout=TIMEOUT, ca_file=ca_file)
        assert time.monotonic() - started < SLOW_SECONDS
        assert result.status is None and not result.ok
        assert "no answer within 0.5 seconds" in result.error

    def test_connection_refused(self, closed_port, ca_file):
        result = linkcheck.check(f"https://127.0.0.1:{closed_port}/", timeout=TIMEOUT, ca_file=ca_file)
        assert (result.status, result.error, result.ok) == (None, "connection refused", False)

    def test_untrusted_certificate_is_broken(self, server):
        result = linkcheck.check(f"{server}/ok", timeout=TIMEOUT)  # the system CAs do not know ours
        assert not result.ok and "certificate" in result.error.lower()

    def test_refuses_non_https(self):
        assert linkcheck.check("http://127.0.0.1/").error == "not an https address"


class TestCommand:
    def test_records_results_on_open_routes_only(self, server, ca_file, closed_port, today):
        appeal = AppealFactory(launched_on=datetime.date(2022, 3, 1))
        ok = DonationRouteFactory(appeal=appeal, url=f"{server}/ok")
        missing = DonationRouteFactory(appeal=appeal, url=f"{server}/missing")
        no_head = DonationRouteFactory(appeal=appeal, url=f"{server}/no-head")
        slow = DonationRouteFactory(appeal=appeal, url=f"{server}/slow")
        refused = DonationRouteFactory(appeal=appeal, url=f"https://127.0.0.1:{closed_port}/")
        closed = DonationRouteFactory(appeal=AppealFactory(closed_early=True), url=f"{server}/ok")
        draft = DonationRouteFactory(appeal=AppealFactory(is_published=False), url=f"{server}/ok")
        out = StringIO()
        call_command("check_donation_links", "--timeout", str(TIMEOUT), "--ca-file", ca_file, stdout=out)
        routes = {r.pk: r for r in DonationRoute.objects.all()}
        assert (routes[ok.pk].is_broken, routes[ok.pk].check_status) == (False, 200)
        assert (routes[missing.pk].is_broken, routes[missing.pk].check_status) == (True, 404)
        assert (routes[no_head.pk].is_broken, routes[no_head.pk].check_status) == (False, 200)
        assert routes[slow.pk].is_broken and "no answer" in routes[slow.pk].check_error
        assert routes[refused.pk].is_broken and routes[refused.pk].check_error == "connection refused"
        for route in (ok, missing, no_head, slow, refused):
            assert routes[route.pk].checked_at is not None
        for route in (closed, draft):
            assert routes[route.pk].checked_at is None
        assert "Checked 5 donation link(s): 3 broken." in out.getvalue()

    def test_ca_file_and_timeout_from_settings(self, server, ca_file, today):
        route = DonationRouteFactory(appeal=AppealFactory(), url=f"{server}/ok")
        with override_settings(DONATION_LINK_CHECK_CA_FILE=ca_file, DONATION_LINK_CHECK_TIMEOUT=TIMEOUT):
            call_command("check_donation_links", stdout=StringIO())
        route.refresh_from_db()
        assert (route.is_broken, route.check_status) == (False, 200)

    def test_a_fixed_route_is_no_longer_broken(self, server, ca_file, today):
        route = DonationRouteFactory(appeal=AppealFactory(), url=f"{server}/missing")
        call_command(
            "check_donation_links", "--timeout", str(TIMEOUT), "--ca-file", ca_file, stdout=StringIO()
        )
        route.refresh_from_db()
        assert route.is_broken
        DonationRoute.objects.filter(pk=route.pk).update(url=f"{server}/ok")
        call_command(
            "check_donation_links", "--timeout", str(TIMEOUT), "--ca-file", ca_file, stdout=StringIO()
        )
        route.refresh_from_db()
        assert not route.is_broken and route.check_error == ""
