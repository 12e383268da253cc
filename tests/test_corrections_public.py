"""Corrections from the public: the form on every record's page, bots, floods, hostile input."""

import re
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from tests import factories as f
from tests.corrections_helpers import post_form_fields, raw_cache_items, suggest_link
from tests.html_checks import assert_sound_html
from twinning.corrections import ratelimit
from twinning.corrections.forms import issue_form_token
from twinning.corrections.models import Correction, CorrectionSettings

GOOD = {
    "what_is_wrong": "The page says the Friendship Oath was signed in Leeds.",
    "what_is_right": "It was signed in Prague on 6 December 2023.",
    "source_url": "https://news.leeds.gov.uk/news/leeds-kharkiv-friendship-oath",
    "name": "Olena",
    "email": "olena@example.org",
}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_wait(settings):
    """Most tests are not about the minimum fill time: let a form be sent at once."""
    settings.CORRECTIONS_MIN_FILL_SECONDS = 0


@pytest.fixture
def appeal(world):
    a = f.AppealFactory(title="Leeds Together for Ukraine", slug="leeds-together")
    a.cities.add(world.leeds)
    return a


def form_url(kind, ref):
    return reverse(f"corrections:new-{kind}", kwargs={"ref": ref})


def record_of(world, appeal, kind):
    return {
        "city": world.kharkiv,
        "link": world.leeds_kharkiv,
        "statement": world.lewis_said,
        "appeal": appeal,
    }[kind]


def send(client, url, **changes):
    """Fill in the form on ``url`` as a person would and send it; returns the response."""
    fields = post_form_fields(client.get(url)) | GOOD | changes
    return client.post(url, {k: v for k, v in fields.items() if v is not None})


def main(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def title(response):
    return " ".join(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).split())


KINDS = ["city", "link", "statement", "appeal"]


