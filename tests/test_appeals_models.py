import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from appeals.models import Appeal, DonationRoute, RaisedFigure
from appeals.money import format_money
from partnerships.dates import Precision
from partnerships.models import Statement
from tests.factories import (
    AppealFactory,
    AppealUpdateFactory,
    CityFactory,
    DonationRouteFactory,
    LinkFactory,
    PersonFactory,
    RaisedFigureFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def messages(exc_info):
    return " ".join(" ".join(v) for v in exc_info.value.message_dict.values())


class TestStatus:
    def test_upcoming_open_and_closed_follow_the_dates(self):
        appeal = AppealFactory.build(launched_on=D(2022, 3, 8), closes_on=D(2022, 6, 30))
        assert appeal.status_on(D(2022, 3, 7)) == Appeal.Status.UPCOMING
        assert appeal.status_on(D(2022, 3, 8)) == Appeal.Status.OPEN
        assert appeal.status_on(D(2022, 6, 30)) == Appeal.Status.OPEN  # the close date is the last day
        assert appeal.status_on(D(2022, 7, 1)) == Appeal.Status.CLOSED

    def test_no_close_date_stays_open(self):
        appeal = AppealFactory.build(launched_on=D(2022, 3, 8), closes_on=None)
        assert appeal.status_on(D(2030, 1, 1)) == Appeal.Status.OPEN

    def test_staff_can_close_early_whatever_the_dates(self):
        appeal = AppealFactory.build(launched_on=D(2022, 3, 8), closes_on=D(2030, 1, 1), closed_early=True)
        assert appeal.status_on(D(2022, 4, 1)) == Appeal.Status.CLOSED

    def test_status_property_asks_the_clock_at_call_time(self, monkeypatch):
        appeal = AppealFactory.build(launched_on=D(2022, 3, 8), closes_on=D(2022, 6, 30))
        monkeypatch.setattr("appeals.clock.today", lambda: D(2022, 3, 1))
        assert appeal.status == "upcoming"
        monkeypatch.setattr("appeals.clock.today", lambda: D(2022, 7, 1))
        assert appeal.status == "closed"

    def test_queryset_status_matches_python_status(self):
        day = D(2022, 8, 1)
        AppealFactory(slug="open", launched_on=D(2022, 3, 1))
        AppealFactory(slug="closing-today", launched_on=D(2022, 3, 1), closes_on=day)
        AppealFactory(slug="upcoming", launched_on=D(2022, 9, 1))
        AppealFactory(slug="closed", launched_on=D(2022, 3, 1), closes_on=D(2022, 7, 31))
        AppealFactory(slug="closed-early", launched_on=D(2022, 3, 1), closed_early=True)
        ranks = {"open": 0, "upcoming": 1, "closed": 2}
        for appeal in Appeal.objects.with_status_rank(day):
            assert appeal.status_rank == ranks[appeal.status_on(day)], appeal.slug
        assert set(Appeal.objects.open_now(day).values_list("slug", flat=True)) == {"open", "closing-today"}


class TestQuerySets:
    def test_published_excludes_drafts(self):
        AppealFactory(slug="draft", is_published=False)
        AppealFactory(slug="public")
        assert list(Appeal.objects.published().values_list("slug", flat=True)) == ["public"]

    def test_display_order_is_open_then_upcoming_then_closed(self):
        day = D(2022, 8, 1)
        AppealFactory(slug="closed", launched_on=D(2022, 5, 1), closes_on=D(2022, 6, 1))
        AppealFactory(slug="upcoming-later", launched_on=D(2022, 12, 1))
        AppealFactory(slug="upcoming", launched_on=D(2022, 9, 1))
        AppealFactory(slug="open-old", launched_on=D(2022, 3, 1))
        AppealFactory(slug="open-new", launched_on=D(2022, 7, 1))
        AppealFactory(slug="closed-earlier", launched_on=D(2022, 1, 1), closes_on=D(2022, 2, 1))
        order = list(Appeal.objects.in_display_order(day).values_list("slug", flat=True))
        # Upcoming appeals soonest first: the next one to open is the one to know about.
        assert order == ["open-new", "open-old", "upcoming", "upcoming-later", "closed", "closed-earlier"]

    def test_for_city_and_for_link(self):
        leeds, kharkiv = CityFactory(slug="leeds"), CityFactory(slug="kharkiv")
        link = LinkFactory(city_a=leeds, city_b=kharkiv, slug="leeds-kharkiv")
        a = AppealFactory(slug="a")
        a.cities.add(leeds)
        a.links.add(link)
        AppealFactory(slug="b").cities.add(kharkiv)
        assert [x.slug for x in Appeal.objects.for_city(leeds)] == ["a"]
        assert [x.slug for x in Appeal.objects.for_link(link)] == ["a"]

    def test_open_for_city_only_open_published(self, django_assert_num_queries):
        day = D(2022, 8, 1)
        leeds = CityFactory(slug="leeds")
        for slug, kwargs in [
            ("open", {}),
            ("draft", {"is_published": False}),
            ("closed", {"closes_on": D(2022, 6, 1)}),
            ("upcoming", {"launched_on": D(2022, 9, 1)}),
        ]:
            appeal = AppealFactory(slug=slug, **kwargs)
            appeal.cities.add(leeds)
            RaisedFigureFactory(appeal=appeal)
        with django_assert_num_queries(3):
            appeals = list(Appeal.objects.open_for_city(leeds, day))
            assert [a.slug for a in appeals] == ["open"]
            assert appeals[0].latest_total().amount == Decimal("66500")
            assert [c.slug for c in appeals[0].cities.all()] == ["leeds"]

    def test_latest_total_is_the_latest_total_not_the_latest_part(self):
        appeal = AppealFactory()
        RaisedFigureFactory(appeal=appeal, amount=Decimal(50000), as_of=D(2022, 3, 8))
        newest_total = RaisedFigureFactory(appeal=appeal, amount=Decimal(66500), as_of=D(2022, 3, 17))
        RaisedFigureFactory(
            appeal=appeal, amount=Decimal(900), as_of=D(2022, 3, 20), part=RaisedFigure.Part.GIFT_AID
        )
        fetched = Appeal.objects.with_latest_figures().get(pk=appeal.pk)
        assert fetched.latest_total() == newest_total


class TestValidationMessages:
    @pytest.mark.parametrize(
        "url",
        [
            "http://www.justgiving.com/",
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.org/",
        ],
    )
    def test_route_url_must_be_https(self, url):
        route = DonationRouteFactory.build(appeal=AppealFactory(), url=url)
        with pytest.raises(ValidationError) as exc_info:
            route.full_clean()
        assert "starts with https://" in " ".join(exc_info.value.message_dict["url"])

    def test_https_route_is_accepted(self):
        DonationRouteFactory.build(appeal=AppealFactory(), url="https://www.justgiving.com/").full_clean()

    def test_close_before_launch(self):
        appeal = AppealFactory.build(launched_on=D(2022, 3, 8), closes_on=D(2022, 3, 7))
        with pytest.raises(ValidationError) as exc_info:
            appeal.full_clean()
        assert "cannot close before it launches" in messages(exc_info)

    def test_negative_amount(self):
        figure = RaisedFigureFactory.build(appeal=AppealFactory(), source=SourceFactory(), amount=Decimal(-1))
        with pytest.raises(ValidationError) as exc_info:
            figure.full_clean()
        assert "cannot be negative" in messages(exc_info)

    def test_figure_dated_in_the_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        figure = RaisedFigureFactory.build(appeal=AppealFactory(), source=SourceFactory(), as_of=tomorrow)
        with pytest.raises(ValidationError) as exc_info:
            figure.full_clean()
        assert "in the future" in messages(exc_info)

    def test_goods_figure_in_words_needs_no_amount_but_needs_words(self):
        appeal, source = AppealFactory(kind=Appeal.Kind.GOODS), SourceFactory()
        RaisedFigureFactory.build(appeal=appeal, source=source, amount=None, in_words="two vans").full_clean()
        with pytest.raises(ValidationError) as exc_info:
            RaisedFigureFactory.build(appeal=appeal, source=source, amount=None, in_words="").full_clean()
        assert "say in words" in messages(exc_info)

    def test_charity_number_needs_register_link_and_a_valid_form(self):
        appeal = AppealFactory.build(charity_number="1234567", charity_register_url="")
        with pytest.raises(ValidationError) as exc_info:
            appeal.full_clean()
        assert "register" in messages(exc_info)
        appeal = AppealFactory.build(
            charity_number="12AB", charity_register_url="https://register.example.org/1"
        )
        with pytest.raises(ValidationError) as exc_info:
            appeal.full_clean()
        assert "as the register shows it" in messages(exc_info)

    def test_month_precision_dates_are_normalised(self):
        figure = RaisedFigureFactory.build(
            appeal=AppealFactory(),
            source=SourceFactory(),
            as_of=D(2022, 7, 19),
            as_of_precision=Precision.MONTH,
        )
        figure.full_clean()
        assert figure.as_of == D(2022, 7, 1)
        assert figure.as_of_display == "July 2022"

    def test_update_cannot_differ_from_an_update_of_another_appeal(self):
        other = AppealUpdateFactory()
        update = AppealUpdateFactory()
        update.conflicts_with = other
        with pytest.raises(ValidationError) as exc_info:
            update.full_clean()
        assert "same appeal" in messages(exc_info)


class TestDatabaseConstraints:
    """The rules hold even when clean() is bypassed."""

    def check(self, create):
        with pytest.raises(IntegrityError), transaction.atomic():
            create()

    def test_route_url_https_only(self):
        appeal = AppealFactory()
        for url in ["http://example.org/", "javascript:alert(1)", "data:text/html,x"]:
            self.check(lambda url=url: DonationRoute.objects.create(appeal=appeal, label="x", url=url))

    def test_amount_not_negative(self):
        self.check(lambda: RaisedFigureFactory(amount=Decimal("-0.01")))

    def test_amount_or_words(self):
        self.check(lambda: RaisedFigureFactory(amount=None, in_words=""))

    def test_close_not_before_launch(self):
        self.check(lambda: AppealFactory(launched_on=D(2022, 3, 8), closes_on=D(2022, 3, 1)))

    def test_target_positive(self):
        self.check(lambda: AppealFactory(target_amount=Decimal(0)))

    def test_charity_number_needs_register_url(self):
        self.check(lambda: AppealFactory(charity_number="1234567", charity_register_url=""))

    def test_one_click_row_per_route_per_day(self):
        from appeals.models import DonationClick

        route = DonationRouteFactory()
        DonationClick.objects.create(route=route, day=D(2022, 8, 1), count=1)
        self.check(lambda: DonationClick.objects.create(route=route, day=D(2022, 8, 1), count=1))

    def test_appeal_cannot_point_to_itself(self):
        appeal = AppealFactory()
        appeal.give_instead = appeal
        self.check(lambda: appeal.save())


class TestProgress:
    def progress(self, amount, target, qualifier=RaisedFigure.Qualifier.EXACT, currency="GBP"):
        appeal = AppealFactory.build(target_amount=target and Decimal(target), target_currency="GBP")
        figure = RaisedFigureFactory.build(
            appeal=appeal, amount=amount and Decimal(amount), qualifier=qualifier, currency=currency
        )
        return appeal.progress(figure)

    def test_percent_rounds_half_up(self):
        progress = self.progress(66500, 100000)
        assert progress.percent == 67 and not progress.over_target

    def test_not_quite_there_is_not_100_percent(self):
        assert self.progress("99960", 100000).percent == 99

    def test_over_target(self):
        progress = self.progress(150000, 100000)
        assert progress.percent == 150 and progress.over_target
        assert progress.bar_value == Decimal(100000)
        assert progress.excess_display == "£50,000"

    def test_no_progress_without_target_amount_or_same_currency(self):
        assert self.progress(66500, None) is None
        assert self.progress(None, 100000) is None
        assert self.progress(66500, 100000, currency="EUR") is None


class TestMoney:
    @pytest.mark.parametrize(
        ("amount", "currency", "expected"),
        [
            ("66500", "GBP", "£66,500"),
            ("66500.00", "GBP", "£66,500"),
            ("1250.5", "GBP", "£1,250.50"),
            ("2000", "EUR", "€2,000"),
            ("400000000", "GBP", "£400,000,000"),
            ("10", "XYZ", "10 XYZ"),
        ],
    )
    def test_format(self, amount, currency, expected):
        assert format_money(Decimal(amount), currency) == expected

    def test_qualified_display(self):
        figure = RaisedFigureFactory.build(amount=Decimal(140000), qualifier=RaisedFigure.Qualifier.MORE_THAN)
        assert figure.display == "more than £140,000"


class TestStatementAboutAppeal:
    def test_statement_may_be_about_an_appeal_only(self):
        appeal = AppealFactory()
        statement = Statement(
            quote="Give what you can.", speaker=PersonFactory(), date=D(2022, 3, 8), link=None, appeal=appeal
        )
        statement.full_clean()
        statement.save()
        assert list(appeal.statements.all()) == [statement]

    def test_statement_about_nothing_is_refused(self):
        statement = Statement(quote="Hello.", speaker=PersonFactory(), date=D(2022, 3, 8))
        with pytest.raises(ValidationError, match="a link, a city or an appeal"):
            statement.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            statement.save()
