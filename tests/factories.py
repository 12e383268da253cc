import datetime
from decimal import Decimal

import factory

from appeals import models as am
from partnerships import models as pm
from partnerships.dates import Precision


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Source

    title = factory.Sequence(lambda n: f"Report number {n}")
    publisher = "Example News"
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")
    published_on = datetime.date(2022, 7, 1)
    published_precision = Precision.DAY


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.City

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "GB"
    latitude = Decimal("53.800000")
    longitude = Decimal("-1.550000")
    population = 100000
    population_year = 2021


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Link

    city_a = factory.SubFactory(CityFactory)
    city_b = factory.SubFactory(CityFactory)
    kind = pm.Link.Kind.TWIN_TOWN
    is_published = True


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Event
        skip_postgeneration_save = True

    link = factory.SubFactory(LinkFactory)
    date = datetime.date(1968, 1, 1)
    date_precision = Precision.YEAR
    title = "Twinning agreed"
    status = pm.Link.Status.ACTIVE
    is_published = True

    @factory.post_generation
    def sources(obj, create, extracted, **kwargs):
        # An event needs a source, as the admin requires: a new one unless some are given.
        if create:
            obj.sources.add(*(extracted if extracted is not None else [SourceFactory()]))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Role

    person = factory.SubFactory(PersonFactory)
    title = "Leader of the Council"


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Statement
        skip_postgeneration_save = True

    quote = "We are proud of this partnership."
    speaker = factory.SubFactory(PersonFactory)
    date = datetime.date(2022, 7, 14)
    date_precision = Precision.DAY
    link = factory.SubFactory(LinkFactory)
    is_published = True

    @factory.post_generation
    def sources(obj, create, extracted, **kwargs):
        if create:
            obj.sources.add(*(extracted or [SourceFactory()]))


class CityNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.CityName

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")
    kind = pm.CityName.Kind.OLDER


class AlternativeClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.AlternativeClaim
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    claim = "Another source gives a different year."
    date = datetime.date(1969, 1, 1)
    date_precision = Precision.YEAR

    @factory.post_generation
    def sources(obj, create, extracted, **kwargs):
        if create:
            obj.sources.add(*(extracted or [SourceFactory()]))


# --- appeals ----------------------------------------------------------------------------------


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Appeal

    title = factory.Sequence(lambda n: f"Appeal {n}")
    slug = factory.Sequence(lambda n: f"appeal-{n}")
    summary = "Support for people fleeing the war."
    kind = am.Appeal.Kind.MONEY
    organiser = "Leeds City Council"
    administering_charity = "Leeds Community Foundation"
    launched_on = datetime.date(2022, 3, 8)
    is_published = True


class DonationRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.DonationRoute

    appeal = factory.SubFactory(AppealFactory)
    label = "The appeal's donation page"
    url = factory.Sequence(lambda n: f"https://donate.example.org/appeal-{n}")


class RaisedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.RaisedFigure

    appeal = factory.SubFactory(AppealFactory)
    amount = Decimal("66500")
    as_of = datetime.date(2022, 3, 17)
    source = factory.SubFactory(SourceFactory)


class AppealUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.AppealUpdate
        skip_postgeneration_save = True

    appeal = factory.SubFactory(AppealFactory)
    date = datetime.date(2022, 3, 20)
    title = factory.Sequence(lambda n: f"Update {n}")
    body = "The vans left this morning."

    @factory.post_generation
    def sources(obj, create, extracted, **kwargs):
        if create:
            obj.sources.add(*(extracted or [SourceFactory()]))