@pytest.mark.usefixtures("no_wait")
class TestSendingACorrection:
    @pytest.mark.parametrize("kind", KINDS)
    def test_from_the_record_page_in_one_go(self, world, appeal, kind):
        client = Client(enforce_csrf_checks=True)  # as a browser: the form's own CSRF token is sent
        record = record_of(world, appeal, kind)
        page = client.get(record.get_absolute_url())
        assert page.status_code == 200
        url = suggest_link(page)
        form_page = client.get(url)
        assert form_page.status_code == 200
        assert str(record) in main(form_page)
        fields = post_form_fields(form_page)
        assert set(fields) == {"csrfmiddlewaretoken", "what_is_wrong", "what_is_right", "source_url"} | {
            "name",
            "email",
            "website",
            "started",
        }
        response = client.post(url, fields | GOOD, follow=True)
        assert response.redirect_chain[0][1] == 302
        text = main(response)
        assert "Thank you: your correction has been sent" in text
        assert "What happens next" in text
        assert "deleted 90 days after you sent the correction" in text
        assert f'href="{record.get_absolute_url()}"' in text
        assert_sound_html(response)

        correction = Correction.objects.get()
        assert correction.kind == kind
        assert correction.record == record
        assert getattr(correction, f"{kind}_id") == record.pk
        assert correction.record_label == str(record)
        assert correction.status == Correction.Status.NEW
        assert (correction.what_is_wrong, correction.what_is_right) == (
            GOOD["what_is_wrong"],
            GOOD["what_is_right"],
        )
        assert (correction.source_url, correction.name, correction.email) == (
            GOOD["source_url"],
            "Olena",
            "olena@example.org",
        )
        assert correction.handled_by is None and correction.handled_at is None

    def test_only_what_is_wrong_and_right_are_needed(self, client, world):
        response = send(client, form_url("city", "leeds"), source_url="", name="", email="")
        assert response.status_code == 302
        c = Correction.objects.get()
        assert (c.source_url, c.name, c.email) == ("", "", "")

    def test_an_address_without_a_scheme_is_taken_as_https(self, client, world):
        send(client, form_url("city", "leeds"), source_url="www.leeds.gov.uk/twinning")
        assert Correction.objects.get().source_url == "https://www.leeds.gov.uk/twinning"

    def test_the_form_page(self, client, world):
        CorrectionSettings.objects.create(retention_days=30)
        response = client.get(form_url("link", "leeds-kharkiv"))
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
        html = main(response)
        assert title(response).startswith("Suggest a correction: Leeds–Kharkiv")
        assert "There is a problem" not in html
        for label in ["What is wrong?", "What is right?", "Where can we check this? (optional)"]:
            assert label in html
        assert "We use your name and email address only to reply to you about this correction" in html
        assert "we delete them 30 days after you send it" in html
        assert '<label for="id_email"' in html and '<label for="id_what_is_wrong"' in html
        assert 'maxlength="2000"' in html and 'maxlength="254"' in html
        # The honeypot: off-screen by a class (no inline style), hidden from screen readers, not tabbable.
        honeypot = re.search(r'<div\s+class="hp-field"\s+aria-hidden="true">(.*?)</div>\s*</div>', html, re.S)
        assert honeypot, "honeypot wrapper"
        assert 'tabindex="-1"' in honeypot.group(1) and 'autocomplete="off"' in honeypot.group(1)
        assert_sound_html(response)

    def test_nothing_is_loaded_from_elsewhere(self, client, world):
        html = client.get(form_url("city", "leeds")).content.decode()
        # Absolute addresses are allowed only on this site (the hreflang alternates).
        assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', html)

    @pytest.mark.parametrize(
        "url",
        [
            "/corrections/new/link/kharkiv-odesa/",  # a draft link
            "/corrections/new/city/atlantis/",
            "/corrections/new/appeal/no-such-appeal/",
            "/corrections/new/statement/999999/",
            "/corrections/new/statement/abc/",
            "/corrections/new/city/leeds%00/",
            "/corrections/new/person/james-lewis/",
            "/corrections/new/link/" + "a" * 5000 + "/",
        ],
    )
    def test_records_the_public_cannot_see_are_404(self, client_no_raise, world, url):
        assert client_no_raise.get(url).status_code == 404
        assert client_no_raise.post(url, GOOD).status_code == 404
        assert not Correction.objects.exists()

    def test_drafts_are_404_for_the_public_and_open_to_staff(self, client, staff_client, world):
        draft_appeal = f.AppealFactory(slug="draft-appeal", is_published=False)
        urls = [
            form_url("statement", world.draft_statement.pk),
            form_url("statement", world.statement_on_draft_link.pk),
            form_url("appeal", draft_appeal.slug),
            form_url("link", "kharkiv-odesa"),
        ]
        anonymous = Client()
        for url in urls:
            assert anonymous.get(url).status_code == 404
            assert staff_client.get(url).status_code == 200

    def test_sending_twice_by_reloading_is_not_possible(self, client, world):
        response = send(client, form_url("city", "leeds"))
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200  # the thank-you page, a GET
        assert Correction.objects.count() == 1

    def test_other_methods_are_refused(self, client, world):
        assert client.put(form_url("city", "leeds")).status_code == 405
        assert client.post(reverse("corrections:sent-city", kwargs={"ref": "leeds"})).status_code == 405


