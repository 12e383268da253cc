import datetime
from decimal import Decimal

import pytest

from appeals import initial_content
from appeals.models import Appeal, AppealUpdate, DonationRoute, RaisedFigure
from partnerships.models import Source
from tests.factories import CityFactory, LinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    cities = {
        slug: CityFactory(slug=slug, name=slug.title()) for slug in ["leeds", "kharkiv", "liverpool", "odesa"]
    }
    LinkFactory(city_a=cities["leeds"], city_b=cities["kharkiv"], slug="leeds-kharkiv")
    LinkFactory(city_a=cities["liverpool"], city_b=cities["odesa"], slug="liverpool-odesa")
    return cities


def snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (
            Appeal,
            DonationRoute,
            RaisedFigure,
            AppealUpdate,
            Source,
            Appeal.cities.through,
            Appeal.links.through,
        )
    }


def test_load_is_idempotent(places):
    counts = initial_content.load()
    assert counts == {"appeals": 3, "donation routes": 2, "raised figures": 7, "updates": 7}
    first = snapshot()
    assert initial_content.load() == counts
    assert snapshot() == first


def test_leeds_together_for_ukraine(places):
    initial_content.load()
    appeal = Appeal.objects.get(slug="leeds-together-for-ukraine")
    assert appeal.is_published
    assert appeal.organiser == "Leeds City Council"
    assert appeal.administering_charity == "Leeds Community Foundation"
    assert appeal.charity_number == ""  # left for staff to enter from the register
    assert appeal.launched_on == datetime.date(2022, 3, 8)
    history = [(f.as_of, f.amount, f.qualifier, f.source.publisher) for f in appeal.figures.order_by("as_of")]
    assert history[0][:3] == (datetime.date(2022, 3, 8), Decimal(50000), "exact")
    assert history[1][:3] == (datetime.date(2022, 3, 17), Decimal(66500), "more_than")
    assert history[1][3] == "Yorkshire Evening Post"
    assert history[2][:3] == (datetime.date(2022, 7, 1), Decimal(140000), "more_than")
    assert appeal.figures.get(as_of=datetime.date(2022, 7, 1)).as_of_precision == "month"
    route = appeal.routes.get()
    assert route.url.startswith("https://www.justgiving.com/") and "JustGiving" in route.label
    assert [c.slug for c in appeal.cities.all()] == ["leeds"]
    assert [link.slug for link in appeal.links.all()] == ["leeds-kharkiv"]


def test_ukraine_aid_appeal_is_goods_with_conflicting_sourced_accounts(places):
    initial_content.load()
    appeal = Appeal.objects.get(slug="ukraine-aid-appeal")
    assert appeal.kind == Appeal.Kind.GOODS
    assert appeal.sponsor == "Leeds Charity Lunch"
    assert not appeal.routes.exists()  # no donation address is known; none is invented
    assert all(f.amount is None and f.in_words for f in appeal.figures.all())
    two, more = appeal.updates.order_by("date")
    assert "Two vans" in two.title and "Rob Burrow" in two.title
    assert two.conflicts_with == more and more.conflicts_with == two
    assert {s.publisher for s in two.sources.all()} != {s.publisher for s in more.sources.all()}


def test_dec_appeal(places):
    initial_content.load()
    appeal = Appeal.objects.get(slug="dec-ukraine-humanitarian-appeal")
    assert appeal.routes.get().url == "https://www.dec.org.uk/appeal/ukraine-humanitarian-appeal"
    assert appeal.launched_on == datetime.date(2022, 3, 3)
    assert {c.slug for c in appeal.cities.all()} == {"liverpool", "odesa"}
    assert appeal.figures.order_by("-as_of").first().amount == Decimal(400_000_000)


def test_missing_cities_and_links_are_skipped():
    counts = initial_content.load()
    assert counts["appeals"] == 3
    assert not Appeal.cities.through.objects.exists()


def test_loaded_pages_render(client, places, today):
    initial_content.load()
    assert client.get("/appeals/").status_code == 200
    for appeal in Appeal.objects.all():
        response = client.get(appeal.get_absolute_url())
        assert response.status_code == 200
    html = client.get("/appeals/ukraine-aid-appeal/").content.decode()
    assert "Sources differ." in html


def test_the_public_pages_speak_to_readers_not_to_staff(client, places, today):
    """What is not in the sources (a campaign page's address, a report's publisher) is said as
    a reader needs it, not as a note to the council's staff."""
    initial_content.load()
    for appeal in Appeal.objects.all():
        html = client.get(appeal.get_absolute_url()).content.decode()
        for staff_words in ("by staff", "staff to", "The title is ours"):
            assert staff_words not in html, (appeal.slug, staff_words)
    route = DonationRoute.objects.get(appeal__slug="leeds-together-for-ukraine")
    assert route.label == "JustGiving: search there for “Leeds Together for Ukraine”"
