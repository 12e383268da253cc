"""Hostile and malformed input across every public URL and form and the admin forms: more than
300 requests, none of which may answer 5xx, each of which gets a useful answer (a 4xx page
that says what happened, or the normal page, or the form again with its errors), and none of
which may change what is stored.

The URLs come from tests/site_urls.py: add a page or form there and it is attacked here too.
"""

import json
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.admin_forms import read_form
from tests.site_urls import ID_PREFIXES, LIST_FILTERS, PUBLIC_FORMS, PUBLIC_PAGES, SLUG_PREFIXES, resolve
from twinning.backup import snapshot_json

pytestmark = pytest.mark.django_db

HUGE = "A" * 100_000
PAYLOADS = [
    "\x00",
    "leeds\x00",
    HUGE,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "1; DROP TABLE partnerships_link; --",
    "../../../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "2023-02-30",
    "31/12/2023",
    "[]",
    "{'a': 1}",
    "Харків",
    "\u202e\u200b",
]
PAGE_NUMBERS = ["-1", "0", "last", "first", "1.5", "99999999999999999999", "\x00", "1e3", HUGE, "9999"]
BAD_SLUGS = [
    "atlantis",
    "..",
    "../../etc/passwd",
    "%00",
    "<script>",
    "' OR 1=1 --",
    "a" * 300,
    "-",
    "leeds%00",
    "javascript:alert(1)",
]
BAD_IDS = ["0", "-1", "abc", "1.5", "99999999999999999999", "9223372036854775808", "%00", "1e3"]
LANGUAGE_PREFIXES = ["/xx/", "/en-gb/", "/uk/", "/../", "/%00/", "/en/en/", "/EN/", "/zz-ZZ/"]
TRAVERSAL = [
    "/static/../../twinning/settings.py",
    "/static/%2e%2e/%2e%2e/twinning/settings.py",
    "/media/../twinning/settings.py",
    "/static/css/../../../../etc/passwd",
    "/..%2f..%2f..%2fetc/passwd",
    "//evil.example.org/",
    "/%5c%5cevil.example.org/",
    "/admin/../healthz",
]
USEFUL_STATUSES = {200, 301, 302, 400, 403, 404, 405, 410, 429}


class Attack:
    """Sends requests, remembers every one, and collects the answers that are not acceptable."""

    def __init__(self, client):
        self.client = client
        self.sent = 0
        self.problems = []

    def check(self, method, url, response, expect_form_errors=False):
        self.sent += 1
        status = response.status_code
        where = f"{method} {url[:120]!r}"
        if status >= 500 or status not in USEFUL_STATUSES:
            self.problems.append(f"{where}: {status}")
            return
        content_type = response.get("Content-Type", "")
        body = response.content.decode(errors="replace")
        useful = "<h1" in body or "errornote" in body or 'id="login-form"' in body
        if "text/html" in content_type and status != 302 and not useful:
            self.problems.append(f"{where}: {status} page without a heading")
        if "Traceback" in body:
            self.problems.append(f"{where}: a traceback")
        if status in {301, 302}:
            location = response["Location"]
            if location.startswith("//") or (
                location.startswith("http") and not location.startswith("https://donate.example.org/")
            ):
                self.problems.append(f"{where}: redirects off the site to {location[:80]}")
        if expect_form_errors and not (status == 200 and "errornote" in body):
            self.problems.append(f"{where}: expected the form again with its errors, got {status}")

    def get(self, url, params=None, **extra):
        response = self.client.get(url, params or {}, **extra)
        self.check("GET", url + (f"?{params}" if params else ""), response)
        return response

    def post(self, url, data, expect_form_errors=False, **extra):
        response = self.client.post(url, data, **extra)
        self.check("POST", url, response, expect_form_errors)
        return response


def stored():
    """Everything stored, except the Donate click counts (following the redirect is meant to count)."""
    rows = json.loads(snapshot_json())
    rows.pop("appeals.DonationClick")
    return rows


@pytest.fixture
def attack(client, site, today):
    client.raise_request_exception = False
    attack = Attack(client)
    before = stored()
    yield attack
    assert attack.problems == [], "\n".join(p[:300] for p in attack.problems[:40])
    assert stored() == before, "stored data changed"


@pytest.fixture
def admin_attack(client, site, today):
    admin = User.objects.create_superuser("root", password="correct horse battery staple")
    client.force_login(admin)
    client.raise_request_exception = False
    attack = Attack(client)
    before = stored()
    yield attack
    assert attack.problems == [], "\n".join(p[:300] for p in attack.problems[:40])
    assert stored() == before, "stored data changed"


TOTAL = {"sent": 0}


def test_list_filters_and_page_numbers(attack):
    for path, params in LIST_FILTERS.items():
        for name in params:
            for value in PAYLOADS + (PAGE_NUMBERS if name == "page" else []):
                attack.get(path, {name: value})
        attack.get(path, {"page": "2", **dict.fromkeys(params, HUGE)})
        attack.get(path + "?" + "&".join(f"{p}=1&{p}=2" for p in params))  # repeated parameters
    TOTAL["sent"] += attack.sent


def test_unknown_and_malformed_slugs_and_ids(attack):
    for prefix in SLUG_PREFIXES:
        for slug in BAD_SLUGS:
            attack.get(prefix + quote(slug, safe="%") + "/")
    for prefix in ID_PREFIXES:
        for value in BAD_IDS:
            attack.get(prefix + quote(value, safe="%") + "/")
    TOTAL["sent"] += attack.sent


