"""The lists' last pages cost what their first do, and the statement list's filters read
through indexes (twinning/pagination.py, docs/adr/0068-deep-pages-and-list-filters.md).

The pages must be the very rows Django's own paginator gives, on both databases. On PostgreSQL
the plans are checked too: a deep page builds its own rows only, and the statements about a
city are found through the statements' indexes.
"""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from appeals.models import Appeal
from partnerships.models import City, Link, Statement
from partnerships.queries import Visibility, about_city
from tests.factories import LinkFactory
from twinning import demo_data
from twinning.pagination import KeysFirstPaginator

SIZES = demo_data.Sizes(cities=300, links=900, events=900, statements=600, appeals=60, hub_links=40)
PER_PAGE = 25


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_data.generate(SIZES)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        yield
        demo_data.delete_demo_data()


def lists():
    """The querysets the paginated pages page through, as their views build them."""
    public, preview = Visibility(preview=False), Visibility(preview=True)
    return {
        "cities": public.cities_with_link_counts(),
        "links": public.links().with_cities().order_by("city_a_name", "city_b_name", "pk"),
        "statements": public.statements().with_people().order_by("-date", "-pk"),
        "statements (preview)": preview.statements().with_people().order_by("-date", "-pk"),
        "appeals": Appeal.objects.published().in_display_order().for_cards(),
        "cities with an active link": public.cities_with_link_counts().filter(
            public.has_link_with_status("active")
        ),
        "statements about the hub": public.statements()
        .filter(about_city(City.objects.filter(slug=demo_data.HUB_CITY_SLUG).values("pk")))
        .with_people()
        .order_by("-date", "-pk"),
        "appeals of a city": Appeal.objects.published()
        .filter(cities__slug=demo_data.HUB_CITY_SLUG)
        .in_display_order(),
    }


@pytest.mark.parametrize("name", sorted(lists()))
def test_every_page_has_the_rows_django_paginator_gives(data, db, name):
    queryset = lists()[name]
    per_page = 2  # small pages, so that the shortest lists have several
    keys_first = KeysFirstPaginator(queryset, per_page, orphans=1)
    plain = Paginator(queryset, per_page, orphans=1)
    assert keys_first.num_pages == plain.num_pages > 1
    last = keys_first.num_pages
    for number in sorted({*range(1, min(last, 12) + 1), last - 1, last} - {0}):
        got = [row.pk for row in keys_first.page(number).object_list]
        assert got == [row.pk for row in plain.page(number).object_list], (name, number)
        assert len(got) >= per_page or number == last


def test_a_page_keeps_its_rows_annotations_and_prefetches(data, db, django_assert_num_queries):
    paginator = KeysFirstPaginator(Appeal.objects.published().in_display_order().for_cards(), 10)
    page = paginator.page(3)
    with django_assert_num_queries(3):  # the appeals, their cities, their latest totals
        appeals = list(page.object_list)
        assert all(hasattr(a, "status_rank") for a in appeals)
        [list(a.cities.all()) for a in appeals]
        [a.latest_totals for a in appeals]


def test_a_distinct_queryset_is_paged_as_by_django(data, db):
    queryset = City.objects.filter(links_as_a__is_published=True).distinct().order_by("name", "pk")
    keys_first, plain = KeysFirstPaginator(queryset, PER_PAGE), Paginator(queryset, PER_PAGE)
    assert keys_first.num_pages > 2
    for number in keys_first.page_range:
        assert list(keys_first.page(number).object_list) == list(plain.page(number).object_list)


def test_a_queryset_with_a_window_function_is_paged_as_by_django(data, db):
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    queryset = City.objects.annotate(n=Window(RowNumber(), order_by=[F("name"), F("pk")])).order_by(
        "name", "pk"
    )
    page = KeysFirstPaginator(queryset, PER_PAGE).page(3)
    assert [c.n for c in page.object_list] == list(range(2 * PER_PAGE + 1, 3 * PER_PAGE + 1))


def test_a_page_of_a_list_is_paged_as_by_django(db):
    paginator = KeysFirstPaginator(list(range(103)), 25, orphans=3)
    assert paginator.num_pages == 4
    assert list(paginator.page(4).object_list) == list(range(75, 103))