class TestBots:
    def test_a_filled_honeypot_looks_like_success_and_saves_nothing(self, client, world, no_wait):
        response = send(client, form_url("city", "leeds"), website="https://cheap-pills.example")
        assert response.status_code == 302
        assert response["Location"] == reverse("corrections:sent-city", kwargs={"ref": "leeds"})
        assert not Correction.objects.exists()
        assert not [key for key, _ in raw_cache_items() if "corrections:" in key]  # not even counted

    def test_too_fast_is_turned_away_politely(self, client, world, settings):
        settings.CORRECTIONS_MIN_FILL_SECONDS = 3
        url = form_url("city", "leeds")
        response = send(client, url)  # sent within a fraction of a second of being shown
        assert response.status_code == 400
        text = main(response)
        assert "That was quicker than we expect a person to be" in text
        assert "There is a problem" in text
        assert GOOD["what_is_right"] in text  # what they wrote is kept
        assert not Correction.objects.exists()

    def test_a_person_who_took_their_time_gets_through(self, client, world, settings):
        settings.CORRECTIONS_MIN_FILL_SECONDS = 3
        shown_ten_seconds_ago = issue_form_token(now=time.time() - 10)
        response = send(client, form_url("city", "leeds"), started=shown_ten_seconds_ago)
        assert response.status_code == 302
        assert Correction.objects.count() == 1

    @pytest.mark.parametrize(
        "started",
        [
            "",
            None,  # left out altogether
            "1700000000",  # a bare time stamp, unsigned
            "garbage:\x00:" + "x" * 150,
            "x" * 10_000,
            "WyJmb28iXQ:1xV7rD:forged-signature-forged-signature-forged",
        ],
        ids=["empty", "missing", "unsigned", "nul", "huge", "forged"],
    )
    def test_a_missing_or_forged_time_stamp_is_refused_with_a_fresh_one(
        self, client, world, no_wait, started
    ):
        response = send(client, form_url("city", "leeds"), started=started)
        assert response.status_code == 400
        assert "This form was open too long or could not be checked" in main(response)
        assert not Correction.objects.exists()
        fresh = post_form_fields(response)["started"]
        assert fresh and fresh != started
        # Sending the form again, as shown, works.
        assert client.post(form_url("city", "leeds"), post_form_fields(response)).status_code == 302

    def test_a_form_left_open_over_a_day_has_expired(self, client, world, no_wait):
        yesterday = issue_form_token(now=time.time() - 25 * 3600)
        response = send(client, form_url("city", "leeds"), started=yesterday)
        assert response.status_code == 400
        assert "This form was open too long" in main(response)

    def test_a_time_stamp_from_another_signed_value_is_refused(self, client, world, no_wait):
        from django.core import signing

        other = signing.dumps(time.time() - 60, salt="something.else")
        response = send(client, form_url("city", "leeds"), started=other)
        assert response.status_code == 400


@pytest.mark.usefixtures("no_wait")
class TestFlood:
    IP = "203.0.113.77"

    def test_the_next_submission_in_the_hour_is_refused_with_a_clear_message(self, client, world, settings):
        settings.CORRECTIONS_RATE_LIMIT = 3
        url = form_url("link", "leeds-kharkiv")
        for i in range(3):
            response = send(client, url, what_is_wrong=f"Mistake {i}", REMOTE_ADDR=None)
            assert response.status_code == 302
        response = send(client, url, what_is_wrong="One too many")
        assert response.status_code == 429
        text = main(response)
        assert "There is a problem" in text
        assert "We take 3 corrections an hour from one connection" in text
        assert "please send it again in an hour" in text
        assert "One too many" in text  # nothing they wrote is lost
        assert title(response).startswith("Error:")
        assert Correction.objects.count() == 3

    def test_the_limit_is_per_client(self, world, settings):
        settings.CORRECTIONS_RATE_LIMIT = 1
        url = form_url("city", "leeds")
        first, second = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
        assert send(first, url).status_code == 302
        assert send(first, url).status_code == 429
        assert send(second, url).status_code == 302
        assert Correction.objects.count() == 2

    def test_behind_a_proxy_the_header_it_sets_identifies_the_client(self, world, settings):
        settings.CORRECTIONS_RATE_LIMIT = 1
        settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
        url = form_url("city", "leeds")
        # Both come through the proxy at 127.0.0.1; a client cannot pick its own identity by
        # prepending addresses, because the proxy appends the one it saw.
        alice = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.10")
        bob = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.20")
        alice_spoofing = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.10")
        assert send(alice, url).status_code == 302
        assert send(bob, url).status_code == 302
        assert send(alice_spoofing, url).status_code == 429

    def test_a_new_hour_starts_a_new_count(self, rf, settings):
        settings.CORRECTIONS_RATE_LIMIT = 2
        request = rf.post("/", REMOTE_ADDR=self.IP)
        hour = 3600 * 500_000
        ratelimit.count_submission(request, now=hour + 10)
        ratelimit.count_submission(request, now=hour + 20)
        assert ratelimit.limit_reached(request, now=hour + 3599)
        assert not ratelimit.limit_reached(request, now=hour + 3600)
        assert not ratelimit.limit_reached(rf.post("/", REMOTE_ADDR="192.0.2.1"), now=hour + 30)

    def test_no_ip_address_is_stored_anywhere(self, world, settings):
        settings.CORRECTIONS_RATE_LIMIT = 2
        client = Client(REMOTE_ADDR=self.IP)
        url = form_url("link", "leeds-kharkiv")
        assert send(client, url).status_code == 302
        assert send(client, url).status_code == 302
        assert send(client, url).status_code == 429
        assert send(client, url, website="bot").status_code == 302

        # Not in any column of any row of any table.
        for model in apps.get_models():
            for row in model.objects.values_list():
                for value in row:
                    assert self.IP not in str(value), (model.__name__, row)
        # Not in the cache, where the only trace is a counter under an HMAC.
        items = raw_cache_items()
        assert items, "the limit is counted in the cache"
        for key, stored in items:
            assert self.IP not in key
            assert self.IP.encode() not in stored
            # Besides the page cache's rendered public pages, only the counter is stored.
            assert re.search(r"corrections:rate:[0-9a-f]{64}$", key) or ":page-cache:" in key
        # The same address gets an unrelated key each hour: no lasting identifier.
        request = RequestFactory().post("/", REMOTE_ADDR=self.IP)
        assert ratelimit._key(request, 10)[0] != ratelimit._key(request, 3610)[0]


