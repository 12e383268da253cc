"""The list pages' filters use the site's form pattern: crispy-forms' GOV.UK pack, an error
summary linking to each refused filter, the error beside it, and "Error:" in the title."""

import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.html_checks import assert_sound_html


def title(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (reverse("partnerships:city-list"), {"country": "XX"}, "country"),
        (reverse("partnerships:link-list"), {"kind": "\x00"}, "kind"),
        (reverse("partnerships:statement-list"), {"year": "x" * 100_000}, "year"),
        (reverse("appeals:list"), {"city": "atlantis"}, "city"),
    ],
)
def test_a_refused_filter_is_summarised_and_shown_beside_its_field(client, world, url, params, field):
    f.AppealFactory().cities.add(world.leeds)
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    assert 'role="alert"' in summary and "There is a problem" in summary
    assert re.search(rf'<a href="#id_{field}">[^<]+</a>', summary)
    assert f'id="id_{field}_1_error" class="govuk-error-message"' in html
    select = re.search(rf'<select[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in select and f"id_{field}_1_error" in select
    assert title(html).startswith("Error:")
    assert "\x00" not in html and "atlantis" not in html and len(html) < 60_000
    assert_sound_html(response)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("partnerships:city-list"), {"country": "UA"}),
        (reverse("partnerships:link-list"), {"kind": "twin_town", "status": "active"}),
        (reverse("partnerships:statement-list"), {"year": "2022"}),
        (reverse("appeals:list"), {"city": "leeds"}),
    ],
)
def test_valid_filters_show_no_errors_and_stay_selected(client, world, url, params):
    f.AppealFactory().cities.add(world.leeds)
    response = client.get(url, params)
    html = response.content.decode()
    assert "govuk-error-summary" not in html and not title(html).startswith("Error:")
    assert '<form method="get" class="filters">' in html or 'class="filters" method="get"' in html
    assert "csrfmiddlewaretoken" not in html  # GET forms carry no token
    for value in params.values():
        assert re.search(rf'<option value="{value}"\s+selected>', html)
    assert 'class="govuk-select"' in html
    assert_sound_html(response)


class TestStatementFiltersWithManyChoices:
    """Past MAX_LISTED_CHOICES speakers or cities, the filter is a text box for a name."""

    @pytest.fixture
    def many(self, db):
        from partnerships.forms import MAX_LISTED_CHOICES

        n = MAX_LISTED_CHOICES + 1
        people = [f.PersonFactory(name=f"Speaker {i:03d}", slug=f"speaker-{i:03d}") for i in range(n)]
        people[7].name = "Ołena Kovalčuk"
        people[7].save()
        cities = [f.CityFactory(name=f"Town {i:03d}", slug=f"town-{i:03d}") for i in range(n)]
        twins = [f.CityFactory(name=f"Twin {i:03d}", slug=f"twin-{i:03d}") for i in range(2)]
        for i, (person, city) in enumerate(zip(people, cities, strict=True)):
            f.StatementFactory(speaker=person, link=None, city=city, quote=f"Quote {i:03d}.")
        # Two cities of one name: a name that matches both is a message, not a guess.
        f.StatementFactory(speaker=people[0], link=None, city=twins[0], quote="First twin.")
        f.StatementFactory(speaker=people[0], link=None, city=twins[1], quote="Second twin.")
        pm = __import__("partnerships.models", fromlist=["City"])
        pm.City.objects.filter(pk__in=[t.pk for t in twins]).update(name="Samename")
        return people

    def test_text_boxes_instead_of_long_lists(self, client, many):
        response = client.get(reverse("partnerships:statement-list"))
        html = response.content.decode()
        assert not re.search(r'<select[^>]*name="speaker"', html)
        assert re.search(r'<input[^>]*name="speaker"', html) and re.search(r'<input[^>]*name="city"', html)
        assert "Speaker 050" not in html.split('id="id_speaker"')[1][:500]  # no list of names
        assert "Type the speaker&#x27;s name." in html or "Type the speaker's name." in html
        assert_sound_html(response)

    @pytest.mark.parametrize("typed", ["ołena kovalčuk", "OLENA KOVALCUK", "speaker-007"])
    def test_a_name_in_any_case_or_accents_or_the_slug_filters(self, client, many, typed):
        html = client.get(reverse("partnerships:statement-list"), {"speaker": typed}).content.decode()
        assert "govuk-error-summary" not in html
        assert "Quote 007." in html and "Quote 008." not in html
        assert re.search(r'<input[^>]*name="speaker"[^>]*value="Ołena Kovalčuk"', html)

    def test_city_slug_from_a_city_page_link_still_works(self, client, many):
        html = client.get(reverse("partnerships:statement-list"), {"city": "town-042"}).content.decode()
        assert "Quote 042." in html and "Quote 041." not in html
        assert re.search(r'<input[^>]*name="city"[^>]*value="Town 042"', html)

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("Atlantis", "Nothing here has that name."),
            ("samename", "More than one has that name."),
            ("x" * 100_000, "at most 200 characters"),
            ("town\x00", "Null characters are not allowed."),
        ],
    )
    def test_a_name_that_matches_nothing_or_two_is_a_message(self, client, many, typed, message):
        response = client.get(reverse("partnerships:statement-list"), {"city": typed})
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" in html and message in html
        assert "103 statements" in html  # the list ignores the refused filter
        assert "\x00" not in html
        assert len(html) < 60_000  # a refused value is not echoed at any length


class TestAppealCityFilterWithManyCities:
    """The appeal list's city filter follows the same rule: past MAX_LISTED_CHOICES cities with
    appeals it is a text box for the city's name, not a list of hundreds of options."""

    @pytest.fixture
    def many(self, db):
        from partnerships.forms import MAX_LISTED_CHOICES

        cities = [
            f.CityFactory(name=f"Town {i:03d}", slug=f"town-{i:03d}") for i in range(MAX_LISTED_CHOICES + 1)
        ]
        for city in cities:
            f.AppealFactory(title=f"Appeal for {city.name}").cities.add(city)
        return cities

    def test_a_text_box_instead_of_a_long_list(self, client, many):
        response = client.get(reverse("appeals:list"))
        html = response.content.decode()
        assert not re.search(r'<select[^>]*name="city"', html)
        assert re.search(r'<input[^>]*name="city"', html)
        assert "<option" not in html
        assert_sound_html(response)

    @pytest.mark.parametrize("typed", ["town 042", "TOWN 042", "town-042"])
    def test_a_name_in_any_case_or_the_slug_filters(self, client, many, typed):
        html = client.get(reverse("appeals:list"), {"city": typed}).content.decode()
        assert "govuk-error-summary" not in html
        assert "Appeals for Town 042" in html
        assert "Appeal for Town 042" in html and "Appeal for Town 041" not in html
        assert re.search(r'<input[^>]*name="city"[^>]*value="Town 042"', html)

    @pytest.mark.parametrize("typed", ["Atlantis", "x" * 100_000, "town\x00"])
    def test_an_unknown_name_is_a_message_and_shows_every_appeal(self, client, many, typed):
        response = client.get(reverse("appeals:list"), {"city": typed})
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" in html and "That is not a city with appeals." in html
        assert "Appeals for" not in html
        assert "\x00" not in html and len(html) < 60_000
        assert_sound_html(response)
