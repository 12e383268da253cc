"""Every public page and every admin list has a fixed query budget, the same at any size.

The data comes from the demo data generator, once per module and size: ``small`` is
``generate_demo_data --small``; ``large`` has a city with 500 links and thousands of events
and statements. Each page must stay within its budget at both sizes.
"""

import pytest
from django.urls import reverse

from appeals.models import Appeal, DonationRoute
from partnerships.models import City, Link, Person, Statement
from twinning import demo_data

LARGE = demo_data.Sizes(cities=1500, links=4000, events=12_000, statements=2000, appeals=60, hub_links=500)
SIZES = {"small": demo_data.SMALL, "large": LARGE}

# The most queries each public page may make, whatever the amount of data.
PUBLIC_BUDGETS = {
    "home": 3,
    "city-list": 3,
    "city-list-filtered": 3,
    "city-list-page-2": 3,
    "city-detail": 10,  # the map's links with their count, their partners, the page of links
    "link-list": 2,
    "link-list-filtered": 2,
    "link-list-page-2": 2,
    "link-detail": 9,  # every record's sources in one query (attach_sources)
    "statement-list": 5,
    "statement-list-filtered": 5,
    "statement-detail": 2,
    "person-list": 3,
    "person-detail": 4,
    "appeal-list": 5,
    "appeal-list-city": 5,
    "appeal-detail": 8,
    "appeal-feed": 2,
    "donate": 5,  # the first click of the day: UPDATE, then INSERT in a savepoint
}

# Admin lists: the session and the user (2), the page's rows and their count (2 or 3),
# filters' choices and the date hierarchy; never one per row.
ADMIN_BUDGETS = {
    "partnerships.source": 6,
    "partnerships.city": 5,
    "partnerships.link": 5,
    "partnerships.event": 7,
    "partnerships.person": 5,
    "partnerships.role": 5,
    "partnerships.statement": 7,
    "appeals.appeal": 6,
    "appeals.donationroute": 5,
}
ADMIN_QUERIES = {
    "partnerships.source": [{}, {"q": "Report"}, {"publisher": "Demo Gazette"}],
    "partnerships.city": [{}, {"q": "ton"}, {"country": "UA"}],
    "partnerships.link": [{}, {"q": "Centralia"}, {"status__exact": "active", "is_published__exact": "1"}],
    "partnerships.event": [{}, {"q": "signed"}, {"date__year": "2000"}, {"status__exact": "active"}],
    "partnerships.person": [{}, {"q": "Novak"}, {"o": "-5"}],
    "partnerships.role": [{}, {"q": "Mayor"}],
    "partnerships.statement": [
        {},
        {"q": "partnership"},
        {"is_published__exact": "1", "language__exact": "uk"},
    ],
    "appeals.appeal": [{}, {"q": "relief"}, {"status": "open"}, {"routes": "broken"}],
    "appeals.donationroute": [{}, {"q": "Donation"}, {"is_broken__exact": "0"}],
}


@pytest.fixture(scope="module", params=sorted(SIZES))
def demo(request, django_db_setup, django_db_blocker):
    """The demo data at one size, shared by the module's tests (each runs in its own
    transaction, rolled back, on top of it) and deleted afterwards."""
    with django_db_blocker.unblock():
        demo_data.generate(SIZES[request.param], seed=7)
        yield request.param
        demo_data.delete_demo_data()


def public_urls():
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    link = Link.objects.get(slug=demo_data.SHOWCASE_LINK_SLUG)
    appeal = Appeal.objects.get(slug=demo_data.SHOWCASE_APPEAL_SLUG)
    person = Person.objects.get(slug=demo_data.SHOWCASE_PERSON_SLUG)
    statement = Statement.objects.filter(link=link, is_published=True).first()
    route = DonationRoute.objects.filter(appeal=appeal).first()
    year = statement.date.year
    cities, links = reverse("partnerships:city-list"), reverse("partnerships:link-list")
    statements = reverse("partnerships:statement-list")
    return {
        "home": reverse("home"),
        "city-list": cities,
        "city-list-filtered": f"{cities}?country=GB&status=active",
        "city-list-page-2": f"{cities}?page=2",
        "city-detail": hub.get_absolute_url(),
        "link-list": links,
        "link-list-filtered": f"{links}?status=active&kind=twin_town",
        "link-list-page-2": f"{links}?page=2",
        "link-detail": link.get_absolute_url(),
        "statement-list": statements,
        "statement-list-filtered": f"{statements}?speaker={person.slug}&city={hub.slug}&year={year}",
        "statement-detail": statement.get_absolute_url(),
        "person-list": reverse("partnerships:person-list"),
        "person-detail": person.get_absolute_url(),
        "appeal-list": reverse("appeals:list"),
        "appeal-list-city": f"{reverse('appeals:list')}?city={hub.slug}",
        "appeal-detail": appeal.get_absolute_url(),
        "appeal-feed": reverse("appeals:updates-feed"),
        "donate": route.get_absolute_url(),
    }


def test_the_data_has_the_size_asked_for(demo, db):
    sizes = SIZES[demo]
    assert City.objects.count() == sizes.cities
    assert Link.objects.count() == sizes.links
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    assert Link.objects.involving(hub).count() == sizes.hub_links


@pytest.mark.parametrize("page", sorted(PUBLIC_BUDGETS))
def test_public_page_within_budget(client, demo, db, django_assert_max_num_queries, page):
    url = public_urls()[page]
    with django_assert_max_num_queries(PUBLIC_BUDGETS[page]):
        response = client.get(url)
    assert response.status_code == (302 if page == "donate" else 200), url
    if page.endswith("-filtered"):
        assert "Some of the filters could not be used" not in response.content.decode()


@pytest.mark.parametrize("page", sorted(set(PUBLIC_BUDGETS) - {"donate"}))
def test_a_cached_public_page_costs_no_query(client, demo, db, django_assert_num_queries, page):
    url = public_urls()[page]
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content


@pytest.mark.parametrize("model", sorted(ADMIN_BUDGETS))
def test_admin_list_within_budget(admin_client, demo, db, django_assert_max_num_queries, model):
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    for params in ADMIN_QUERIES[model]:
        with django_assert_max_num_queries(ADMIN_BUDGETS[model]):
            response = admin_client.get(url, params)
        assert response.status_code == 200, (url, params)
        assert "errornote" not in response.content.decode(), (url, params)
