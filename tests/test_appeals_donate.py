"""The Donate redirect: only ever to the route's stored address, counted, nothing stored about who."""

import datetime

import pytest
from django.db import connection

from appeals.models import DonationClick
from appeals.services import record_click
from partnerships import dates
from tests.concurrency import at_once
from tests.factories import AppealFactory, DonationRouteFactory

pytestmark = pytest.mark.django_db

STORED = "https://www.justgiving.com/campaign/leeds-together"


@pytest.fixture
def route(today):
    return DonationRouteFactory(url=STORED, appeal=AppealFactory(launched_on=datetime.date(2022, 3, 8)))


def clicks(route):
    return sum(DonationClick.objects.filter(route=route).values_list("count", flat=True))


class TestRedirect:
    def test_302_to_the_stored_url_and_counted(self, client, route, today):
        response = client.get(route.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == STORED
        row = DonationClick.objects.get(route=route)
        assert (row.day, row.count) == (today, 1)

    def test_url_is_the_sites_own(self, route):
        assert route.get_absolute_url() == f"/appeals/donate/{route.pk}/"

    @pytest.mark.parametrize(
        "query",
        [
            "?next=https://evil.example/",
            "?url=https://evil.example/",
            "?redirect=//evil.example/",
            "?to=javascript:alert(1)",
            "?url=data:text/html,x",
        ],
    )
    def test_nothing_in_the_request_changes_the_target(self, client, route, query):
        response = client.get(
            route.get_absolute_url() + query,
            HTTP_REFERER="https://evil.example/",
            HTTP_HOST="testserver",
            HTTP_X_FORWARDED_HOST="evil.example",
        )
        assert response.status_code == 302
        assert response["Location"] == STORED

    def test_post_is_not_allowed(self, client, route):
        response = client.post(route.get_absolute_url(), {"url": "https://evil.example/"})
        assert response.status_code == 405
        assert clicks(route) == 0

    def test_head_redirects_but_is_not_counted(self, client, route):
        response = client.head(route.get_absolute_url())
        assert response.status_code == 302
        assert response["Location"] == STORED
        assert clicks(route) == 0

    @pytest.mark.parametrize(
        "headers",
        [
            {"HTTP_SEC_PURPOSE": "prefetch"},
            {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
            {"HTTP_PURPOSE": "prefetch"},
            {"HTTP_X_MOZ": "prefetch"},
        ],
    )
    def test_a_browsers_prefetch_redirects_but_is_not_counted(self, client, route, headers):
        response = client.get(route.get_absolute_url(), **headers)
        assert response.status_code == 302
        assert response["Location"] == STORED
        assert clicks(route) == 0
        client.get(route.get_absolute_url(), HTTP_SEC_FETCH_MODE="navigate")  # the click itself
        assert clicks(route) == 1

    @pytest.mark.parametrize(
        "path",
        [
            "/appeals/donate/999999/",
            "/appeals/donate/0/",
            "/appeals/donate/-1/",
            "/appeals/donate/abc/",
            "/appeals/donate/1.5/",
            "/appeals/donate/99999999999999999999999999/",
            "/appeals/donate/%00/",
            "/appeals/donate//evil.example/",
            "/appeals/donate/https://evil.example/",
        ],
    )
    def test_unknown_or_garbage_ids_are_404(self, client, route, path):
        response = client.get(path)
        assert response.status_code == 404
        assert DonationClick.objects.count() == 0

    def test_route_of_a_draft_appeal_is_404(self, client, today):
        draft = DonationRouteFactory(appeal=AppealFactory(is_published=False))
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert clicks(draft) == 0

    def test_no_cookie_no_cache_no_robots(self, client, route):
        response = client.get(route.get_absolute_url())
        assert not response.cookies
        assert "no-store" in response["Cache-Control"]
        assert "nofollow" in response["X-Robots-Tag"]

    def test_nothing_about_the_visitor_is_stored(self, client, route):
        client.get(
            route.get_absolute_url(),
            REMOTE_ADDR="203.0.113.9",
            HTTP_USER_AGENT="Visitor Browser/1.0",
            HTTP_REFERER="https://example.org/page",
        )
        fields = {f.name for f in DonationClick._meta.get_fields()}
        assert fields == {"id", "route", "day", "count"}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {DonationClick._meta.db_table}")  # noqa: S608
            dump = repr(cursor.fetchall())
        for trace in ["203.0.113", "Visitor Browser", "example.org"]:
            assert trace not in dump


class TestClosedAndUpcoming:
    def test_closed_appeal_answers_410_with_give_instead(self, client, today):
        instead = AppealFactory(title="Another Appeal", slug="another")
        appeal = AppealFactory(
            title="Old Appeal",
            closes_on=datetime.date(2022, 6, 30),
            closing_note="Thank you, Leeds.",
            give_instead=instead,
        )
        route = DonationRouteFactory(appeal=appeal)
        response = client.get(route.get_absolute_url())
        assert response.status_code == 410
        html = response.content.decode()
        assert "Old Appeal has closed" in html
        assert "Thank you, Leeds." in html
        assert 'href="/appeals/another/"' in html
        assert route.url not in html
        assert clicks(route) == 0
        assert "no-store" in response["Cache-Control"]

    def test_closed_early_without_give_instead(self, client, today):
        route = DonationRouteFactory(appeal=AppealFactory(closed_early=True))
        response = client.get(route.get_absolute_url())
        assert response.status_code == 410
        assert "give instead" not in response.content.decode()

    def test_unpublished_give_instead_is_not_suggested(self, client, today):
        hidden = AppealFactory(title="Hidden Draft", is_published=False)
        route = DonationRouteFactory(appeal=AppealFactory(closed_early=True, give_instead=hidden))
        assert "Hidden Draft" not in client.get(route.get_absolute_url()).content.decode()

    def test_upcoming_appeal_is_404_with_opening_date(self, client, today):
        route = DonationRouteFactory(appeal=AppealFactory(launched_on=datetime.date(2022, 9, 1)))
        response = client.get(route.get_absolute_url())
        assert response.status_code == 404
        assert dates.display(datetime.date(2022, 9, 1), "day") in response.content.decode()
        assert clicks(route) == 0


class TestCounting:
    def test_counts_per_route_per_day(self, route):
        other = DonationRouteFactory(appeal=route.appeal)
        day1, day2 = datetime.date(2022, 8, 1), datetime.date(2022, 8, 2)
        for _ in range(3):
            record_click(route_id=route.pk, day=day1)
        record_click(route_id=route.pk, day=day2)
        record_click(route_id=other.pk, day=day1)
        counts = {(c.route_id, c.day): c.count for c in DonationClick.objects.all()}
        assert counts == {(route.pk, day1): 3, (route.pk, day2): 1, (other.pk, day1): 1}

    def test_each_click_through_the_view_counts(self, client, route):
        for _ in range(5):
            client.get(route.get_absolute_url())
        assert clicks(route) == 5

    def test_redirect_query_count(self, client, route, django_assert_max_num_queries):
        client.get(route.get_absolute_url())  # the day's row exists: select + update
        with django_assert_max_num_queries(2):
            client.get(route.get_absolute_url())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL's row locking")
def test_concurrent_clicks_are_all_counted():
    route = DonationRouteFactory()
    day = datetime.date(2022, 8, 1)
    threads_n, clicks_each = 20, 5
    errors = []

    def worker(_i):
        try:
            for _ in range(clicks_each):
                record_click(route_id=route.pk, day=day)
        except Exception as exc:  # reported below
            errors.append(exc)

    at_once(worker, threads_n)
    assert errors == []
    assert DonationClick.objects.get(route=route, day=day).count == threads_n * clicks_each


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL's row locking")
def test_concurrent_clicks_through_the_view(monkeypatch):
    from django.test import Client

    monkeypatch.setattr("appeals.clock.today", lambda: datetime.date(2022, 8, 1))
    route = DonationRouteFactory()
    statuses = []

    def worker(_i):
        client = Client()
        statuses.extend(client.get(route.get_absolute_url()).status_code for _ in range(5))

    at_once(worker, 10)
    assert statuses == [302] * 50
    assert DonationClick.objects.get(route=route).count == 50