HUGE = "x" * 100_000


@pytest.mark.usefixtures("no_wait")
class TestHostileInput:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            (
                {"what_is_wrong": "w" * 2001},
                "what_is_wrong",
                "Say what is wrong in 2000 characters or fewer.",
            ),
            ({"what_is_right": HUGE}, "what_is_right", "Say what is right in 2000 characters or fewer."),
            ({"what_is_wrong": "   "}, "what_is_wrong", "Say what is wrong on the page."),
            ({"what_is_right": ""}, "what_is_right", "Say what is right."),
            ({"name": "n" * 101}, "name", "Enter a name of 100 characters or fewer."),
            (
                {"email": "e" * 250 + "@example.org"},
                "email",
                "Enter an email address of 254 characters or fewer.",
            ),
            ({"email": "not an email"}, "email", "Enter an email address like name@example.org"),
            ({"email": "12345"}, "email", "Enter an email address like name@example.org"),
            ({"source_url": "https://example.org/" + "p" * 500}, "source_url", "500 characters or fewer"),
            (
                {"source_url": "javascript:alert(document.cookie)"},
                "source_url",
                "starts with http:// or https://",
            ),
            ({"source_url": "JaVaScRiPt:alert(1)"}, "source_url", "starts with http:// or https://"),
            (
                {"source_url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
                "source_url",
                "http://",
            ),
            ({"source_url": "ftp://example.org/file"}, "source_url", "starts with http:// or https://"),
            ({"source_url": "12345"}, "source_url", "starts with http:// or https://"),
            ({"source_url": "http://"}, "source_url", "starts with http:// or https://"),
            ({"what_is_wrong": "Leeds\x00"}, "what_is_wrong", "Null characters are not allowed."),
            ({"what_is_right": "\x00"}, "what_is_right", "Null characters are not allowed."),
            ({"name": "Ol\x00ena"}, "name", "Null characters are not allowed."),
            ({"email": "olena@example.org\x00"}, "email", "Null characters are not allowed."),
            ({"source_url": "https://example.org/\x00"}, "source_url", "Null characters are not allowed."),
        ],
        ids=repr,
    )
    def test_errors_in_the_summary_and_beside_the_field_nothing_saved(
        self, client, world, changes, field, message
    ):
        response = send(client, form_url("city", "kharkiv"), **changes)
        assert response.status_code == 400
        html = main(response)
        summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)
        assert 'role="alert"' in summary and 'tabindex="-1"' in summary
        assert "There is a problem" in summary
        linked = re.findall(rf'<a href="#id_{field}">([^<]*)</a>', summary)
        assert any(message in text for text in linked), summary
        beside = re.findall(rf'<p id="id_{field}_\d_error" class="govuk-error-message">(.*?)</p>', html, re.S)
        assert any(message in " ".join(text.split()) for text in beside)
        control = re.search(rf'<(input|textarea)[^>]*id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in control and f"id_{field}_1_error" in control
        assert title(response).startswith("Error: Suggest a correction")
        assert "\x00" not in response.content.decode()
        assert len(response.content) < 60_000  # nothing huge echoed back
        assert_sound_html(response)
        assert not Correction.objects.exists()

    def test_markup_is_kept_as_text_and_never_rendered(self, client, admin_client, world):
        script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        response = send(client, form_url("city", "kharkiv"), what_is_wrong=script, email="bad")
        assert response.status_code == 400
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        # Saved as typed; shown as text in the admin.
        assert send(client, form_url("city", "kharkiv"), what_is_wrong=script, name=script).status_code == 302
        correction = Correction.objects.get()
        assert correction.what_is_wrong == script
        for url in [
            reverse("admin:corrections_correction_changelist"),
            reverse("admin:corrections_correction_change", args=[correction.pk]),
        ]:
            admin_html = admin_client.get(url).content.decode()
            assert "<script>alert" not in admin_html and "<img src=x" not in admin_html
            assert "&lt;script&gt;" in admin_html

    def test_repeated_and_unknown_fields(self, client, world):
        url = form_url("city", "leeds")
        fields = post_form_fields(client.get(url)) | GOOD
        data = {**fields, "what_is_wrong": ["first", "second"], "status": "accepted", "handled_by": "1"}
        data |= {"city": "999", "kind": "appeal", "created_at": "1999-01-01"}
        assert client.post(url, data).status_code == 302
        c = Correction.objects.get()
        assert c.what_is_wrong == "second"  # the last value, as Django reads a repeated field
        assert (c.status, c.kind, c.city_id, c.handled_by) == ("new", "city", world.leeds.pk, None)
        assert c.created_at.year > 2000

    def test_a_post_without_csrf_token_is_refused_with_the_sites_page(self, world):
        browser = Client(enforce_csrf_checks=True)
        url = form_url("city", "leeds")
        fields = post_form_fields(browser.get(url)) | GOOD
        del fields["csrfmiddlewaretoken"]
        response = browser.post(url, fields)
        assert response.status_code == 403
        assert "Your form could not be sent" in main(response)
        assert "site-header" in response.content.decode()  # the site's own layout, not Django's page
        assert_sound_html(response)
        assert not Correction.objects.exists()


@pytest.mark.usefixtures("no_wait")
class TestQueryCounts:
    @pytest.mark.parametrize("kind", KINDS)
    @pytest.mark.parametrize("many", [False, True])
    def test_form_pages_make_a_fixed_number_of_queries(
        self, client, world, appeal, kind, many, django_assert_max_num_queries
    ):
        record = record_of(world, appeal, kind)
        url = reverse(
            f"corrections:new-{kind}", kwargs={"ref": record.pk if kind == "statement" else record.slug}
        )
        if many:
            Correction.objects.bulk_create(
                Correction(
                    kind="city",
                    city=world.leeds,
                    record_label="Leeds",
                    what_is_wrong=f"{i}",
                    what_is_right="b",
                )
                for i in range(300)
            )
        CorrectionSettings.load()
        with django_assert_max_num_queries(2):
            assert client.get(url).status_code == 200
        fields = post_form_fields(client.get(url)) | GOOD
        with django_assert_max_num_queries(3):  # the record, the settings, the insert
            assert client.post(url, fields).status_code == 302
        with django_assert_max_num_queries(2):
            assert client.get(url + "sent/").status_code == 200
        with django_assert_max_num_queries(2):
            assert client.post(url, fields | {"email": "bad"}).status_code == 400