def _cities_with(status, preview=False):
    visible = Visibility(preview=preview)
    return visible.cities_with_link_counts().filter(visible.has_link_with_status(status))


def test_a_count_is_counted_once_per_content_version_and_filter(data, db, django_assert_num_queries):
    truth = {status: _cities_with(status).count() for status in ("active", "ended")}
    assert truth["active"] != truth["ended"]
    with django_assert_num_queries(2):  # each filter counts once...
        counted = {status: KeysFirstPaginator(_cities_with(status), PER_PAGE).count for status in truth}
    with django_assert_num_queries(0):  # ...and then the count is shared
        again = {status: KeysFirstPaginator(_cities_with(status), PER_PAGE).count for status in truth}
    assert counted == again == truth


def test_a_count_follows_the_content_at_once(data, db, django_assert_num_queries):
    before = KeysFirstPaginator(_cities_with("active"), PER_PAGE).count
    before_preview = KeysFirstPaginator(_cities_with("active", preview=True), PER_PAGE).count
    draft = LinkFactory(status=Link.Status.ACTIVE, is_published=False)  # two new cities
    assert KeysFirstPaginator(_cities_with("active"), PER_PAGE).count == before
    assert KeysFirstPaginator(_cities_with("active", preview=True), PER_PAGE).count == before_preview + 2
    draft.is_published = True
    draft.save()
    assert KeysFirstPaginator(_cities_with("active"), PER_PAGE).count == before + 2


def test_the_cities_page_shows_the_count_of_its_filter(data, db, client):
    response = client.get("/cities/?status=active")
    assert response.context["paginator"].count == _cities_with("active").count()
    LinkFactory(status=Link.Status.ACTIVE)
    response = client.get("/cities/?status=active")
    assert response.context["paginator"].count == _cities_with("active").count()


def test_a_list_with_its_keys_kept_has_the_rows_django_paginator_gives(data, db):
    paged = 0
    for status in Link.Status.values:
        queryset = _cities_with(status)
        keys_kept = KeysFirstPaginator(queryset, 2, orphans=1, keep_keys=True)
        plain = Paginator(queryset, 2, orphans=1)
        assert keys_kept.keep_keys
        assert (keys_kept.count, keys_kept.num_pages) == (plain.count, plain.num_pages), status
        for number in keys_kept.page_range:
            got = [(city.pk, city.link_count) for city in keys_kept.page(number).object_list]
            assert got == [(city.pk, city.link_count) for city in plain.page(number).object_list], status
        paged += plain.num_pages > 2
    assert paged >= 2  # lists of several pages were compared, not only empty ones


