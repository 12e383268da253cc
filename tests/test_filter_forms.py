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
