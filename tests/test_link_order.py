"""A link's two city names, kept by the database for the lists' order (migration 0006,
docs/adr/0077-link-order-kept-by-the-database.md).

Whatever writes the rows (a save, a bulk insert, a queryset update, a renamed city) the names on
the link are its cities' names, on SQLite and on PostgreSQL, and the link list is in the order
of its cities' names.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import City, Link
from partnerships.queries import Visibility
from tests.factories import CityFactory, LinkFactory, StatementFactory

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "postgresql": {"partnerships_link_names", "partnerships_city_renamed"},
    "sqlite": {
        "partnerships_link_names_insert",
        "partnerships_link_names_update",
        "partnerships_city_renamed",
    },
}


def names_in_step():
    """Every link's stored names against its cities' names: the links that differ."""
    return [
        (link.pk, link.city_a_name, link.city_a.name, link.city_b_name, link.city_b.name)
        for link in Link.objects.select_related("city_a", "city_b")
        if (link.city_a_name, link.city_b_name) != (link.city_a.name, link.city_b.name)
    ]


def test_the_triggers_are_in_place():
    """A later migration that remakes the links' or cities' table on SQLite drops its triggers;
    this fails until that migration creates them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        found = {row[0] for row in cursor.fetchall()}
    assert TRIGGERS[connection.vendor] <= found


def test_a_new_link_has_its_cities_names():
    link = LinkFactory(city_a__name="Leeds", city_b__name="Kharkiv")
    link.refresh_from_db()
    assert (link.city_a_name, link.city_b_name) == ("Leeds", "Kharkiv")


def test_links_inserted_in_bulk_have_their_cities_names():
    cities = CityFactory.create_batch(4)
    Link.objects.bulk_create(
        [
            Link(city_a=cities[0], city_b=cities[1], slug="bulk-1", kind=Link.Kind.TWIN_TOWN),
            Link(city_a=cities[2], city_b=cities[3], slug="bulk-2", kind=Link.Kind.TWIN_TOWN),
        ]
    )
    assert Link.objects.count() == 2
    assert names_in_step() == []


def test_a_saved_link_cannot_keep_names_that_are_not_its_cities():
    link = LinkFactory(city_a__name="Liverpool", city_b__name="Odesa")
    link.city_a_name, link.city_b_name = "Aardvark", "Zebra"  # a stale or forged value
    link.save()
    assert names_in_step() == []
    Link.objects.filter(pk=link.pk).update(city_a_name="Aardvark")
    assert names_in_step() == []


def test_a_link_given_another_city_takes_its_name():
    link = LinkFactory(city_a__name="Leeds", city_b__name="Kharkiv")
    other = CityFactory(name="Lviv")
    assert other.pk > link.city_a_id
    Link.objects.filter(pk=link.pk).update(city_b=other)
    link.refresh_from_db()
    assert link.city_b_name == "Lviv"
    link.city_b = CityFactory(name="Dnipro")
    link.save()
    link.refresh_from_db()
    assert link.city_b_name == "Dnipro"


def test_a_renamed_city_renames_its_links_on_both_sides():
    earlier, city, later = CityFactory(name="Leeds"), CityFactory(name="Kharkov"), CityFactory(name="Odesa")
    city_is_b = LinkFactory(city_a=earlier, city_b=city)
    city_is_a = LinkFactory(city_a=city, city_b=later)
    assert (city_is_b.city_b_id, city_is_a.city_a_id) == (city.pk, city.pk)
    city.name = "Kharkiv"
    city.save()
    assert names_in_step() == []
    City.objects.filter(pk=city.pk).update(name="Харків")
    assert names_in_step() == []
    city_is_a.refresh_from_db()
    city_is_b.refresh_from_db()
    assert (city_is_b.city_b_name, city_is_a.city_a_name) == ("Харків", "Харків")


def test_the_link_list_is_in_the_order_of_its_cities_names():
    names = ["Zagreb", "Aachen", "Leeds", "Aachen", "Kharkiv", "Odesa", "Brno", "Liverpool"]
    cities = [CityFactory(name=name) for name in names]
    for i, city in enumerate(cities):
        for partner in cities[i + 1 : i + 3]:
            LinkFactory(city_a=city, city_b=partner)
    cities[3].name = "Bergen"  # renamed after its links were made
    cities[3].save()
    visible = Visibility(preview=False)
    by_names = visible.links().order_by("city_a__name", "city_b__name", "pk")
    kept = visible.links().order_by("city_a_name", "city_b_name", "pk")
    assert list(kept) == list(by_names)
    assert len(by_names) == 13


def test_history_does_not_record_the_names():
    link = LinkFactory()
    record = link.history.latest()
    assert not hasattr(record, "city_a_name")


def test_statements_name_their_link_from_the_names_kept_on_it(client):
    """The statement list, a city's page and a statement's page name a statement's link without
    reading its cities, and show a renamed city's new name at once."""
    statement = StatementFactory(link__city_a__name="Liverpool", link__city_b__name="Odessa")
    link = statement.link
    pages = ["/statements/", link.city_a.get_absolute_url(), statement.get_absolute_url()]
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/statements/").status_code == 200
    (main,) = [q["sql"] for q in captured.captured_queries if 'FROM "partnerships_statement"' in q["sql"]][
        -1:
    ]
    assert main.count('JOIN "partnerships_city"') == 1  # the statement's own city, not the link's two
    link.city_b.name = "Odesa"
    link.city_b.save()
    for path in pages:
        html = client.get(path).content.decode()
        assert "Liverpool–Odesa" in html, path
        assert "Odessa" not in html, path
