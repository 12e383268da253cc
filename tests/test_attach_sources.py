"""``attach_sources`` reads the sources of records of several models in one query, and gives
each record the list the SOURCES prefetch gives it, in the same order."""

import pytest
from django.db.models import prefetch_related_objects

from appeals.models import Appeal
from partnerships.models import City, Event, Link, Statement
from partnerships.queries import SOURCES, attach_sources
from tests.factories import (
    AlternativeClaimFactory,
    AppealFactory,
    CityFactory,
    EventFactory,
    LinkFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    shared = SourceFactory(publisher="Kharkiv City Council", title="Twinning renewed")
    zed = SourceFactory(publisher="Zed Herald", title="A")
    early = SourceFactory(publisher="Abbey Press", title="B")
    city = CityFactory()
    city.sources.set([zed, shared, early])
    event = EventFactory()
    event.sources.set([shared])
    link = event.link
    link.sources.set([early, zed])
    claim = AlternativeClaimFactory(event=event)  # its own source
    statement = StatementFactory(link=link, sources=[shared, zed])
    appeal = AppealFactory()
    appeal.sources.set([early])
    bare = CityFactory()  # no sources at all
    return [city, link, event, claim, statement, appeal, bare]


def _fresh(records):
    return [type(r).objects.get(pk=r.pk) for r in records]


def test_one_query_gives_every_record_what_the_prefetch_gives(records, django_assert_num_queries):
    expected = {}
    for record in _fresh(records):
        prefetch_related_objects([record], SOURCES)
        expected[type(record), record.pk] = [s.pk for s in record.source_list]
    got = _fresh(records)
    with django_assert_num_queries(1):
        attach_sources(got)
    assert {(type(r), r.pk): [s.pk for s in r.source_list] for r in got} == expected
    assert expected[City, records[-1].pk] == []
    assert len(expected[City, records[0].pk]) == 3


def test_the_same_record_twice_gets_its_sources_on_both(records):
    link = records[1]
    first, second = Link.objects.get(pk=link.pk), Link.objects.get(pk=link.pk)
    attach_sources([first, second, None])
    assert [s.pk for s in first.source_list] == [s.pk for s in second.source_list] != []


def test_nothing_to_attach_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        attach_sources([])
        attach_sources([None])


def test_sources_are_in_the_order_of_the_prefetch(records):
    city = City.objects.get(pk=records[0].pk)
    attach_sources([city])
    assert [s.publisher for s in city.source_list] == ["Abbey Press", "Kharkiv City Council", "Zed Herald"]


def test_models_are_those_of_both_apps(records):
    got = [
        Appeal.objects.get(pk=records[5].pk),
        Statement.objects.get(pk=records[4].pk),
        Event.objects.get(pk=records[2].pk),
    ]
    attach_sources(got)
    assert [len(r.source_list) for r in got] == [1, 2, 1]


def test_a_source_also_cited_by_a_record_not_on_the_page_is_read_once(django_assert_num_queries):
    shared = SourceFactory()
    on_page, elsewhere = LinkFactory(), LinkFactory()
    on_page.sources.set([shared])
    elsewhere.sources.set([shared, SourceFactory()])
    link = Link.objects.get(pk=on_page.pk)
    with django_assert_num_queries(1):
        attach_sources([link])
    assert [s.pk for s in link.source_list] == [shared.pk]
