"""A visitor: the appeals list → an open appeal → Donate, which lands on the donation platform's
page and is counted. A local HTTPS server (with a certificate made at test time) stands in
for the platform: the browser never leaves this machine."""

import http.server
import re
import ssl
import threading

import pytest
import trustme
from django.utils import timezone
from playwright.sync_api import expect

from appeals.models import DonationClick, DonationRoute


class Platform(http.server.BaseHTTPRequestHandler):
    """The donation platform's page: says where you are, remembers what was asked for."""

    requests = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        Platform.requests.append(self.path)
        body = (
            b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Donate</title></head>'
            b"<body><h1>Give to Leeds Together for Ukraine</h1></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def platform():
    """An HTTPS server on 127.0.0.1 with a certificate from a throwaway CA; yields its origin."""
    ca = trustme.CA()
    Platform.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Platform)
    httpd.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_visitor_donates_to_an_open_appeal_and_the_click_is_counted(site, new_context, platform):
    route = DonationRoute.objects.get(appeal__slug="leeds-together-for-ukraine")
    route.url = f"{platform}/fundraising/leeds-together-for-ukraine"
    route.save()
    # The browser does not know the throwaway CA; it is told to accept the stand-in's certificate.
    page = new_context(ignore_https_errors=True).new_page()

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appeals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appeals you can give to")
    page.locator("main").get_by_role("link", name="Leeds Together for Ukraine").click()
    expect(page).to_have_url(re.compile(r"/appeals/leeds-together-for-ukraine/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeds Together for Ukraine")
    expect(page.locator("main .tag--open")).to_be_visible()
    expect(page.get_by_text("This site takes no money.")).to_be_visible()
    expect(page.locator(".donate-route")).to_contain_text("Goes to 127.0.0.1")
    assert not DonationClick.objects.exists()

    donate = page.get_by_role("link", name=re.compile(r"^Donate"))
    expect(donate).to_have_count(1)
    expect(donate).to_have_attribute("rel", "nofollow")
    donate.click()

    expect(page).to_have_url(f"{platform}/fundraising/leeds-together-for-ukraine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Give to Leeds Together for Ukraine")
    # (the browser may also ask the platform for its /favicon.ico)
    assert [path for path in Platform.requests if path != "/favicon.ico"] == [
        "/fundraising/leeds-together-for-ukraine"
    ]
    click = DonationClick.objects.get()
    assert (click.route_id, click.day, click.count) == (route.pk, timezone.localdate(), 1)

    # Back on the appeal, a second visitor's click adds to the same day's count.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeds Together for Ukraine")
    page.get_by_role("link", name=re.compile(r"^Donate")).click()
    expect(page).to_have_url(re.compile(r"^https://127\.0\.0\.1:\d+/fundraising/"))
    assert DonationClick.objects.get().count == 2