def test_every_public_page_with_hostile_query_strings_and_methods(attack, site):
    for entry in PUBLIC_PAGES:
        url = resolve(entry, site)
        attack.get(url, {"q": "\x00", "next": "https://evil.example.org/", "x": HUGE})
        attack.get(url, {"page": "-1"})
        # Forms on public pages are GET forms; a POST is refused politely.
        attack.post(url, {"x": "<script>"})
        attack.get(url, HTTP_ACCEPT_LANGUAGE="\x00" * 100 + ",xx;q=2")
    TOTAL["sent"] += attack.sent


def test_language_prefixes_and_path_traversal(attack):
    for prefix in LANGUAGE_PREFIXES:
        for page in ["", "cities/", "links/leeds-kharkiv/", "appeals/"]:
            attack.get(prefix + page)
    for path in TRAVERSAL:
        attack.get(path)
    TOTAL["sent"] += attack.sent


def test_the_donate_redirect_goes_only_where_stored(attack, site):
    url = site.route.get_absolute_url()
    for params in [
        {"next": "https://evil.example.org/"},
        {"url": "javascript:alert(1)"},
        {"to": "data:text/html,<script>alert(1)</script>"},
        {"redirect": "//evil.example.org"},
        {"x": HUGE},
    ]:
        response = attack.get(url, params)
        assert response.status_code == 302
        assert response["Location"] == "https://donate.example.org/leeds"
    for method in ["post", "put", "delete", "patch"]:
        response = getattr(attack.client, method)(url)
        attack.check(method.upper(), url, response)
        assert response.status_code == 405
    attack.get(site.closed_route.get_absolute_url(), {"next": "https://evil.example.org/"})
    from appeals.models import DonationClick

    # Five GETs were followed; each counted once, the refused methods not at all.
    assert sum(DonationClick.objects.values_list("count", flat=True)) == 5
    TOTAL["sent"] += attack.sent
    for form, fields in PUBLIC_FORMS.items():  # public POST forms, as they are added
        for name in fields:
            for value in PAYLOADS:
                attack.post(form, {name: value})


def test_admin_login_with_hostile_credentials(attack):
    url = reverse("admin:login")
    for n, value in enumerate(PAYLOADS):
        attack.post(url, {"username": value, "password": value}, REMOTE_ADDR=f"198.51.100.{n + 1}")
        attack.post(url, {"username": "root", "password": value, "next": "//evil.example.org/"})
    attack.get(url, {"next": "https://evil.example.org/"})
    attack.get(url, {"next": "javascript:alert(1)"})
    TOTAL["sent"] += attack.sent


# The admin forms: for each, the fields to poison and a valid page to start from.
ADMIN_FORMS = [
    ("partnerships_city", "leeds", ["name", "slug", "latitude", "longitude", "population", "wikidata_id"]),
    ("partnerships_link", "leeds_kharkiv", ["slug", "kind", "summary", "city_b"]),
    ("partnerships_event", "oath", ["date", "title", "status", "sort_order"]),
    ("partnerships_statement", "lewis_said", ["quote", "date", "language", "speaker"]),
    ("partnerships_source", "bbc", ["title", "url", "published_on", "accessed_on"]),
    ("appeals_appeal", "appeal", ["charity_register_url", "target_amount", "launched_on", "charity_number"]),
    ("appeals_donationroute", "route", ["url", "label", "currency"]),
]
FORM_PAYLOADS = [
    "\x00",
    HUGE,
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "99999999999999999999999999",
    "-99999999999",
    "2023-02-30",
    "<script>alert(1)</script>\x00",
]


# In free text, "2023-02-30" or "<script>" is odd but valid (shown escaped); only what no text
# field accepts is sent there. Every payload is invalid for typed fields.
FREE_TEXT = {"name", "slug", "summary", "title", "quote", "label"}
TEXT_PAYLOADS = ["\x00", HUGE, "<script>alert(1)</script>\x00", "ok\x00" + "B" * 10]


@pytest.mark.parametrize(("model", "attr", "fields"), ADMIN_FORMS, ids=[m for m, _a, _f in ADMIN_FORMS])
def test_admin_change_and_add_forms(admin_attack, site, model, attr, fields):
    obj = getattr(site, attr)
    change = reverse(f"admin:{model}_change", args=[obj.pk])
    valid = read_form(admin_attack.client.get(change))
    for name in fields:
        for value in TEXT_PAYLOADS if name in FREE_TEXT else FORM_PAYLOADS:
            admin_attack.post(change, {**valid, name: value}, expect_form_errors=True)
    if model != "appeals_donationroute":
        add = reverse(f"admin:{model}_add")
        blank = read_form(admin_attack.client.get(add))
        for name in fields:
            for value in TEXT_PAYLOADS[:2] if name in FREE_TEXT else FORM_PAYLOADS[:4]:
                admin_attack.post(add, {**blank, name: value}, expect_form_errors=True)
    TOTAL["sent"] += admin_attack.sent


def test_at_least_300_hostile_requests_were_sent():
    # Runs after the tests above in file order; run alone it has nothing to count.
    if TOTAL["sent"]:
        print(f"{TOTAL['sent']} hostile requests sent")
        assert TOTAL["sent"] >= 300, TOTAL["sent"]
