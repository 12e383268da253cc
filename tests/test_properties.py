"""Property tests (Hypothesis) for the validation rules: whatever the input, the rules hold."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from appeals.models import HttpsURLFormField, RaisedFigure, validate_https_url
from appeals.money import format_money
from partnerships import dates
from partnerships.dates import Precision
from partnerships.models import City, Link

settings.register_profile("twinning", max_examples=200, deadline=None)
settings.load_profile("twinning")

any_date = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))
precisions = st.sampled_from(list(Precision))


@given(any_date, precisions)
def test_partial_dates_normalise_to_the_start_of_what_is_known(value, precision):
    normal = dates.normalise(value, precision)
    assert normal <= value
    assert normal.year == value.year
    assert dates.normalise(normal, precision) == normal  # idempotent
    if precision == Precision.YEAR:
        assert (normal.month, normal.day) == (1, 1)
        assert dates.display(normal, precision) == str(value.year)
    elif precision == Precision.MONTH:
        assert (normal.month, normal.day) == (value.month, 1)
    else:
        assert normal == value
    # What is shown never reveals the invented parts.
    assert (
        dates.machine(normal, precision)
        == normal.isoformat()[: {"year": 4, "month": 7, "day": 10}[precision]]
    )


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_a_link_pair_is_always_stored_lower_id_first(a, b):
    link = Link(city_a=City(pk=a), city_b=City(pk=b))
    link.normalise_pair()
    assert link.city_a_id == min(a, b) and link.city_b_id == max(a, b)
    assert {link.city_a_id, link.city_b_id} == {a, b}


coordinates = st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False, allow_infinity=False)


@given(coordinates, coordinates)
def test_coordinates_outside_the_globe_are_refused(latitude, longitude):
    lat_field, lon_field = City._meta.get_field("latitude"), City._meta.get_field("longitude")
    for field, value, limit in [(lat_field, latitude, 90), (lon_field, longitude, 180)]:
        if -limit <= value <= limit:
            assert field.clean(value, None) == value
        else:
            with pytest.raises(ValidationError):
                field.clean(value, None)


@given(st.text(max_size=60))
def test_only_https_addresses_are_accepted(text):
    if text.lower().startswith("https://"):
        validate_https_url(text)
    else:
        with pytest.raises(ValidationError):
            validate_https_url(text)


@given(
    st.sampled_from(["javascript:", "JavaScript:", "data:", "DATA:", "http://", "ftp://", "file:///"]),
    st.text(max_size=40),
)
def test_dangerous_schemes_never_pass_the_form_field(scheme, rest):
    with pytest.raises(ValidationError):
        HttpsURLFormField(assume_scheme="https").clean(scheme + rest)


amounts = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False)


@given(amounts)
def test_money_amounts_are_not_negative_and_fit_the_column(amount):
    field = RaisedFigure._meta.get_field("amount")
    if amount < 0 or amount >= Decimal("1e12"):
        with pytest.raises(ValidationError):
            field.clean(amount, None)
    else:
        assert field.clean(amount, None) == amount


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False))
def test_money_is_shown_as_the_amount_it_is(amount):
    shown = format_money(amount, "GBP")
    assert shown.startswith("£")
    assert Decimal(shown[1:].replace(",", "")) == amount
