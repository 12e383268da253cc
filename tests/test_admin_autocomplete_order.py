"""Choosing records in the admin: with a search box wherever there can be thousands, and the
speaker autocomplete pages through people in a stable order (found by the staff journey in the
browser: the Count annotation on the person admin dropped the model's ordering)."""

import warnings

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import UnorderedObjectListWarning

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_speaker_autocomplete_is_ordered_by_name(admin_client):
    for name in ["Ihor Terekhov", "Al Garthwaite", "James Lewis"]:
        PersonFactory(name=name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = admin_client.get(
            "/admin/autocomplete/",
            {"app_label": "partnerships", "model_name": "statement", "field_name": "speaker", "term": ""},
        )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Al Garthwaite",
        "Ihor Terekhov",
        "James Lewis",
    ]


# Records whose number grows with the content: tens of thousands of links and events, thousands
# of cities, sources and people. A form that picks one of them from a list writes every one of
# them into the page, once per row of an inline.
GROWING = {
    "partnerships.city",
    "partnerships.link",
    "partnerships.event",
    "partnerships.source",
    "partnerships.person",
    "partnerships.role",
    "partnerships.statement",
    "appeals.appeal",
    "appeals.donationroute",
}


def _shown_fields(options, model):
    if options.fieldsets:
        names = flatten_fieldsets(options.fieldsets)
    elif options.fields:
        names = flatten_fieldsets([(None, {"fields": options.fields})])
    else:
        names = [f.name for f in model._meta.get_fields() if getattr(f, "editable", False) and f.concrete]
    return set(names) - set(options.readonly_fields) - set(options.exclude or ())


def test_every_admin_form_picks_growing_records_with_a_search_box():
    """Found with the benchmark's data: the showcase appeal's admin page listed all 2,002 sources
    in each of its 30 figures' rows, 6 MB of HTML that took 10 s to draw."""
    chooses_from_a_list = []
    for model, model_admin in admin.site._registry.items():
        forms = [
            (model_admin, model, None),
            *((inline, inline.model, model) for inline in model_admin.inlines),
        ]
        for options, form_model, parent in forms:
            for name in _shown_fields(options, form_model):
                try:
                    field = form_model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue  # a value the admin computes, shown read-only
                if not (field.many_to_one or field.many_to_many) or field.related_model is parent:
                    continue
                if field.related_model._meta.label_lower not in GROWING:
                    continue
                if name not in (*options.autocomplete_fields, *options.raw_id_fields):
                    chooses_from_a_list.append(
                        f"{options.__name__ if isinstance(options, type) else type(options).__name__}.{name}"
                    )
    assert chooses_from_a_list == []
