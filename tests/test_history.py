"""Nothing lost: every change is recorded with who and when, visible in the admin, any earlier
version can be restored (sources included), deletion keeps the history, and a second editor is
told when the record changed under them."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from appeals import models as am
from partnerships import models as pm
from tests import factories as f
from tests.admin_forms import read_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_groups")]

HISTORY_MODELS = [
    pm.City,
    pm.CityName,
    pm.Link,
    pm.Event,
    pm.AlternativeClaim,
    pm.Person,
    pm.Role,
    pm.Statement,
    pm.Source,
    am.Appeal,
    am.DonationRoute,
    am.RaisedFigure,
    am.AppealUpdate,
]


def publisher(username):
    user = User.objects.create_user(username, password="correct horse battery staple", is_staff=True)
    user.groups.add(Group.objects.get(name="Publisher"))
    return user


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def edit(client, obj, **changes):
    page = client.get(change_url(obj))
    assert page.status_code == 200
    data = read_form(page)
    data.update(changes)
    return client.post(change_url(obj), data)


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_every_content_model_keeps_a_history(model):
    assert hasattr(model, "history")


def test_the_click_counter_keeps_none():
    assert not hasattr(am.DonationClick, "history")


class TestWhoAndWhen:
    def test_an_admin_change_is_recorded_with_who_and_when(self, client, world):
        alice = publisher("alice")
        client.force_login(alice)
        response = edit(client, world.leeds_kharkiv, summary="A solidarity link, renewed.")
        assert response.status_code == 302
        latest = world.leeds_kharkiv.history.latest()
        assert latest.history_user == alice
        assert latest.summary == "A solidarity link, renewed."
        assert latest.history_type == "~"
        page = client.get(reverse("admin:partnerships_link_history", args=[world.leeds_kharkiv.pk]))
        assert page.status_code == 200
        assert "alice" in page.content.decode()

    def test_sources_are_part_of_the_history(self, client, world):
        client.force_login(publisher("alice"))
        before = [world.council.pk]
        assert sorted(world.leeds_kharkiv.sources.values_list("pk", flat=True)) == before
        edit(client, world.leeds_kharkiv, sources=[str(world.bbc.pk), str(world.council.pk)])
        record = world.leeds_kharkiv.history.latest()
        assert sorted(r.source_id for r in record.sources.all()) == sorted([world.bbc.pk, world.council.pk])


class TestRestore:
    def test_an_earlier_version_is_restored_with_its_sources(self, client, world):
        client.force_login(publisher("alice"))
        link = world.leeds_kharkiv
        edit(client, link, summary="First wording.")
        first = link.history.latest()
        edit(client, link, summary="Vandalised!", run_by="Nobody", sources=[str(world.bbc.pk)])
        link.refresh_from_db()
        assert link.summary == "Vandalised!"
        assert list(link.sources.values_list("pk", flat=True)) == [world.bbc.pk]

        url = reverse("admin:partnerships_link_simple_history", args=[link.pk, first.history_id])
        page = client.get(url)
        assert page.status_code == 200
        data = read_form(page)
        assert data["summary"] == "First wording."
        assert data["sources"] == [str(world.council.pk)]
        response = client.post(url, data)
        assert response.status_code == 302
        link.refresh_from_db()
        assert link.summary == "First wording."
        assert link.run_by == "Leeds City Council and Kharkiv City Council"
        assert list(link.sources.values_list("pk", flat=True)) == [world.council.pk]
        # The restore is itself a change in the history: nothing is rewritten.
        assert link.history.latest().summary == "First wording."
        assert link.history.filter(summary="Vandalised!").exists()

    def test_a_deleted_record_keeps_its_history(self, admin_client, world):
        event = world.oath
        pk = event.pk
        response = admin_client.post(reverse("admin:partnerships_event_delete", args=[pk]), {"post": "yes"})
        assert response.status_code == 302
        assert not pm.Event.objects.filter(pk=pk).exists()
        records = pm.Event.history.filter(id=pk).order_by("history_id")
        assert [r.history_type for r in records][-1] == "-"
        assert records.first().title == "Friendship Oath signed in Prague"
        # ...and it can be brought back from that history.
        records.exclude(history_type="-").last().instance.save()
        assert pm.Event.objects.filter(pk=pk, title="Friendship Oath signed in Prague").exists()

    def test_history_pages_follow_the_council_scope(self, client, world):
        from twinning.models import StaffProfile

        user = publisher("leeds")
        StaffProfile.objects.create(user=user, council=world.leeds)
        client.force_login(user)
        theirs = world.liverpool_odesa
        assert client.get(reverse("admin:partnerships_link_history", args=[theirs.pk])).status_code in {
            302,
            403,
        }
        record = f.LinkFactory._meta.model.history.filter(id=theirs.pk).first()
        url = reverse("admin:partnerships_link_simple_history", args=[theirs.pk, record.history_id])
        assert client.get(url).status_code in {302, 403, 404}


class TestConcurrentEdits:
    def test_the_second_save_is_told_the_record_changed_meanwhile(self, client, django_user_model, world):
        from django.test import Client

        alice, bob = publisher("alice"), publisher("bob")
        first, second = client, Client()
        first.force_login(alice)
        second.force_login(bob)
        link = world.leeds_kharkiv
        alice_page = read_form(first.get(change_url(link)))
        bob_page = read_form(second.get(change_url(link)))
        assert alice_page["edit_version"] and alice_page["edit_version"] == bob_page["edit_version"]

        alice_page["summary"] = "Alice's wording."
        assert first.post(change_url(link), alice_page).status_code == 302

        bob_page["summary"] = "Bob's wording."
        response = second.post(change_url(link), bob_page)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Someone else changed this record while you were editing it (alice," in html
        link.refresh_from_db()
        assert link.summary == "Alice's wording."

        # Bob opens the record again and saves on top of Alice's version.
        fresh = read_form(second.get(change_url(link)))
        fresh["summary"] = "Bob's wording, after reading Alice's."
        assert second.post(change_url(link), fresh).status_code == 302
        link.refresh_from_db()
        assert link.summary == "Bob's wording, after reading Alice's."

    @pytest.mark.parametrize("kind", ["appeal", "city", "source"])
    def test_other_records_are_protected_too(self, client, kind, world):
        from django.test import Client

        obj = {"appeal": f.AppealFactory(), "city": world.lille, "source": world.bbc}[kind]
        field = {"appeal": "summary", "city": "description", "source": "note"}[kind]
        first, second = client, Client()
        first.force_login(publisher("alice"))
        second.force_login(publisher("bob"))
        a, b = read_form(first.get(change_url(obj))), read_form(second.get(change_url(obj)))
        a[field], b[field] = "first", "second"
        assert first.post(change_url(obj), a).status_code == 302
        response = second.post(change_url(obj), b)
        assert response.status_code == 200
        assert "changed this record while you were editing it" in response.content.decode()
        obj.refresh_from_db()
        assert getattr(obj, field) == "first"
