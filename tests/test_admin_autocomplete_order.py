"""The speaker autocomplete pages through people in a stable order (found by the staff journey
in the browser: the Count annotation on the person admin dropped the model's ordering)."""

import warnings

import pytest
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
