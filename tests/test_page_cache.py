"""Anonymous visitors' pages come from the cache until anything they show changes.

These run in one process with the local-memory cache; tests/test_cross_worker.py checks the
same against two gunicorn servers sharing Redis.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from appeals.models import DonationClick
from partnerships.models import City, Event, Link, Statement
from tests import factories as f
from tests.concurrency import at_once
from twinning import page_cache

pytestmark = pytest.mark.django_db


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response, response.content.decode()


class TestHitsAndHeaders:
    def test_second_request_is_served_from_the_cache(self, client, world, django_assert_num_queries):
        first = client.get("/links/leeds-kharkiv/")
        assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            again = client.get("/links/leeds-kharkiv/")
        assert again["X-Page-Cache"] == "hit"
        assert again.content == first.content
        # Headers added around the view (security, clickjacking, language) are there on a hit too.
        for header in ("X-Frame-Options", "X-Content-Type-Options", "Content-Language", "Content-Type"):
            assert again[header] == first[header]

    def test_public_pages_say_how_long_they_may_be_kept(self, client, world):
        response = client.get("/cities/leeds/")
        control = response["Cache-Control"]
        assert "public" in control and "max-age=60" in control
        assert response["ETag"]

    def test_conditional_get_answers_304_without_the_page(self, client, world):
        response = client.get("/cities/")
        etag = response["ETag"]
        for _ in range(2):  # on the miss path and on the hit path
            not_modified = client.get("/cities/", HTTP_IF_NONE_MATCH=etag)
            assert not_modified.status_code == 304
            assert not_modified.content == b""
            assert not_modified["ETag"] == etag
        assert client.get("/cities/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    def test_a_changed_page_gets_a_new_etag(self, client, world):
        etag = client.get("/cities/leeds/")["ETag"]
        City.objects.filter(pk=world.leeds.pk).first().save()  # same content: same tag
        assert client.get("/cities/leeds/")["ETag"] == etag
        world.leeds.name = "Leeds (West Yorkshire)"
        world.leeds.save()
        response = client.get("/cities/leeds/", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200 and "Leeds (West Yorkshire)" in response.content.decode()

    def test_head_is_served_from_the_cache(self, client, world):
        client.get("/people/")
        response = client.head("/people/")
        assert response.status_code == 200 and response["X-Page-Cache"] == "hit"

    def test_each_query_string_is_its_own_page(self, client, world):
        all_links = get(client, "/links/")[1]
        twin_towns = get(client, "/links/?kind=twin_town")[1]
        assert "Leeds–Brno" in all_links and "Leeds–Brno" not in twin_towns
        assert "Leeds–Lille" in twin_towns

    @pytest.mark.parametrize(
        "query", ["?kind=" + "x" * 100_000, "?kind=%00", "?page=%00", "?status=%ED%B3%BF", "?city=%ff%fe"]
    )
    def test_hostile_query_strings_are_answered_normally(self, client, world, query):
        response = client.get("/links/" + query)
        assert response.status_code in {200, 400, 404}
        assert client.get("/links/" + query).status_code == response.status_code


class TestInvalidation:
    """Any change staff can make to what a page shows is seen at the next request."""

    def test_renaming_a_city_shows_on_its_links_and_lists(self, client, world):
        for url in ("/cities/", "/links/", "/links/leeds-kharkiv/", "/"):
            assert "Leeds" in get(client, url)[1]
        world.leeds.name = "Loidis"
        world.leeds.save()
        for url in ("/cities/", "/links/", "/links/leeds-kharkiv/", "/"):
            response, html = get(client, url)
            assert response["X-Page-Cache"] == "miss" and "Loidis" in html, url

    def test_unpublishing_a_link_removes_it_at_once(self, client, world):
        assert client.get("/links/leeds-lille/").status_code == 200
        world.leeds_lille.is_published = False
        world.leeds_lille.save()
        assert client.get("/links/leeds-lille/").status_code == 404
        assert "Leeds–Lille" not in get(client, "/links/")[1]

    def test_a_new_event_changes_the_link_page(self, client, world):
        assert "Friendship Agreement" not in get(client, "/links/leeds-kharkiv/")[1]
        f.EventFactory(
            link=world.leeds_kharkiv,
            title="Friendship Agreement signed",
            date=datetime.date(2024, 3, 1),
            date_precision="day",
        )
        assert "Friendship Agreement signed" in get(client, "/links/leeds-kharkiv/")[1]

    def test_deleting_an_event_changes_the_link_page(self, client, world):
        assert "Councillors agree to explore" in get(client, "/links/leeds-kharkiv/")[1]
        Event.objects.get(pk=world.explore.pk).delete()
        assert "Councillors agree to explore" not in get(client, "/links/leeds-kharkiv/")[1]

    def test_adding_a_source_many_to_many_changes_the_page(self, client, world):
        assert "A brand new report" not in get(client, "/links/leeds-kharkiv/")[1]
        world.leeds_kharkiv.sources.add(f.SourceFactory(title="A brand new report"))
        assert "A brand new report" in get(client, "/links/leeds-kharkiv/")[1]
        world.leeds_kharkiv.sources.clear()
        assert "A brand new report" not in get(client, "/links/leeds-kharkiv/")[1]

    def test_publishing_a_statement(self, client, world):
        assert "Not yet public words." not in get(client, "/statements/")[1]
        statement = Statement.objects.get(pk=world.draft_statement.pk)
        statement.is_published = True
        statement.save()
        assert "Not yet public words." in get(client, "/statements/")[1]

    def test_a_new_raised_figure_changes_the_appeal_and_city_pages(self, client, world, today):
        appeal = f.AppealFactory(title="Leeds Together", slug="leeds-together")
        appeal.cities.add(world.leeds)
        f.RaisedFigureFactory(appeal=appeal, amount=Decimal(1000), as_of=datetime.date(2022, 3, 10))
        assert "£1,000" in get(client, "/appeals/leeds-together/")[1]
        assert "£1,000" in get(client, "/cities/leeds/")[1]
        f.RaisedFigureFactory(appeal=appeal, amount=Decimal(2500), as_of=datetime.date(2022, 4, 10))
        assert "£2,500" in get(client, "/appeals/leeds-together/")[1]
        assert "£2,500" in get(client, "/cities/leeds/")[1]

    def test_an_appeal_closes_at_midnight_without_any_change(self, client, world, monkeypatch):
        appeal = f.AppealFactory(slug="short-appeal", closes_on=datetime.date(2022, 8, 1))
        f.DonationRouteFactory(appeal=appeal)
        monkeypatch.setattr("appeals.clock.today", lambda: datetime.date(2022, 8, 1))
        assert 'href="/appeals/donate/' in get(client, "/appeals/short-appeal/")[1]
        assert client.get("/appeals/short-appeal/")["X-Page-Cache"] == "hit"
        monkeypatch.setattr("appeals.clock.today", lambda: datetime.date(2022, 8, 2))
        response, html = get(client, "/appeals/short-appeal/")
        assert response["X-Page-Cache"] == "miss" and 'href="/appeals/donate/' not in html

    def test_counting_a_click_does_not_empty_the_cache(self, world):
        route = f.DonationRouteFactory()
        version = page_cache.current_version()
        DonationClick.objects.create(route=route, day=datetime.date(2022, 8, 1), count=1)
        assert page_cache.current_version() == version

    def test_a_change_invalidates_again_when_its_transaction_commits(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            world.lille.name = "Rijsel"
            world.lille.save()
            during = page_cache.current_version()
        assert page_cache.bump_version in callbacks
        for callback in callbacks:
            callback()
        assert page_cache.current_version() > during

    def test_a_lost_version_number_never_revives_old_pages(self, client, world):
        assert "Leeds" in get(client, "/cities/")[1]
        # A change that sends no signal, and the version evicted from the cache.
        City.objects.filter(pk=world.leeds.pk).update(name="Leodis")
        cache.delete(page_cache.VERSION_KEY)
        response, html = get(client, "/cities/")
        assert response["X-Page-Cache"] == "miss" and "Leodis" in html


class TestNeverCached:
    def test_staff_see_drafts_and_never_a_cached_page(self, staff_client, world):
        public = get(Client(), "/links/")[1]  # anonymous: cached without the draft
        assert "Kharkiv–Odesa" not in public
        response, html = get(staff_client, "/links/")
        assert "Kharkiv–Odesa" in html and "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
        # ... and what staff saw never reaches the public.
        assert "Kharkiv–Odesa" not in get(Client(), "/links/")[1]
        staff_client.logout()
        assert "Kharkiv–Odesa" not in get(staff_client, "/links/")[1]

    def test_a_signed_in_visitor_gets_private_pages(self, staff_client, world):
        for url in ("/", "/appeals/", "/cities/leeds/"):
            control = staff_client.get(url)["Cache-Control"]
            assert "private" in control and "public" not in control, url

    def test_donate_is_never_cached_and_counts_every_click(self, client, today):
        route = f.DonationRouteFactory(url="https://donate.example.org/leeds")
        url = reverse("appeals:donate", args=[route.pk])
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"] == "https://donate.example.org/leeds"
            assert "no-store" in response["Cache-Control"] and response["X-Page-Cache"] == "skip"
        assert DonationClick.objects.get(route=route).count == 3

    def test_not_found_is_not_cached(self, client, world):
        assert client.get("/links/leeds-paris/").status_code == 404
        paris = f.CityFactory(name="Paris", slug="paris")
        f.LinkFactory(city_a=world.leeds, city_b=paris, slug="leeds-paris")
        assert client.get("/links/leeds-paris/").status_code == 200

    def test_the_admin_is_never_cached(self, client, db):
        response = client.get("/admin/login/")
        assert response.status_code == 200 and response["X-Page-Cache"] == "skip"

    def test_healthz_is_never_cached(self, client, db):
        assert client.get("/healthz")["X-Page-Cache"] == "skip"

    def test_a_visitor_with_messages_waiting_is_not_served_from_the_cache(self, client, world):
        client.get("/cities/")
        client.cookies["messages"] = "anything"
        response = client.get("/cities/")
        assert "X-Page-Cache" not in response

    def test_post_is_never_cached(self, client, world):
        client.get("/cities/")
        assert client.post("/cities/").status_code == 405

    def test_switched_off_by_setting(self, client, world, settings):
        settings.PAGE_CACHE_ENABLED = False
        client.get("/cities/")
        response = client.get("/cities/")
        assert "X-Page-Cache" not in response and "public" not in response.get("Cache-Control", "")


@pytest.mark.urls("tests.urls_page_cache")
class TestResponsesThatMustNotBeStored:
    @pytest.mark.parametrize(
        ("url", "stored"),
        [
            ("/__test__/plain", True),
            ("/__test__/cookie", False),
            ("/__test__/csrf", False),
            ("/__test__/vary", False),
        ],
    )
    def test_only_responses_without_per_visitor_parts_are_stored(self, client, db, url, stored):
        first = client.get(url).content
        second = client.get(url).content
        assert (first == second) is stored


class TestKey:
    def test_language_host_path_and_day_make_different_keys(self, rf: RequestFactory, monkeypatch):
        def key(path="/cities/", lang="en", host="testserver"):
            request = rf.get(path, HTTP_HOST=host)
            request.LANGUAGE_CODE = lang
            return page_cache.page_key(request)

        assert key() == key()
        assert len({key(), key(lang="uk"), key(path="/uk/cities/"), key(path="/cities/?page=2")}) == 4
        monkeypatch.setattr("appeals.clock.today", lambda: datetime.date(2030, 1, 1))
        first = key()
        monkeypatch.setattr("appeals.clock.today", lambda: datetime.date(2030, 1, 2))
        assert key() != first


class TestCacheDown:
    def test_pages_are_served_when_the_cache_cannot_be_reached(self, client, world, settings):
        # A real Redis client against a port where nothing listens.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",
            }
        }
        response = client.get("/cities/")
        assert response.status_code == 200 and "Leeds" in response.content.decode()
        world.leeds.name = "Still saved"
        world.leeds.save()  # invalidation fails quietly: saving content must not
        assert City.objects.get(pk=world.leeds.pk).name == "Still saved"
        assert Link.objects.exists()


class TestOneRenderPerPage:
    """Requests that miss while another request renders the same page wait for its page
    instead of rendering it too (a crowd on a page just after an edit)."""

    @pytest.fixture(autouse=True)
    def empty_cache(self):
        cache.clear()

    @staticmethod
    def request(rf, path="/cities/", method="get"):
        from django.contrib.auth.models import AnonymousUser
        from django.urls import resolve

        request = getattr(rf, method)(path)
        request.user = AnonymousUser()
        request.LANGUAGE_CODE = "en"
        request.resolver_match = resolve(path)
        return request

    @staticmethod
    def slow_view(status=200, pause=0.3):
        import threading
        import time

        from django.http import HttpResponse

        renders = []
        lock = threading.Lock()

        def view(request):
            with lock:
                renders.append(request.path)
            time.sleep(pause)
            return HttpResponse(f"page {len(renders)}", status=status)

        return view, renders

    def crowd(self, rf, view, n=8):
        """``n`` simultaneous requests for one page through the middleware; their responses."""
        middleware = page_cache.PageCacheMiddleware(view)
        responses = [None] * n

        def visit(i):
            responses[i] = middleware(self.request(rf))

        at_once(visit, n, timeout=30)
        return responses

    def test_a_crowd_that_misses_renders_the_page_once(self, rf, db):
        view, renders = self.slow_view()
        responses = self.crowd(rf, view)
        assert len(renders) == 1
        assert sorted(r[page_cache.HEADER] for r in responses) == ["miss"] + ["wait"] * 7
        assert {r.content for r in responses} == {b"page 1"}
        assert all(r.status_code == 200 and r["ETag"] for r in responses)

    def test_a_page_that_is_not_stored_is_rendered_by_each_request(self, rf, db):
        view, renders = self.slow_view(status=404, pause=0.1)
        responses = self.crowd(rf, view, n=4)
        # The others waited for the first, found nothing stored, and rendered it themselves.
        assert len(renders) == 4
        assert all(r.status_code == 404 and r[page_cache.HEADER] == "skip" for r in responses)

    def test_a_page_that_was_not_stored_is_not_waited_for_again(self, rf, db, monkeypatch):
        # /healthz, a 404, the Donate redirect: with a crowd on such a page, each request
        # claimed it and waited for a page that never came (the floor's p99 rose to 450 ms).
        view, renders = self.slow_view(status=404, pause=0)
        middleware = page_cache.PageCacheMiddleware(view)
        assert middleware(self.request(rf))[page_cache.HEADER] == "skip"
        request = self.request(rf)
        claim = f"{page_cache.page_key(request)}:rendering:{page_cache.current_version()}"
        cache.add(claim, 1)  # another request is rendering it right now
        waits, claims = [], []
        monkeypatch.setattr(middleware, "_wait_for", lambda *args: waits.append(args))
        monkeypatch.setattr(middleware, "_claim", lambda *args: claims.append(args))
        for _ in range(3):
            response = middleware(self.request(rf))
            assert response.status_code == 404 and response[page_cache.HEADER] == "skip"
        assert len(renders) == 4
        assert waits == [] and claims == []

    def test_the_mark_does_not_stop_a_page_from_being_stored(self, rf, db):
        statuses = [404, 200, 200]

        def view(request):
            from django.http import HttpResponse

            return HttpResponse(b"page", status=statuses.pop(0))

        middleware = page_cache.PageCacheMiddleware(view)
        assert middleware(self.request(rf))[page_cache.HEADER] == "skip"
        assert middleware(self.request(rf))[page_cache.HEADER] == "miss"
        hit = middleware(self.request(rf))
        assert hit[page_cache.HEADER] == "hit" and hit.status_code == 200
        assert statuses == [200]

    def test_the_mark_lasts_one_version(self, rf, db, monkeypatch):
        view, renders = self.slow_view(status=404, pause=0)
        middleware = page_cache.PageCacheMiddleware(view)
        middleware(self.request(rf))
        page_cache.bump_version()
        claims = []
        real_claim = middleware._claim
        monkeypatch.setattr(middleware, "_claim", lambda *args: claims.append(args) or real_claim(*args))
        middleware(self.request(rf))
        assert len(claims) == 1  # the new version is claimed again, and marked again
        middleware(self.request(rf))
        assert len(claims) == 1 and len(renders) == 3

    def test_a_head_request_leaves_no_mark(self, rf, db):
        view, renders = self.slow_view(pause=0)
        middleware = page_cache.PageCacheMiddleware(view)
        assert middleware(self.request(rf, method="head"))[page_cache.HEADER] == "skip"
        assert middleware(self.request(rf))[page_cache.HEADER] == "miss"
        assert middleware(self.request(rf))[page_cache.HEADER] == "hit"
        assert len(renders) == 2

    def test_a_claim_that_is_never_finished_is_waited_for_only_so_long(self, rf, db, settings):
        import time

        settings.PAGE_CACHE_WAIT = 0.2
        view, renders = self.slow_view(pause=0)
        request = self.request(rf)
        claim = f"{page_cache.page_key(request)}:rendering:{page_cache.current_version()}"
        cache.add(claim, 1)  # a worker that died while rendering this page
        started = time.monotonic()
        response = page_cache.PageCacheMiddleware(view)(request)
        assert 0.2 <= time.monotonic() - started < 2
        assert response[page_cache.HEADER] == "miss" and len(renders) == 1
        assert cache.get(claim) == 1  # not this request's claim to release
        assert page_cache.PageCacheMiddleware(view)(self.request(rf))[page_cache.HEADER] == "hit"

    def test_a_new_version_is_rendered_again(self, rf, db):
        view, renders = self.slow_view(pause=0)
        middleware = page_cache.PageCacheMiddleware(view)
        assert middleware(self.request(rf))[page_cache.HEADER] == "miss"
        page_cache.bump_version()
        assert middleware(self.request(rf))[page_cache.HEADER] == "miss"
        assert middleware(self.request(rf))[page_cache.HEADER] == "hit"
        assert len(renders) == 2

    def test_a_cache_that_refuses_the_claim_still_serves_the_page(self, rf, db, monkeypatch):
        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(cache, "add", broken)
        view, renders = self.slow_view(pause=0)
        response = page_cache.PageCacheMiddleware(view)(self.request(rf))
        assert response.status_code == 200 and response.content == b"page 1"
        assert len(renders) == 1
