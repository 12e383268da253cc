import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerships import dates
from partnerships.dates import Precision
from partnerships.models import City, Event, Link, Person, Role, Statement
from tests.factories import (
    CityFactory,
    EventFactory,
    LinkFactory,
    PersonFactory,
    RoleFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def violates_database():
    """Expect the database itself to refuse the write."""
    return _Refused()


class _Refused:
    def __enter__(self):
        self.raises = pytest.raises(IntegrityError)
        self.raises.__enter__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        suppressed = self.atomic.__exit__(*exc)
        return self.raises.__exit__(*exc) or suppressed


class TestDatabaseConstraints:
    """Bypassing clean(): the database refuses invalid rows on its own."""

    def test_link_to_itself(self):
        city = CityFactory()
        with violates_database():
            Link.objects.bulk_create([Link(city_a=city, city_b=city, slug="x", kind="twin_town")])

    def test_pair_in_the_other_order_is_the_same_pair(self):
        a, b = CityFactory(), CityFactory()
        LinkFactory(city_a=a, city_b=b)
        with violates_database():
            # save() stores the pair in canonical order, so B–A collides with A–B.
            Link(city_a=b, city_b=a, slug="other-order", kind="twin_town").save()

    def test_pair_stored_out_of_order_is_refused(self):
        a, b = CityFactory(), CityFactory()
        low, high = sorted([a, b], key=lambda c: c.pk)
        with violates_database():
            Link.objects.bulk_create([Link(city_a=high, city_b=low, slug="y", kind="twin_town")])

    def test_save_normalises_the_pair(self):
        a, b = CityFactory(), CityFactory()
        low, high = sorted([a, b], key=lambda c: c.pk)
        link = LinkFactory(city_a=high, city_b=low)
        assert (link.city_a, link.city_b) == (low, high)

    @pytest.mark.parametrize(
        ("field", "value"), [("latitude", "90.5"), ("latitude", "-91"), ("longitude", "180.1")]
    )
    def test_coordinates_in_range(self, field, value):
        with violates_database():
            CityFactory(**{field: Decimal(value)})

    def test_population_needs_its_year(self):
        with violates_database():
            CityFactory(population=1000, population_year=None)

    def test_negative_population(self):
        with violates_database():
            CityFactory(population=-5)

    def test_wikidata_id_unique_but_blank_allowed_many_times(self):
        CityFactory(wikidata_id="")
        CityFactory(wikidata_id="")
        CityFactory(wikidata_id="Q39121")
        with violates_database():
            CityFactory(wikidata_id="Q39121")

    def test_year_precision_date_must_be_first_of_january(self):
        link = LinkFactory()
        with violates_database():
            Event.objects.bulk_create(
                [Event(link=link, date=datetime.date(1957, 3, 5), date_precision=Precision.YEAR, title="x")]
            )

    def test_month_precision_date_must_be_first_of_month(self):
        link = LinkFactory()
        with violates_database():
            Event.objects.bulk_create(
                [Event(link=link, date=datetime.date(2022, 7, 14), date_precision=Precision.MONTH, title="x")]
            )

    def test_event_before_1900(self):
        link = LinkFactory()
        with violates_database():
            Event.objects.bulk_create(
                [Event(link=link, date=datetime.date(1899, 12, 31), date_precision=Precision.DAY, title="x")]
            )

    def test_statement_must_be_about_something(self):
        person = PersonFactory()
        with violates_database():
            Statement.objects.bulk_create(
                [Statement(quote="q", speaker=person, date=datetime.date(2022, 1, 1))]
            )

    def test_person_cannot_die_before_birth(self):
        with violates_database():
            PersonFactory(born_year=1970, died_year=1899)

    def test_role_cannot_end_before_it_starts(self):
        with violates_database():
            RoleFactory(start=datetime.date(2000, 1, 1), end=datetime.date(1990, 1, 1))

    def test_image_needs_alt_text(self):
        with violates_database():
            CityFactory(image="cities/x.jpg", image_alt="")


class TestValidationMessages:
    """The same rules through full_clean(): readable messages, not IntegrityErrors."""

    def test_link_to_itself(self):
        city = CityFactory()
        with pytest.raises(ValidationError) as excinfo:
            Link(city_a=city, city_b=city, slug="s", kind="twin_town").full_clean()
        assert "cannot be linked with itself" in str(excinfo.value)

    def test_pair_exists_in_other_order(self):
        a, b = CityFactory(name="Leeds"), CityFactory(name="Kharkiv")
        LinkFactory(city_a=a, city_b=b)
        with pytest.raises(ValidationError) as excinfo:
            Link(city_a=b, city_b=a, slug="kharkiv-leeds", kind="twin_town").full_clean()
        assert "already linked" in str(excinfo.value)

    def test_event_in_the_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        event = Event(link=LinkFactory(), date=tomorrow, date_precision=Precision.DAY, title="x")
        with pytest.raises(ValidationError) as excinfo:
            event.full_clean()
        assert "future" in str(excinfo.value)

    def test_event_before_1900(self):
        event = Event(
            link=LinkFactory(), date=datetime.date(1850, 1, 1), date_precision=Precision.DAY, title="x"
        )
        with pytest.raises(ValidationError) as excinfo:
            event.full_clean()
        assert "date" in excinfo.value.message_dict

    def test_clean_normalises_partial_dates(self):
        event = Event(
            link=LinkFactory(), date=datetime.date(1957, 6, 15), date_precision=Precision.YEAR, title="x"
        )
        event.full_clean()
        assert event.date == datetime.date(1957, 1, 1)

    def test_coordinates_out_of_range(self):
        city = CityFactory.build(latitude=Decimal("95"), longitude=Decimal("-200"))
        with pytest.raises(ValidationError) as excinfo:
            city.full_clean()
        assert {"latitude", "longitude"} <= set(excinfo.value.message_dict)

    def test_negative_population(self):
        city = CityFactory.build(population=-1)
        with pytest.raises(ValidationError) as excinfo:
            city.full_clean()
        assert "population" in excinfo.value.message_dict

    def test_statement_role_must_belong_to_speaker(self):
        someone_else = RoleFactory()
        statement = StatementFactory.build(speaker=PersonFactory(), role=someone_else, link=LinkFactory())
        with pytest.raises(ValidationError) as excinfo:
            statement.clean()
        assert "belongs to someone else" in str(excinfo.value)

    def test_bad_wikidata_id(self):
        city = CityFactory.build(wikidata_id="39121")
        with pytest.raises(ValidationError) as excinfo:
            city.full_clean()
        assert "Wikidata" in str(excinfo.value)


class TestStatusDerivation:
    def test_status_follows_latest_published_status_event(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(1978, 1, 1), date_precision="year", status="active")
        EventFactory(link=link, date=datetime.date(1995, 1, 1), date_precision="year", status="dormant")
        EventFactory(link=link, date=datetime.date(2005, 1, 1), date_precision="year", status="renewed")
        link.refresh_from_db()
        assert link.status == "renewed"
        assert link.status_since_display == "2005"
        assert link.started_display == "1978"

    def test_events_without_status_do_not_change_it(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(1957, 1, 1), date_precision="year", status="active")
        EventFactory(
            link=link, date=datetime.date(2022, 3, 1), date_precision="month", status="", title="Flag flown"
        )
        link.refresh_from_db()
        assert link.status == "active"
        assert link.status_since_display == "1957"

    def test_unpublished_events_do_not_count_until_published(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(2003, 1, 1), date_precision="year", status="active")
        draft = EventFactory(
            link=link,
            date=datetime.date(2022, 5, 11),
            date_precision="day",
            status="ended",
            is_published=False,
        )
        link.refresh_from_db()
        assert link.status == "active"
        draft.is_published = True
        draft.save()
        link.refresh_from_db()
        assert link.status == "ended"
        assert link.status_since == datetime.date(2022, 5, 11)

    def test_deleting_an_event_rederives(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(2003, 1, 1), date_precision="year", status="active")
        ended = EventFactory(link=link, date=datetime.date(2022, 5, 11), date_precision="day", status="ended")
        ended.delete()
        link.refresh_from_db()
        assert link.status == "active"
        Event.objects.filter(link=link).delete()
        link.refresh_from_db()
        assert link.status == ""
        assert link.started_on is None

    def test_no_start_date_until_active(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(2022, 7, 1), date_precision="month", status="proposed")
        link.refresh_from_db()
        assert link.status == "proposed"
        assert link.started_on is None

    def test_same_date_events_ordered_by_sort_order(self):
        link = LinkFactory()
        EventFactory(link=link, date=datetime.date(2022, 1, 1), status="ended", sort_order=2)
        EventFactory(link=link, date=datetime.date(2022, 1, 1), status="suspended", sort_order=1)
        link.refresh_from_db()
        assert link.status == "ended"


class TestDatePrecision:
    @pytest.mark.parametrize(
        ("precision", "shown", "machine"),
        [("year", "1957", "1957"), ("month", "July 1957", "1957-07"), ("day", "6 July 1957", "1957-07-06")],
    )
    def test_display_keeps_precision(self, precision, shown, machine):
        value = dates.normalise(datetime.date(1957, 7, 6), precision)
        assert dates.display(value, precision) == shown
        assert dates.machine(value, precision) == machine

    def test_year_is_not_first_of_january(self):
        event = EventFactory(date=datetime.date(1957, 1, 1), date_precision="year")
        assert event.date_display == "1957"
        assert "January" not in event.date_display


class TestDistance:
    @pytest.mark.parametrize(
        ("a", "b", "km"),
        [
            (("53.79972", "-1.54917"), ("49.9925", "36.2311"), 2595),  # Leeds–Kharkiv
            (("53.4000", "-2.9830"), ("46.485722", "30.743444"), 2506),  # Liverpool–Odesa
            (("53.79972", "-1.54917"), ("50.6278", "3.0583"), 472),  # Leeds–Lille
        ],
    )
    def test_great_circle_distance(self, a, b, km):
        city_a = City(latitude=Decimal(a[0]), longitude=Decimal(a[1]))
        city_b = City(latitude=Decimal(b[0]), longitude=Decimal(b[1]))
        assert round(city_a.distance_km(city_b)) == km
        assert round(city_b.distance_km(city_a)) == km

    def test_miles(self):
        link = LinkFactory(
            city_a=CityFactory(latitude=Decimal("53.79972"), longitude=Decimal("-1.54917")),
            city_b=CityFactory(latitude=Decimal("49.9925"), longitude=Decimal("36.2311")),
        )
        assert round(link.distance_miles) == 1612


class TestPublication:
    def test_published_querysets(self):
        shown = LinkFactory(is_published=True)
        LinkFactory(is_published=False)
        assert list(Link.objects.published()) == [shown]
        visible = StatementFactory(is_published=True)
        StatementFactory(is_published=False)
        assert list(Statement.objects.published()) == [visible]


class TestRoles:
    def test_span_display(self):
        role = Role(
            person=Person(name="Al Garthwaite"),
            title="Lord Mayor of Leeds",
            start=datetime.date(2023, 1, 1),
            start_precision="year",
            end=datetime.date(2024, 1, 1),
            end_precision="year",
        )
        assert str(role) == "Lord Mayor of Leeds (2023–2024)"