def test_kept_keys_are_read_once_per_content_version(data, db, django_assert_num_queries):
    last = -(-_cities_with("proposed").count() // PER_PAGE)
    assert last > 2
    with django_assert_num_queries(2):  # the keys once, then the page's own rows
        list(KeysFirstPaginator(_cities_with("proposed"), PER_PAGE, keep_keys=True).page(last).object_list)
    with django_assert_num_queries(1) as captured:  # any page, however deep: its rows only
        list(
            KeysFirstPaginator(_cities_with("proposed"), PER_PAGE, keep_keys=True).page(last - 1).object_list
        )
    assert "OFFSET" not in captured.captured_queries[0]["sql"]


def test_kept_keys_follow_the_content_at_once(data, db, client):
    def listed(status):
        paginator = client.get(f"/cities/?status={status}").context["paginator"]
        assert paginator.keep_keys
        return {city.pk for number in paginator.page_range for city in paginator.page(number).object_list}

    before = listed("suspended")
    link = LinkFactory(status=Link.Status.SUSPENDED)
    assert listed("suspended") == before | {link.city_a_id, link.city_b_id}
    link.status = Link.Status.ACTIVE
    link.save()
    assert listed("suspended") == before
    assert {link.city_a_id, link.city_b_id} <= listed("active")


def test_the_cities_pages_filtered_by_status_are_djangos_pages(data, db, client):
    plain = Paginator(_cities_with("proposed"), PER_PAGE)
    assert plain.num_pages > 2
    for number in (1, 2, plain.num_pages):
        response = client.get(f"/cities/?status=proposed&page={number}")
        assert [c.pk for c in response.context["cities"]] == [c.pk for c in plain.page(number).object_list]
    assert client.get(f"/cities/?status=proposed&page={plain.num_pages + 1}").status_code == 404


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")


def _plan(sql, params, *, analyze=False, bitmap_only=False, off=()):
    """PostgreSQL's plan for ``sql``, with the planner's methods ``off`` made as dear as it
    allows (``bitmap_only``: only bitmap scans, which need a condition an index answers, are
    left to read tables)."""
    if bitmap_only:
        off = (*off, "seqscan", "indexscan", "indexonlyscan")
    with transaction.atomic(), connection.cursor() as cursor:
        for kind in off:
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute(("EXPLAIN ANALYZE " if analyze else "EXPLAIN ") + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_query(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return captured.captured_queries


@postgresql_only
def test_a_deep_page_of_cities_counts_the_links_of_its_own_cities_only(data, db, client):
    """Each city's count of links is a subquery per row: Django's slicing ran it for every city
    skipped as well (page 10 ran it 250 times)."""
    last = -(-City.objects.count() // PER_PAGE)
    queries = _page_query(client, f"/cities/?page={last - 1}")
    (sql,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "partnerships_city"."id"')]
    text = _plan(sql, None, analyze=True)
    loops = [int(n) for n in re.findall(r"Scan on partnerships_link u0 .*loops=(\d+)\)", text)]
    assert loops and max(loops) <= PER_PAGE, text


@postgresql_only
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("", "link_list_order"),
        ("status=active&", "link_list_status"),
        ("kind=twin_town&", "link_list_kind"),
        ("status=active&kind=twin_town&", "link_list_status_kind"),
    ],
)
def test_a_deep_page_of_links_walks_an_index_in_the_lists_order(data, db, client, query, index):
    """The keys of a page of links, filtered or not, come from an index in the list's order
    (docs/adr/0077-link-order-kept-by-the-database.md): with sorting made as dear as PostgreSQL
    allows, the plan still needs no sort of the links it skips, only of the page's own rows."""
    queries = _page_query(client, f"/links/?{query}page=3")
    (sql,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "partnerships_link"."id"')]
    text = _plan(sql, None, off=("sort", "seqscan"))
    assert f"using {index} on partnerships_link" in text, text
    # The one sort left is of the page's rows, after they were found by key.
    assert text.count("Sort Key") <= 1, text


@postgresql_only
def test_the_statements_about_a_city_are_found_through_indexes(data, db, client):
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    queries = _page_query(client, f"/statements/?city={hub.slug}")
    # The count for the paginator and the page itself (the filter's choices are read too).
    about = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(
            (
                'SELECT COUNT(*) AS "__count" FROM "partnerships_statement"',
                'SELECT "partnerships_statement"."id"',
            )
        )
    ]
    assert len(about) == 2
    for sql in about:
        text = _plan(sql, None, bitmap_only=True)
        assert "Seq Scan" not in text, text
        assert "on partnerships_statement_city_id" in text and "on partnerships_statement_link_id" in text, (
            text
        )


def test_the_statements_about_a_city_are_its_own_and_its_links(data, db, client):
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    response = client.get(f"/statements/?city={hub.slug}")
    assert response.status_code == 200
    # Worked out here as the filter was first written: the city's own statements, and those
    # about a link with the city at either end.
    about = Q(city=hub) | Q(link__city_a=hub) | Q(link__city_b=hub)
    expected = list(
        Visibility().statements().filter(about).order_by("-date", "-pk").values_list("pk", flat=True)
    )
    assert response.context["paginator"].count == len(expected) > PER_PAGE
    assert [s.pk for s in response.context["statements"]] == expected[:PER_PAGE]
    unpublished = Statement.objects.filter(is_published=False).values_list("pk", flat=True)
    assert not set(expected) & set(unpublished)
