"""Querysets compiled once per connection (twinning/precompiled.py): they read the database on
every call, compile their SQL once per connection, and whatever is built on them compiles its
own."""

from unittest import mock

import pytest
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from partnerships.models import Link
from tests import factories as f
from tests.concurrency import at_once
from twinning import views
from twinning.precompiled import Precompiled

pytestmark = pytest.mark.django_db


def published_links():
    return Precompiled(lambda: Link.objects.filter(is_published=True).order_by("slug"))


def count_compiles():
    return mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)


class TestPrecompiled:
    def test_each_call_reads_the_database(self):
        links = published_links()
        first = f.LinkFactory(slug="a-b")
        assert [link.slug for link in links()] == ["a-b"]
        f.LinkFactory(slug="c-d")
        f.LinkFactory(slug="e-f", is_published=False)
        assert [link.slug for link in links()] == ["a-b", "c-d"]
        first.delete()
        assert [link.slug for link in links()] == ["c-d"]

    def test_the_sql_is_compiled_once_per_connection(self):
        links = published_links()
        f.LinkFactory(slug="a-b")
        with count_compiles() as as_sql:
            for _ in range(3):
                assert [link.slug for link in links()] == ["a-b"]
        assert as_sql.call_count == 1

    def test_it_runs_the_sql_the_queryset_would(self):
        f.LinkFactory(slug="a-b")
        with CaptureQueriesContext(connection) as ordinary:
            list(Link.objects.filter(is_published=True).order_by("slug"))
        links = published_links()
        list(links())
        with CaptureQueriesContext(connection) as precompiled:
            list(links())
        assert [q["sql"] for q in precompiled] == [q["sql"] for q in ordinary]

    def test_a_queryset_built_on_it_compiles_its_own_sql(self):
        links = published_links()
        f.LinkFactory(slug="a-b")
        f.LinkFactory(slug="c-d")
        list(links())  # compiled and remembered
        assert links().count() == 2
        assert links().exists()
        assert [link.slug for link in links().filter(slug="c-d")] == ["c-d"]
        assert [link.slug for link in links().exclude(slug="c-d")] == ["a-b"]
        assert [link.slug for link in links()[1:]] == ["c-d"]
        assert list(links().values_list("slug", flat=True)) == ["a-b", "c-d"]
        assert [link.slug for link in links()] == ["a-b", "c-d"]

    def test_each_call_is_a_fresh_queryset(self):
        links = published_links()
        f.LinkFactory(slug="a-b")
        evaluated = links()
        assert len(evaluated) == 1
        f.LinkFactory(slug="c-d")
        assert len(evaluated) == 1  # a queryset keeps its own rows, as any does
        assert len(links()) == 2

    @pytest.mark.django_db(transaction=True)
    def test_each_thread_runs_it_on_its_own_connection(self):
        links = published_links()
        f.LinkFactory(slug="a-b")
        list(links())
        seen, used = [], []

        def visit(_i):
            seen.append([link.slug for link in links()])
            compiler = links().query.compilers.get(connections["default"])
            used.append(compiler is not None and compiler.connection is connections["default"])

        at_once(visit, 3, timeout=30)
        assert seen == [["a-b"]] * 3
        query = links().query
        # Each thread compiled for its own connection; this thread's compiler is still its own.
        assert used == [True] * 3
        assert query.compilers[connections["default"]].connection is connections["default"]


class TestHomePage:
    def test_an_edit_shows_on_the_home_page_at_once(self, client, settings):
        settings.PAGE_CACHE_ENABLED = False
        link = f.LinkFactory(city_a__name="Leeds", city_b__name="Kharkiv")
        assert "Leeds–Kharkiv" not in client.get("/").content.decode()
        link.is_featured = True
        link.save()
        assert "Leeds–Kharkiv" in client.get("/").content.decode()
        f.EventFactory(link=link, title="A new chapter")
        assert "A new chapter" in client.get("/").content.decode()

    def test_the_home_page_compiles_its_queries_once(self, client, settings):
        settings.PAGE_CACHE_ENABLED = False
        f.EventFactory()
        f.StatementFactory()
        client.get("/")
        with count_compiles() as as_sql:
            for _ in range(3):
                assert client.get("/").status_code == 200
        assert as_sql.call_count == 0
        assert views.HOME_EVENTS().query.compilers.get(connections["default"]) is not None


@pytest.mark.django_db(transaction=True)
def test_threads_compiling_at_once_each_get_the_whole_sql():
    """At a worker's start its threads compile the same query for their own connections at the
    same moment; each must get the SQL an ordinary queryset compiles, and the rows."""
    event = f.EventFactory()

    def build():
        return (
            views.Visibility(preview=False)
            .events()
            .select_related("link__city_a", "link__city_b")
            .only(*views.HOME_EVENT_FIELDS)
            .order_by("-date", "-sort_order", "-pk")[: views.LATEST]
        )

    expected = build().query.get_compiler("default").as_sql()
    workers = 12
    failures = []
    for _ in range(15):
        events = Precompiled(build)
        events()  # built once, as on a worker's first request

        def visit(_i, events=events):
            try:
                rows = [(e.pk, e.link.city_a.name) for e in events()]
                compiled = events().query.compilers[connections["default"]].as_sql()
                if rows != [(event.pk, event.link.city_a.name)] or compiled != expected:
                    failures.append((rows, compiled))
            except Exception as error:  # any failure in a thread fails the test
                failures.append(repr(error))

        at_once(visit, workers)
    assert failures == []
