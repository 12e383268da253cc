"""Council staff do the job in the admin: add, link, cite, publish, and get clear messages."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partnerships.models import City, Event, Link, Statement
from tests.admin_forms import read_form
from tests.factories import CityFactory, EventFactory, LinkFactory, PersonFactory, RoleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def link_form(city_a, city_b, **extra):
    data = {
        "city_a": city_a.pk,
        "city_b": city_b.pk,
        "slug": "",
        "kind": "twin_town",
        "run_by": "",
        "summary": "",
        **inline_management("events"),
        **inline_management("statements"),
    }
    data.update(extra)
    return data


def city_form(**overrides):
    data = {
        "name": "Lviv",
        "slug": "lviv",
        "native_name": "Львів",
        "country": "UA",
        "description": "",
        "latitude": "49.8425",
        "longitude": "24.0322",
        "population": "717273",
        "population_year": "2022",
        "population_note": "",
        "image_alt": "",
        "image_credit": "",
        "wikidata_id": "",
        **inline_management("other_names"),
    }
    data.update(overrides)
    return data


class TestCities:
    def test_staff_add_a_city(self, admin_client):
        response = admin_client.post(reverse("admin:partnerships_city_add"), city_form())
        assert response.status_code == 302, response.content.decode()[:2000]
        city = City.objects.get(slug="lviv")
        assert city.native_name == "Львів"
        assert city.population_year == 2022

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"latitude": "91"}, "latitude", "less than or equal to 90"),
            ({"longitude": "-181"}, "longitude", "greater than or equal to -180"),
            ({"population": "-3"}, "population", "greater than or equal to 0"),
            ({"population_year": ""}, "population_year", "needs the year it was counted"),
            ({"population_year": "2999"}, "population_year", "in the future"),
            ({"wikidata_id": "Lviv"}, "wikidata_id", "Q followed by digits"),
            ({"latitude": "north"}, "latitude", "Enter a number"),
        ],
    )
    def test_bad_city_input_gets_a_clear_message(self, admin_client, overrides, field, message):
        response = admin_client.post(reverse("admin:partnerships_city_add"), city_form(**overrides))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert field in errors, errors
        assert message in " ".join(errors[field])
        assert not City.objects.filter(slug="lviv").exists()

    def test_nul_bytes_and_huge_strings_are_refused_not_crashed(self, admin_client):
        response = admin_client.post(
            reverse("admin:partnerships_city_add"), city_form(name="Ly\x00iv", description="x" * 100_000)
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "name" in errors and "description" in errors
        assert not City.objects.filter(slug="lviv").exists()


class TestLinks:
    def test_link_with_event_and_statement_on_one_page(self, admin_client):
        leeds, kharkiv = CityFactory(name="Leeds"), CityFactory(name="Kharkiv")
        source = SourceFactory()
        role = RoleFactory(title="Leader of Leeds City Council")
        data = link_form(
            kharkiv,
            leeds,
            is_published="on",
            **inline_management("events", total=1),
            **{
                "events-0-date": "2022-07-14",
                "events-0-date_precision": "month",
                "events-0-title": "Full council unanimously agreed to explore a partnership",
                "events-0-status": "proposed",
                "events-0-decided_by": "Leeds City Council",
                "events-0-description": "",
                "events-0-sources": [source.pk],
                "events-0-sort_order": "0",
                "events-0-is_published": "on",
            },
            **inline_management("statements", total=1),
            **{
                "statements-0-quote": "This new partnership would cement forever the relationship.",
                "statements-0-speaker": role.person.pk,
                "statements-0-role": role.pk,
                "statements-0-date": "2022-07-14",
                "statements-0-date_precision": "day",
                "statements-0-language": "en",
                "statements-0-context": "",
                "statements-0-translation": "",
                "statements-0-sources": [source.pk],
                "statements-0-is_published": "on",
            },
        )
        response = admin_client.post(reverse("admin:partnerships_link_add"), data)
        assert response.status_code == 302, _errors(response)
        link = Link.objects.get()
        # Stored once, in canonical order, with a slug made from the names.
        assert {link.city_a, link.city_b} == {leeds, kharkiv}
        assert link.city_a.pk < link.city_b.pk
        assert link.slug in {"leeds-kharkiv", "kharkiv-leeds"}
        event = link.events.get()
        assert event.date == datetime.date(2022, 7, 1)  # month precision keeps no invented day
        assert list(event.sources.all()) == [source]
        assert link.statements.get().role == role
        link.refresh_from_db()
        assert link.status == "proposed"

        page = admin_client.get(reverse("admin:partnerships_link_change", args=[link.pk]))
        assert "Derived from the published events" in page.content.decode()
        assert "July 2022" in page.content.decode()

    def test_a_link_with_a_long_history_can_be_saved(self, admin_client):
        """Each inline row posts its fields twice, the second time as the values the editor
        saw (for concurrent edits, docs/adr/0057-versions-on-inline-rows.md). A link with 55
        events posts more than Django's default of 1,000 fields, which was refused with a 400
        "could not understand that request" and lost the editor's change."""
        link = LinkFactory(summary="Twinned since 1957.")
        EventFactory.create_batch(55, link=link)
        url = reverse("admin:partnerships_link_change", args=[link.pk])
        data = read_form(admin_client.get(url))
        assert sum(len(v) if isinstance(v, list) else 1 for v in data.values()) > 1000
        data["summary"] = "Twinned since 1957; renewed in 2007."
        response = admin_client.post(url, data)
        assert response.status_code == 302, _errors(response)
        link.refresh_from_db()
        assert link.summary == "Twinned since 1957; renewed in 2007."
        assert link.events.count() == 55

    def test_link_to_itself_is_explained(self, admin_client):
        city = CityFactory()
        response = admin_client.post(reverse("admin:partnerships_link_add"), link_form(city, city))
        assert response.status_code == 200
        assert "cannot be linked with itself" in response.content.decode()
        assert not Link.objects.exists()

    def test_pair_in_other_order_is_explained(self, admin_client):
        leeds, lille = CityFactory(name="Leeds"), CityFactory(name="Lille")
        LinkFactory(city_a=leeds, city_b=lille)
        response = admin_client.post(reverse("admin:partnerships_link_add"), link_form(lille, leeds))
        assert response.status_code == 200
        assert "already linked" in response.content.decode()
        assert Link.objects.count() == 1
        # Said once, with the link to edit, and not as a clash of the address left empty.
        assert _errors(response) == [
            {
                "__all__": [
                    "Leeds and Lille are already linked (the link is recorded as Leeds–Lille): edit that link instead."
                ]
            }
        ]

    @pytest.mark.parametrize(
        ("date", "message"),
        [
            ((timezone.localdate() + datetime.timedelta(days=2)).isoformat(), "in the future"),
            ("1899-12-31", "greater than or equal to"),
            ("2022-02-30", "Enter a valid date"),
        ],
    )
    def test_bad_event_dates_are_explained(self, admin_client, date, message):
        link = LinkFactory()
        response = admin_client.post(
            reverse("admin:partnerships_event_add"),
            {
                "link": link.pk,
                "date": date,
                "date_precision": "day",
                "title": "Something happened",
                "status": "",
                "decided_by": "",
                "description": "",
                "sort_order": "0",
                **inline_management("alternatives"),
            },
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Event.objects.exists()

    def test_an_event_needs_a_source(self, admin_client):
        """An event is a dated claim: without a source it would show on the timeline, and move
        the link's status, with nothing to cite. Refused with a message; with one, saved."""
        link = LinkFactory()
        data = {
            "link": link.pk,
            "date": "2022-07-01",
            "date_precision": "month",
            "title": "Suspended",
            "status": "suspended",
            "decided_by": "",
            "description": "",
            "sort_order": "0",
            "is_published": "on",
            **inline_management("alternatives"),
        }
        response = admin_client.post(reverse("admin:partnerships_event_add"), data)
        assert response.status_code == 200
        assert [list(e) for e in _errors(response)] == [["sources"]]
        assert "This field is required." in response.content.decode()
        assert not Event.objects.exists()
        link.refresh_from_db()
        assert link.status != "suspended"
        source = SourceFactory()
        response = admin_client.post(
            reverse("admin:partnerships_event_add"), {**data, "sources": [source.pk]}
        )
        assert response.status_code == 302, _errors(response)
        assert list(Event.objects.get().sources.all()) == [source]

    def test_a_new_event_in_a_links_page_needs_a_source(self, admin_client):
        link = LinkFactory()
        url = reverse("admin:partnerships_link_change", args=[link.pk])
        data = read_form(admin_client.get(url))
        new = int(data["events-TOTAL_FORMS"])
        data.update(
            {
                "events-TOTAL_FORMS": str(new + 1),
                f"events-{new}-date": "2022-07-01",
                f"events-{new}-date_precision": "month",
                f"events-{new}-title": "Without a source",
                f"events-{new}-status": "",
                f"events-{new}-sort_order": "0",
                f"events-{new}-is_published": "on",
            }
        )
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert [list(e) for e in _errors(response)] == [["sources"]]
        assert not link.events.exists()

    def test_long_lines_of_text_get_a_wide_box_and_names_do_not(self, admin_client):
        page = admin_client.get(reverse("admin:partnerships_event_add")).content.decode()
        assert re.search(r'<input type="text" name="title"[^>]*class="vLargeTextField"', page)
        page = admin_client.get(reverse("admin:partnerships_city_add")).content.decode()
        assert re.search(r'<input type="text" name="name"[^>]*class="vTextField"', page)

    def test_unpublish_action(self, admin_client):
        links = [LinkFactory(is_published=True) for _ in range(3)]
        response = admin_client.post(
            reverse("admin:partnerships_link_changelist"),
            {"action": "unpublish", "_selected_action": [link.pk for link in links[:2]]},
        )
        assert response.status_code == 302
        assert list(Link.objects.published()) == [links[2]]
        # Unpublishing keeps the record.
        assert Link.objects.count() == 3


class TestStatements:
    def test_role_of_someone_else_is_refused(self, admin_client):
        link = LinkFactory()
        speaker = PersonFactory()
        other_role = RoleFactory()
        response = admin_client.post(
            reverse("admin:partnerships_statement_add"),
            {
                "quote": "Words",
                "speaker": speaker.pk,
                "role": other_role.pk,
                "date": "2022-03-15",
                "date_precision": "day",
                "context": "",
                "language": "en",
                "translation": "",
                "link": link.pk,
                "sources": [SourceFactory().pk],
            },
        )
        assert response.status_code == 200
        assert "belongs to someone else" in response.content.decode()
        assert not Statement.objects.exists()


class TestChangeLists:
    @pytest.mark.parametrize("model", ["city", "link", "event", "person", "role", "statement", "source"])
    def test_lists_and_searches_stay_cheap(self, admin_client, django_assert_max_num_queries, model):
        for _ in range(30):
            EventFactory()
        url = reverse(f"admin:partnerships_{model}_changelist")
        with django_assert_max_num_queries(12):
            response = admin_client.get(url, {"q": "City"})
        assert response.status_code == 200

    def test_the_city_list_names_each_country_without_reading_every_country_per_row(
        self, admin_client, monkeypatch
    ):
        """The admin's own display of a field with choices goes through all 250 countries for
        each row (most of the list's time with 100 cities); the list shows the name directly."""
        from django.utils import choices

        for i in range(20):
            CityFactory(name=f"Town {i}", country="UA")
        calls = []
        real = choices.normalize_choices
        monkeypatch.setattr(choices, "normalize_choices", lambda *a, **k: calls.append(1) or real(*a, **k))
        response = admin_client.get(reverse("admin:partnerships_city_changelist"), {"o": "3"})
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('<td class="field-country_name">Ukraine</td>') == 20
        # normalize_choices calls itself once per choice: the filter's list of countries is one
        # pass over the 250; a pass for each of the 20 rows would be 5,000 calls more.
        assert len(calls) < 1000

    def test_link_autocomplete_finds_cities_by_other_names(self, admin_client):
        city = CityFactory(name="Kharkiv")
        city.other_names.create(name="Kharkov")
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "partnerships", "model_name": "link", "field_name": "city_a", "term": "Kharkov"},
        )
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == ["Kharkiv"]


def _errors(response):
    if response.context is None:
        return response.content[:500]
    errors = []
    for form in [
        response.context["adminform"].form,
        *[f for fs in response.context["inline_admin_formsets"] for f in fs.formset.forms],
    ]:
        if form.errors:
            errors.append(form.errors)
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_admin_link_list_reads_its_page_through_an_index(admin_client):
    """The admin lists drafts too, in the model's order with the key last; an index in that
    order gives a page without sorting every link (80 ms on 50,000, with sorting as dear as
    PostgreSQL allows here)."""
    LinkFactory.create_batch(30, is_published=False)
    LinkFactory.create_batch(30)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:partnerships_link_changelist"))
    assert response.status_code == 200
    (sql,) = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "partnerships_link"."id"')
    ]
    order = '"city_a_name" ASC, "partnerships_link"."city_b_name" ASC, "partnerships_link"."id" ASC'
    assert sql.endswith(f'ORDER BY "partnerships_link".{order}'), sql
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "link_admin_order" in plan, plan
