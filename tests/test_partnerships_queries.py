"""Every public page costs the same number of queries with 10 links as with 1,000."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.dates import Precision
from partnerships.models import AlternativeClaim, City, CityName, Event, Link, Person, Role, Source, Statement
from tests.factories import AppealFactory, DonationRouteFactory, RaisedFigureFactory

# The most queries each page may make, whatever the amount of data.
MAX_QUERIES = {
    "home": 3,
    "city-list": 3,
    "city-detail": 10,  # the page of links, their count and the map's links
    "link-list": 2,
    "link-detail": 9,
    "map": 3,
    "statement-list": 5,
    "statement-detail": 2,
    "person-list": 3,
    "person-detail": 4,
}


def build_network(n_links):
    """A hub city linked to half the towns, town 0 linked to the other half (so the hub link
    has many shared partners), n_links events and statements on the hub link, all in bulk."""
    half = n_links // 2
    sources = Source.objects.bulk_create(
        [
            Source(title=f"Report {i}", publisher="Example News", url=f"https://example.org/{i}")
            for i in range(5)
        ]
    )
    hub = City.objects.create(
        name="Hub", slug="hub", country="GB", latitude=Decimal("53.8"), longitude=Decimal("-1.5")
    )
    hub.sources.add(*sources)
    towns = City.objects.bulk_create(
        [
            City(
                name=f"Town {i:04d}",
                slug=f"town-{i}",
                country=["FR", "UA", "CZ"][i % 3],
                native_name=f"Місто {i}",
                latitude=Decimal("50.0") + Decimal(i) / 1000,
                longitude=Decimal("10.0"),
                population=1000 + i,
                population_year=2020,
            )
            for i in range(half + 1)
        ]
    )
    CityName.objects.bulk_create([CityName(city=hub, name=f"Old Hub {i}") for i in range(n_links)])
    day = datetime.date(2000, 1, 1)
    common = {"kind": Link.Kind.TWIN_TOWN, "is_published": True, "status": "active", "status_since": day}
    common |= {"status_since_precision": Precision.DAY, "started_on": day, "started_precision": Precision.DAY}
    links = [Link(city_a=hub, city_b=town, slug=f"hub-{town.slug}", **common) for town in towns[: half + 1]]
    links += [Link(city_a=towns[0], city_b=town, slug=f"t0-{town.slug}", **common) for town in towns[1:]]
    links = Link.objects.bulk_create(links[:n_links])
    hub_link = links[0]
    Link.sources.through.objects.bulk_create(
        [Link.sources.through(link=lk, source=sources[0]) for lk in links]
    )

    events = Event.objects.bulk_create(
        [
            Event(
                link=hub_link if i < n_links // 2 else links[i],
                date=day + datetime.timedelta(days=i),
                date_precision=Precision.DAY,
                title=f"Event {i}",
                status="active",
                decided_by="The council",
                is_published=True,
            )
            for i in range(n_links)
        ]
    )
    Event.sources.through.objects.bulk_create(
        [Event.sources.through(event=e, source=sources[i % 5]) for i, e in enumerate(events)]
    )
    claims = AlternativeClaim.objects.bulk_create(
        [AlternativeClaim(event=e, claim="Another year", date=datetime.date(1999, 1, 1)) for e in events]
    )
    AlternativeClaim.sources.through.objects.bulk_create(
        [AlternativeClaim.sources.through(alternativeclaim=c, source=sources[4]) for c in claims]
    )

    people = Person.objects.bulk_create(
        [Person(name=f"Person {i:04d}", slug=f"person-{i}") for i in range(n_links)]
    )
    roles = Role.objects.bulk_create(
        [Role(person=p, title="Mayor", city=hub, start=datetime.date(2000, 1, 1)) for p in people]
    )
    statements = Statement.objects.bulk_create(
        [
            Statement(
                quote=f"Statement {i}",
                speaker=people[i % 2],
                role=roles[i % 2],
                date=day + datetime.timedelta(days=i),
                link=hub_link if i % 2 else None,
                city=hub if not i % 2 else None,
                language="uk" if i % 3 else "en",
                translation="In English" if i % 3 else "",
                is_published=True,
            )
            for i in range(n_links)
        ]
    )
    Statement.sources.through.objects.bulk_create(
        [Statement.sources.through(statement=s, source=sources[i % 5]) for i, s in enumerate(statements)]
    )
    Person.sources.through.objects.bulk_create(
        [Person.sources.through(person=people[0], source=s) for s in sources]
    )
    # Open appeals shown on the hub's city and link pages (their cards cost a fixed 3 queries).
    for i in range(1 + n_links // 100):
        appeal = AppealFactory(slug=f"open-appeal-{i}", launched_on=datetime.date(2022, 3, 8))
        appeal.cities.add(hub)
        appeal.links.add(hub_link)
        RaisedFigureFactory(appeal=appeal)
        DonationRouteFactory(appeal=appeal)
    return {
        "home": reverse("home"),
        "city-list": reverse("partnerships:city-list"),
        "city-detail": hub.get_absolute_url(),
        "link-list": reverse("partnerships:link-list"),
        "link-detail": hub_link.get_absolute_url(),
        "map": reverse("partnerships:map"),
        "statement-list": reverse("partnerships:statement-list"),
        "statement-detail": statements[1].get_absolute_url(),
        "person-list": reverse("partnerships:person-list"),
        "person-detail": people[1].get_absolute_url(),
    }


@pytest.fixture(params=[10, 1000], ids=lambda n: f"{n}-links")
def network(request, db):
    n = request.param
    urls = build_network(n)
    assert Link.objects.count() == n
    return urls


@pytest.mark.parametrize("page", sorted(MAX_QUERIES))
def test_query_count_does_not_grow_with_the_data(client, network, django_assert_max_num_queries, page):
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(network[page])
    assert response.status_code == 200


def test_filtered_lists_keep_their_query_count(client, network, django_assert_max_num_queries):
    cases = [
        ("city-list", {"country": "UA", "status": "active"}),
        ("link-list", {"status": "active", "kind": "twin_town"}),
        ("statement-list", {"speaker": "person-1", "city": "hub", "year": "2000"}),
    ]
    for page, params in cases:
        with django_assert_max_num_queries(MAX_QUERIES[page]):
            response = client.get(network[page], params)
        assert response.status_code == 200
        assert "Some of the filters could not be used" not in response.content.decode()


def test_the_big_network_is_really_big(client, db):
    urls = build_network(1000)
    text = client.get(urls["link-detail"]).content.decode()
    assert "Appeals you can give to" in text
    assert "Appeals you can give to" in client.get(urls["city-detail"]).content.decode()
    # Every town linked to both the hub and town 0 is a shared partner of the hub link.
    assert text.count('href="/cities/town-') > 400
    assert text.count("Sources differ:") == 500
