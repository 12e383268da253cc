"""Who sees what (drafts stay hidden from the public, staff preview them uncached) and what
hostile or mistaken input does: a 404 or the normal page with a message, never a 500."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db

LISTS = ["city-list", "link-list", "statement-list", "person-list"]
NOTICE = "Draft: not visible to the public."


def text_of(response):
    return response.content.decode()


class TestPublicSeesOnlyPublished:
    def test_draft_link_is_404(self, client, world):
        assert client.get(world.draft_link.get_absolute_url()).status_code == 404

    def test_unknown_slugs_and_ids_are_404(self, client, world):
        for url in ["/cities/atlantis/", "/links/leeds-atlantis/", "/people/nobody/", "/statements/999999/"]:
            assert client.get(url).status_code == 404, url

    def test_draft_statement_and_statement_of_a_draft_link_are_404(self, client, world):
        assert client.get(world.draft_statement.get_absolute_url()).status_code == 404
        assert client.get(world.statement_on_draft_link.get_absolute_url()).status_code == 404

    def test_drafts_absent_from_lists_and_pages(self, client, world):
        pages = [
            reverse("partnerships:link-list"),
            reverse("partnerships:statement-list"),
            world.kharkiv.get_absolute_url(),
            world.odesa.get_absolute_url(),
            world.leeds_kharkiv.get_absolute_url(),
            world.lewis.get_absolute_url(),
            world.terekhov.get_absolute_url(),
        ]
        for url in pages:
            text = text_of(client.get(url))
            for secret in [
                "kharkiv-odesa",
                "Unpublished event",
                "Not yet public words",
                "Words about a draft",
            ]:
                assert secret not in text, (url, secret)
            assert NOTICE not in text

    def test_published_event_of_a_draft_link_is_not_shown_anywhere(self, client, world):
        assert "Draft link event" not in text_of(client.get("/"))

    def test_public_pages_may_be_cached(self, client, world):
        response = client.get(world.leeds_kharkiv.get_absolute_url())
        assert "no-cache" not in response.get("Cache-Control", "")

    def test_cities_and_people_are_always_public(self, client, db):
        person = f.PersonFactory()
        city = f.CityFactory()
        assert client.get(person.get_absolute_url()).status_code == 200
        assert client.get(city.get_absolute_url()).status_code == 200


class TestStaffPreview:
    def test_draft_link_with_notice_and_never_cached(self, staff_client, world):
        response = staff_client.get(world.draft_link.get_absolute_url())
        assert response.status_code == 200
        text = text_of(response)
        assert NOTICE in text
        assert "Draft link event" in text
        cache = response["Cache-Control"]
        assert "no-cache" in cache and "no-store" in cache and "private" in cache
        assert_sound_html(response)

    def test_draft_event_and_statement_marked_on_a_published_link(self, staff_client, world):
        response = staff_client.get(world.leeds_kharkiv.get_absolute_url())
        text = text_of(response)
        assert "Unpublished event" in text
        assert "Not yet public words" in text
        assert text.count('class="tag tag--draft"') == 2
        assert NOTICE not in text  # the link itself is published
        assert "no-store" in response["Cache-Control"]

    def test_draft_statements_with_notice(self, staff_client, world):
        for statement in [world.draft_statement, world.statement_on_draft_link]:
            response = staff_client.get(statement.get_absolute_url())
            assert response.status_code == 200
            assert NOTICE in text_of(response)
            assert "no-store" in response["Cache-Control"]

    def test_lists_show_drafts_marked_to_staff(self, staff_client, world):
        text = text_of(staff_client.get(reverse("partnerships:link-list")))
        assert "kharkiv-odesa" in text and 'class="tag tag--draft"' in text

    def test_non_staff_user_is_the_public(self, client, django_user_model, world):
        client.force_login(django_user_model.objects.create_user("reader", password="a long test password"))
        assert client.get(world.draft_link.get_absolute_url()).status_code == 404


HUGE = "9" * 100_000
BAD_PAGES = ["abc", "-1", "0", "99999", "1.5", "\x00", "1\x00", HUGE, "%00", "last\x00", "1 OR 1=1"]


class TestHostileInput:
    @pytest.mark.parametrize("name", LISTS)
    @pytest.mark.parametrize("page", BAD_PAGES, ids=lambda p: repr(p[:8]))
    def test_bad_page_numbers_are_404(self, client_no_raise, world, name, page):
        response = client_no_raise.get(reverse(f"partnerships:{name}"), {"page": page})
        assert response.status_code == 404
        assert "Page not found" in text_of(response)

    @pytest.mark.parametrize("name", LISTS)
    def test_page_last_and_page_one_work(self, client, world, name):
        assert client.get(reverse(f"partnerships:{name}"), {"page": "last"}).status_code == 200
        assert client.get(reverse(f"partnerships:{name}"), {"page": "1"}).status_code == 200

    @pytest.mark.parametrize(
        ("name", "params"),
        [
            ("city-list", {"country": "\x00"}),
            ("city-list", {"country": HUGE, "status": HUGE}),
            ("city-list", {"status": "active\x00"}),
            ("link-list", {"status": "<script>alert(1)</script>", "kind": "\x00"}),
            ("link-list", {"kind": HUGE}),
            ("statement-list", {"speaker": "\x00", "city": HUGE, "year": "1e9"}),
            ("statement-list", {"year": HUGE}),
            ("statement-list", {"year": "-2022", "city": "kharkiv\x00"}),
            ("statement-list", {"speaker": "james-lewis' OR 1=1 --"}),
        ],
        ids=repr,
    )
    def test_garbage_filters_give_the_page_with_a_message(self, client_no_raise, world, name, params):
        response = client_no_raise.get(reverse(f"partnerships:{name}"), params)
        assert response.status_code == 200
        text = text_of(response)
        assert "Some of the filters could not be used" in text
        assert "<script>alert" not in text
        assert "\x00" not in text
        assert len(response.content) < 60_000  # nothing huge echoed back
        assert_sound_html(response)

    def test_a_repeated_filter_uses_the_last_value(self, client, world):
        response = client.get(reverse("partnerships:city-list"), {"country": ["UA", "GB"]})
        assert response.status_code == 200
        assert "/cities/leeds/" in text_of(response) and "/cities/kharkiv/" not in text_of(response)

    def test_unknown_parameters_are_ignored(self, client, world):
        response = client.get(reverse("partnerships:link-list"), {"colour": "blue", "x": "\x00"})
        assert response.status_code == 200
        assert "Some of the filters could not be used" not in text_of(response)

    @pytest.mark.parametrize(
        "url",
        [
            "/cities/%00/",
            "/cities/leeds%00/",
            "/links/" + "a" * 5000 + "/",
            "/statements/abc/",
            "/statements/-1/",
            "/statements/99999999999999999999999/",
            "/people/..%2F..%2Fetc/",
            "/links/leeds-kharkiv%20/",
        ],
    )
    def test_bad_paths_are_404(self, client_no_raise, world, url):
        assert client_no_raise.get(url).status_code == 404

    def test_huge_statement_id_is_404_not_overflow(self, client_no_raise, world):
        # Larger than a 64-bit integer: the database must not be asked.
        assert client_no_raise.get("/statements/" + "9" * 30 + "/").status_code == 404

    def test_post_is_not_allowed(self, client, world):
        assert client.post(reverse("partnerships:city-list")).status_code == 405
        assert client.post(world.leeds_kharkiv.get_absolute_url()).status_code == 405
