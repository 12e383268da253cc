"""A record's admin page costs the same number of queries however many rows its inlines have.

Django reads each inline row's chosen records on their own: the sources an event cites (twice:
for the row's values, then for the autocomplete widget's labels), a statement's speaker and
role, a select list's choices, the parent named in each row's heading. A link with 43 events and
10 statements made 153 queries. ``twinning/staff_admin.py`` reads each of those once per inline.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.models import AppealUpdate
from tests.admin_forms import read_form
from tests.factories import (
    AppealFactory,
    AppealUpdateFactory,
    DonationRouteFactory,
    EventFactory,
    LinkFactory,
    RaisedFigureFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

# The most queries a record's page may make, at any number of rows.
LINK_PAGE_BUDGET = 23
APPEAL_PAGE_BUDGET = 26


def link_with(rows):
    link = LinkFactory()
    for n in range(rows):
        event = EventFactory(link=link, title=f"Event {n}", date=datetime.date(1970 + n, 1, 1))
        event.sources.add(SourceFactory(), SourceFactory())
        role = RoleFactory(city=link.city_a)
        StatementFactory(link=link, speaker=role.person, role=role, city=link.city_a, quote=f"Quote {n}.")
    return link


def appeal_with(rows):
    appeal = AppealFactory()
    link = LinkFactory()
    appeal.links.add(link)
    appeal.cities.add(link.city_a, link.city_b)
    for n in range(rows):
        DonationRouteFactory(appeal=appeal, label=f"Route {n}")
        RaisedFigureFactory(appeal=appeal, amount=Decimal(1000 + n), as_of=datetime.date(2022, 3, 1 + n))
        update = AppealUpdateFactory(appeal=appeal, date=datetime.date(2022, 4, 1 + n))
        update.sources.add(SourceFactory())
    return appeal


def queries_for(client, url):
    client.get(url)  # the session and anything else read once per process
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_a_links_page_makes_as_many_queries_for_eight_rows_as_for_one(admin_client):
    few, _ = queries_for(admin_client, reverse("admin:partnerships_link_change", args=[link_with(1).pk]))
    many, response = queries_for(
        admin_client, reverse("admin:partnerships_link_change", args=[link_with(8).pk])
    )
    assert many == few
    assert many <= LINK_PAGE_BUDGET
    html = response.content.decode()
    # Every row still shows what it shows: its sources, its speaker and role, its heading.
    for n in range(8):
        assert f"Event {n}" in html
        assert f"Quote {n}." in html
    link = response.context["original"]
    for event in link.events.all():
        for source in event.sources.all():
            assert f'<option value="{source.pk}" selected>{source}</option>' in html
    for statement in link.statements.all():
        assert f'<option value="{statement.speaker_id}" selected>{statement.speaker}</option>' in html
        assert f'<option value="{statement.role_id}" selected>{statement.role}</option>' in html


def test_an_appeals_page_makes_as_many_queries_for_eight_rows_as_for_one(admin_client):
    few, _ = queries_for(admin_client, reverse("admin:appeals_appeal_change", args=[appeal_with(1).pk]))
    appeal = appeal_with(8)
    many, response = queries_for(admin_client, reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    assert many == few
    assert many <= APPEAL_PAGE_BUDGET
    html = response.content.decode()
    # Each update's "conflicts with" list offers the appeal's updates, read once for all rows.
    lists = re.findall(r'<select name="updates-[^"]*-conflicts_with".*?</select>', html, re.S)
    assert len(lists) == 9  # each row's and the blank row's
    offered = {str(pk) for pk in AppealUpdate.objects.filter(appeal=appeal).values_list("pk", flat=True)}
    for found in lists:
        assert set(re.findall(r'<option value="(\d+)"', found)) == offered
    for route in appeal.routes.all():
        assert str(route) in html


def test_a_page_shown_again_with_errors_shows_each_rows_choices_and_ignores_forged_ids(admin_client):
    link = link_with(3)
    url = reverse("admin:partnerships_link_change", args=[link.pk])
    form = read_form(admin_client.get(url))
    events = list(link.events.order_by("date"))
    kept = list(events[1].sources.all())
    form["events-1-sources"] = [str(kept[0].pk), "\x00", "abc", str(10**30)]
    form["events-2-title"] = ""  # a required field left empty: the page comes back
    response = admin_client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    assert f'<option value="{kept[0].pk}" selected>{kept[0]}</option>' in html
    assert f'<option value="{kept[1].pk}" selected>' not in html  # the row's own choice now
    for source in events[0].sources.all():  # another row, as it was
        assert f'<option value="{source.pk}" selected>{source}</option>' in html


def test_autocomplete_results_are_named_without_a_query_each(admin_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "partnerships", "model_name": "event", "field_name": "link", "term": ""}
    LinkFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url, params).status_code == 200
    LinkFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url, params)
    assert len(response.json()["results"]) == 12
    assert len(many) == len(few)
