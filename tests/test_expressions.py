"""The query expressions the ORM lacks (twinning/expressions.py), on this run's database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import City
from twinning.expressions import InList

pytestmark = pytest.mark.django_db


def test_in_list_finds_the_rows_whose_value_is_listed(world):
    wanted = [world.kharkiv.pk, world.leeds.pk]
    found = City.objects.filter(InList("pk", wanted)).values_list("pk", flat=True)
    assert sorted(found) == sorted(wanted)
    assert sorted(found) == sorted(City.objects.filter(pk__in=wanted).values_list("pk", flat=True))


def test_in_list_of_nothing_finds_nothing_without_failing(world):
    assert not City.objects.filter(InList("pk", [])).exists()


def test_in_list_combines_with_other_conditions(world):
    rest = City.objects.exclude(InList("pk", [world.kharkiv.pk]))
    assert world.kharkiv not in rest
    assert world.leeds in rest
    assert rest.count() == City.objects.count() - 1


def test_in_list_takes_any_iterable_once(world):
    ids = {world.leeds.pk: 0}  # a dict's keys, as the city page passes its page's links
    assert list(City.objects.filter(InList("pk", ids)).values_list("pk", flat=True)) == [world.leeds.pk]


def test_in_list_sends_one_parameter_on_postgresql_and_one_per_value_elsewhere(world):
    wanted = [world.kharkiv.pk, world.leeds.pk, world.odesa.pk]
    with CaptureQueriesContext(connection) as captured:
        list(City.objects.filter(InList("pk", wanted)).values_list("pk"))
    sql = captured.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert " IN (" in sql
