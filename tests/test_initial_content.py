"""The initial content: every fact of the two reports and the reference facts, each with its source."""

import pytest

from partnerships import initial_content
from partnerships.models import AlternativeClaim, City, CityName, Event, Link, Person, Role, Source, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return initial_content.load()


def test_load_is_idempotent(loaded):
    assert loaded["cities"] == 11 and loaded["links"] == 11
    before = {m: m.objects.count() for m in (City, Link, Event, Person, Statement, Source, AlternativeClaim)}
    again = initial_content.load()
    assert set(again.values()) == {0}
    assert {m: m.objects.count() for m in before} == before


def test_load_keeps_staff_edits(loaded):
    Link.objects.filter(slug="leeds-lille").update(summary="Edited by staff")
    initial_content.load()
    assert Link.objects.get(slug="leeds-lille").summary == "Edited by staff"


def test_who_is_kharkiv_twinned_with_and_since_when(loaded):
    kharkiv = City.objects.get(slug="kharkiv")
    links = {
        link.other(kharkiv).slug: link for link in Link.objects.published().involving(kharkiv).with_cities()
    }
    assert links["lille"].started_display == "1978"
    assert links["brno"].started_display == "12 April 2005"
    assert links["leeds"].status == "under_negotiation"
    assert links["moscow"].status == "ended"
    assert links["moscow"].status_since_display == "11 May 2022"


def test_how_leeds_kharkiv_got_where_it_is(loaded):
    link = Link.objects.get(slug="leeds-kharkiv")
    steps = [(e.date_display, e.status) for e in link.events.published()]
    assert steps == [("June 2022", ""), ("July 2022", "proposed"), ("6 December 2023", "under_negotiation")]
    oath = link.events.get(status="under_negotiation")
    assert "Al Garthwaite" in oath.title and "Oleksandr Novak" in oath.title
    assert oath.alternatives.get().sources.get().publisher == "BBC News"


def test_distances_are_computed_not_copied(loaded):
    assert round(Link.objects.get(slug="liverpool-odesa").distance_km) == 2506
    assert round(Link.objects.get(slug="leeds-kharkiv").distance_km) == 2595


def test_sources_disagree_and_both_claims_stand(loaded):
    brno = Link.objects.get(slug="leeds-brno").events.get(status="active")
    assert brno.date_display == "2003"
    assert brno.alternatives.get().date_display == "1991"
    kharkiv_brno = Link.objects.get(slug="kharkiv-brno").events.get(status="active")
    assert kharkiv_brno.alternatives.get().date_display == "2007"


def test_mayor_of_kharkiv_spelled_correctly_with_source_and_date(loaded):
    terekhov = Person.objects.get(slug="ihor-terekhov")
    assert terekhov.name == "Ihor Terekhov"
    assert terekhov.native_name == "Ігор Терехов"
    statement = terekhov.statements.get()
    assert statement.date_display == "July 2022"
    assert statement.role.title == "Mayor of Kharkiv"
    assert "special relationship with Leeds" in statement.quote
    assert statement.sources.exists()


def test_liverpool_odesa_since_1957_instigated_by_braddock(loaded):
    link = Link.objects.get(slug="liverpool-odesa")
    assert link.started_display == "1957"
    first = link.events.published().first()
    assert "Bessie Braddock" in first.title
    titles = " ".join(link.events.values_list("title", flat=True))
    assert "St George's Hall" in titles and "Mary Rasmussen" in titles


def test_every_claim_cites_a_source(loaded):
    assert not Event.objects.filter(sources=None).exists()
    assert not Statement.objects.filter(sources=None).exists()
    assert not AlternativeClaim.objects.filter(sources=None).exists()
    assert not City.objects.filter(population__isnull=False, population_source=None).exists()


def test_initial_content_passes_its_own_validation(loaded):
    for model in (City, CityName, Link, Event, Person, Role, Statement, Source, AlternativeClaim):
        for obj in model.objects.all():
            obj.full_clean()
