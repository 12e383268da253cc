"""The demo data generator: exact sizes, every rule kept, reproducible, and never over real data."""

import datetime
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q

from appeals.models import Appeal, AppealUpdate, DonationRoute, RaisedFigure
from partnerships.models import City, Event, Link, Person, Source, Statement
from tests import factories as f
from twinning import demo_data, page_cache

pytestmark = pytest.mark.django_db

TINY = demo_data.Sizes(cities=12, links=30, events=70, statements=25, appeals=4, hub_links=6)


def fingerprint():
    """A digest of what was generated, to compare two runs."""
    rows = [
        *City.objects.order_by("slug").values_list("slug", "name", "country", "latitude", "population"),
        *Link.objects.order_by("slug").values_list("slug", "city_a__slug", "city_b__slug", "kind", "status"),
        *Event.objects.order_by("link__slug", "sort_order").values_list("link__slug", "date", "status"),
        *Statement.objects.order_by("speaker__slug", "date", "quote").values_list("speaker__slug", "date"),
        *RaisedFigure.objects.order_by("appeal__slug", "as_of", "part").values_list("appeal__slug", "amount"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_small_has_the_sizes_asked_for_and_a_hub():
    call_command("generate_demo_data", "--small", stdout=None)
    small = demo_data.SMALL
    assert City.objects.count() == small.cities
    assert Link.objects.count() == small.links
    assert Event.objects.count() == small.events
    assert Statement.objects.count() == small.statements
    assert Appeal.objects.count() == small.appeals
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    assert Link.objects.involving(hub).count() == small.hub_links
    assert RaisedFigure.objects.exists() and AppealUpdate.objects.exists() and DonationRoute.objects.exists()
    showcase = Link.objects.get(slug=demo_data.SHOWCASE_LINK_SLUG)
    assert showcase.is_published and hub in (showcase.city_a, showcase.city_b)
    assert showcase.events.count() > 10 and showcase.statements.exists() and showcase.appeals.exists()


def test_sizes_are_adjustable():
    call_command(
        "generate_demo_data",
        "--cities=12",
        "--links=30",
        "--events=70",
        "--statements=25",
        "--appeals=4",
        "--hub-links=6",
    )
    assert (City.objects.count(), Link.objects.count(), Event.objects.count()) == (12, 30, 70)
    assert (Statement.objects.count(), Appeal.objects.count()) == (25, 4)


def test_every_database_rule_is_kept():
    demo_data.generate(TINY, seed=3)
    # Canonical pairs, no pair twice (the constraints would have refused the insert; say it anyway).
    assert not Link.objects.filter(city_a__gte=F("city_b")).exists()
    pairs = list(Link.objects.values_list("city_a", "city_b"))
    assert len(pairs) == len(set(pairs))
    # Partial dates normalised, none before 1900 or after today.
    today = datetime.date.today()
    for event in Event.objects.all():
        assert datetime.date(1900, 1, 1) <= event.date <= today
        if event.date_precision == "year":
            assert (event.date.month, event.date.day) == (1, 1)
        if event.date_precision == "month":
            assert event.date.day == 1
    # Statements are about something and spoken in their speaker's own role.
    assert not Statement.objects.filter(link=None, city=None, appeal=None).exists()
    assert not Statement.objects.exclude(role=None).exclude(role__person=F("speaker")).exists()
    assert not DonationRoute.objects.exclude(url__startswith="https://").exists()
    # Every record passes the model's own validation, as if staff had entered it.
    for model in (City, Link, Event, Statement, Appeal, RaisedFigure, AppealUpdate, DonationRoute, Source):
        for obj in model.objects.all()[:20]:
            obj.full_clean()


def test_derived_status_matches_the_models_own_rule():
    demo_data.generate(TINY, seed=5)
    for link in Link.objects.all():
        stored = (link.status, link.status_since, link.status_since_precision, link.started_on)
        link.refresh_derived(save=False)
        assert (link.status, link.status_since, link.status_since_precision, link.started_on) == stored


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    demo_data.generate(TINY, seed=11)
    first = fingerprint()
    demo_data.generate(TINY, seed=11)  # replaces the earlier set
    assert fingerprint() == first
    assert City.objects.count() == TINY.cities
    demo_data.generate(TINY, seed=12)
    assert fingerprint() != first


def test_refuses_a_database_with_real_content_unless_forced():
    real = f.LinkFactory(slug="leeds-kharkiv")
    with pytest.raises(CommandError, match=r"not demo data.*--force"):
        call_command("generate_demo_data", "--small")
    assert not City.objects.filter(slug__startswith="demo-").exists()

    call_command("generate_demo_data", "--small", "--force")
    assert City.objects.filter(slug__startswith="demo-").count() == demo_data.SMALL.cities
    # Deleting the demo data leaves the real content exactly as it was.
    demo_data.delete_demo_data()
    assert list(Link.objects.all()) == [real]
    assert City.objects.count() == 2 and Source.objects.count() == 0


def test_if_missing_does_nothing_when_the_same_set_is_there(capsys):
    call_command("generate_demo_data", "--small")
    link_ids = set(Link.objects.values_list("pk", flat=True))
    call_command("generate_demo_data", "--small", "--if-missing")
    assert "already there" in capsys.readouterr().out
    assert set(Link.objects.values_list("pk", flat=True)) == link_ids
    call_command("generate_demo_data", "--small", "--seed=2", "--if-missing")
    assert set(Link.objects.values_list("pk", flat=True)) != link_ids


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cities=2"], "at least 3 cities"),
        (["--links=10", "--hub-links=20"], "at least as many links as the hub"),
        (["--cities=5", "--hub-links=2", "--links=40"], "more links than there are pairs"),
        (["--events=10"], "at least one event per link"),
        (["--appeals=-1"], "cannot be negative"),
    ],
)
def test_impossible_sizes_are_refused_with_a_reason(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo_data", "--small", *args)
    assert not City.objects.exists()


def test_generating_and_deleting_invalidate_the_page_cache():
    before = page_cache.current_version()
    demo_data.generate(TINY, seed=1)
    after = page_cache.current_version()
    assert after > before
    demo_data.delete_demo_data()
    assert page_cache.current_version() > after
    assert not City.objects.exists() and not Source.objects.exists() and not Person.objects.exists()
    assert not Link.objects.filter(Q(slug__startswith="demo-")).exists()
