"""The admin's search (``StaffRulesAdmin.get_search_results``) finds what Django's own search
finds, and on PostgreSQL each searched column can be read through its trigram index
(twinning/migrations/0007_admin_search_indexes.py), so a search does not read whole tables."""

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.staff_admin import StaffRulesAdmin

TERMS = [
    "Kharkiv",
    "kharkov",  # another name of a city
    "twin",
    "Leeds Kharkiv",  # each term in some field
    '"City Council"',  # a quoted phrase is one term
    "Odesa Leeds",  # a link through its two cities
    "oath",
    "Lewis",
    "le",  # too short for a trigram: Django's own search
    "nothing-like-this",
]


def searchable_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, StaffRulesAdmin) and model_admin.search_fields
    ]


def superuser_request(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(is_superuser=True, is_staff=True)
    return request


@pytest.mark.parametrize("term", TERMS)
def test_the_admin_finds_what_djangos_search_finds(world, django_user_model, term):
    request = superuser_request(django_user_model)
    found_any = False
    for model_admin in searchable_admins():
        queryset = model_admin.get_queryset(request)
        ours, duplicates = model_admin.get_search_results(request, queryset, term)
        djangos, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, term)
        expected = set(djangos.values_list("pk", flat=True))
        pks = list(ours.values_list("pk", flat=True))
        assert set(pks) == expected, (model_admin, term)
        assert duplicates or len(pks) == len(set(pks)), (model_admin, term)  # no DISTINCT needed
        found_any |= bool(expected)
    if term != "nothing-like-this":
        assert found_any, term  # the terms are chosen to find something somewhere


def test_a_search_page_lists_each_record_once(admin_client, world):
    response = admin_client.get(reverse("admin:partnerships_city_changelist"), {"q": "Kharkiv"})
    assert response.status_code == 200
    cities = list(response.context["cl"].result_list)
    assert len(cities) == len({city.pk for city in cities}) >= 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("model", "term", "indexes"),
    [
        (
            "partnerships.event",
            "Kharkiv",
            {
                "admin_event_title_trgm",
                "admin_event_description_trgm",
                "admin_event_decided_by_trgm",
                "admin_city_name_trgm",
            },
        ),
        (
            "partnerships.link",
            "Kharkiv",
            {"admin_link_slug_trgm", "admin_link_run_by_trgm", "admin_city_name_trgm"},
        ),
        (
            "partnerships.statement",
            "oath",
            {"admin_statement_quote_trgm", "admin_statement_translation_trgm", "admin_person_name_trgm"},
        ),
        (
            "partnerships.city",
            "Kharkiv",
            {"admin_city_name_trgm", "admin_cityname_name_trgm", "admin_city_slug_trgm"},
        ),
    ],
)
def test_each_searched_column_can_be_read_through_its_index(admin_client, world, model, term, indexes):
    app_label, model_name = model.split(".")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": term})
    assert response.status_code == 200
    count = next(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and "UNION" in q["sql"]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Only bitmap scans, which need a condition an index answers, are left to read tables:
        # a condition no index answers leaves a sequential scan in the plan.
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + count)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    used = {index for index in indexes if f" on {index}" in plan}
    assert used == indexes, plan


def test_words_found_through_a_relation_may_be_in_different_rows_of_it(world, django_user_model):
    """The one difference from Django's search, on purpose (see get_search_results)."""
    world.kharkiv.other_names.create(name="Charkow")
    request = superuser_request(django_user_model)
    model_admin = admin.site._registry[type(world.kharkiv)]
    queryset = model_admin.get_queryset(request)
    ours, _ = model_admin.get_search_results(request, queryset, "Kharkov Charkow")
    assert list(ours) == [world.kharkiv]
    djangos, _ = admin.ModelAdmin.get_search_results(model_admin, request, queryset, "Kharkov Charkow")
    assert list(djangos) == []  # one join: a single other name holding both words


def test_search_fields_with_a_lookup_of_their_own_go_to_djangos_search(world, django_user_model, monkeypatch):
    request = superuser_request(django_user_model)
    model_admin = admin.site._registry[type(world.kharkiv)]
    monkeypatch.setattr(model_admin, "search_fields", ["name", "id__exact", "^slug"])
    queryset = model_admin.get_queryset(request)
    found, _ = model_admin.get_search_results(request, queryset, "Kharkiv")
    assert list(found) == [world.kharkiv]
    found, _ = model_admin.get_search_results(request, queryset, str(world.kharkiv.pk))
    assert world.kharkiv in found
