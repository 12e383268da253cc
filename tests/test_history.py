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


def row_index(data, prefix, obj):
    """The index of ``obj``'s row in an inline formset of a page read with read_form."""
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{index}-id") == str(obj.pk):
            return index
    raise AssertionError(f"no {prefix} row for {obj!r}")


def row_errors(response, prefix, index):
    for formset in response.context["inline_admin_formsets"]:
        if formset.formset.prefix == prefix:
            return [str(e) for e in formset.formset.forms[index].non_field_errors()]
    raise AssertionError(f"no inline {prefix}")


class TestInlineRows:
    """Each row of an inline (a link's events, a city's other names, an appeal's routes and
    figures) carries its own version: a row changed on this page after someone else saved it
    is refused, on that row; rows this page left alone are neither checked nor saved."""

    def two_pages(self, client, obj):
        from django.test import Client

        first, second = client, Client()
        first.force_login(publisher("alice"))
        second.force_login(publisher("bob"))
        return first, second, read_form(first.get(change_url(obj))), read_form(second.get(change_url(obj)))

    def test_every_row_carries_its_version(self, admin_client, world):
        data = read_form(admin_client.get(change_url(world.leeds_kharkiv)))
        for prefix in ["events", "statements"]:
            for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
                version = data[f"{prefix}-{index}-edit_version"]
                row = data[f"{prefix}-{index}-id"]
                model = pm.Event if prefix == "events" else pm.Statement
                assert version == str(model.history.filter(id=row).latest().history_id)

    def test_the_second_save_of_the_same_row_is_refused_on_that_row(self, client, world):
        link, oath = world.leeds_kharkiv, world.oath
        first, second, alice_page, bob_page = self.two_pages(client, link)
        index = row_index(alice_page, "events", oath)

        alice_page[f"events-{index}-title"] = "Friendship Oath signed (Alice)"
        assert first.post(change_url(link), alice_page).status_code == 302
        oath.refresh_from_db()
        assert oath.title == "Friendship Oath signed (Alice)"

        bob_page[f"events-{index}-title"] = "Friendship Oath signed (Bob)"
        response = second.post(change_url(link), bob_page)
        assert response.status_code == 200
        errors = row_errors(response, "events", index)
        assert len(errors) == 1
        assert "Someone else changed this row while you were editing the page (alice," in errors[0]
        # The other rows and the record itself have no such error.
        assert not response.context["adminform"].form.non_field_errors()
        assert all(
            not row_errors(response, "events", other)
            for other in range(int(bob_page["events-TOTAL_FORMS"]))
            if other != index
        )
        oath.refresh_from_db()
        assert oath.title == "Friendship Oath signed (Alice)"

    def test_a_save_from_the_same_page_that_leaves_that_row_alone_works(self, client, world):
        link, oath, explore = world.leeds_kharkiv, world.oath, world.explore
        first, second, alice_page, bob_page = self.two_pages(client, link)
        oath_row = row_index(alice_page, "events", oath)
        alice_page[f"events-{oath_row}-title"] = "Friendship Oath signed (Alice)"
        assert first.post(change_url(link), alice_page).status_code == 302
        versions = link.history.count()

        # Bob's page is older than Alice's save; he changes another row and the link itself.
        explore_row = row_index(bob_page, "events", explore)
        bob_page[f"events-{explore_row}-decided_by"] = "Leeds City Council executive board"
        bob_page["summary"] = "A solidarity link agreed in wartime, and kept."
        response = second.post(change_url(link), bob_page)
        assert response.status_code == 302, response.context and response.context["errors"]
        oath.refresh_from_db()
        explore.refresh_from_db()
        link.refresh_from_db()
        assert oath.title == "Friendship Oath signed (Alice)"  # Bob's stale copy was not saved
        assert explore.decided_by == "Leeds City Council executive board"
        assert link.summary == "A solidarity link agreed in wartime, and kept."
        # Alice's save changed only a row: the link itself got no new version from it.
        assert link.history.count() == versions + 1

    def test_a_row_changed_on_its_own_page_meanwhile(self, client, world):
        """The conflict is caught whichever page the first change came from."""
        link, oath = world.leeds_kharkiv, world.oath
        first, second, _alice_link_page, bob_page = self.two_pages(client, link)
        event_page = read_form(first.get(change_url(oath)))
        event_page["decided_by"] = "Lord Mayor of Leeds"
        assert first.post(change_url(oath), event_page).status_code == 302

        index = row_index(bob_page, "events", oath)
        bob_page[f"events-{index}-decided_by"] = "First Deputy Mayor of Kharkiv"
        response = second.post(change_url(link), bob_page)
        assert response.status_code == 200
        assert "Someone else changed this row" in " ".join(row_errors(response, "events", index))
        oath.refresh_from_db()
        assert oath.decided_by == "Lord Mayor of Leeds"

    def test_an_unchanged_row_is_not_refused(self, client, world):
        """A row someone else saved, left alone on this page: the save goes through, and their
        change stays."""
        link, oath = world.leeds_kharkiv, world.oath
        first, second, _alice_link_page, bob_page = self.two_pages(client, link)
        event_page = read_form(first.get(change_url(oath)))
        event_page["title"] = "Friendship Oath signed in Prague, 6 December"
        assert first.post(change_url(oath), event_page).status_code == 302

        bob_page["run_by"] = "Leeds City Council"
        assert second.post(change_url(link), bob_page).status_code == 302
        oath.refresh_from_db()
        link.refresh_from_db()
        assert oath.title == "Friendship Oath signed in Prague, 6 December"
        assert link.run_by == "Leeds City Council"

    def test_tabular_rows_too(self, client, world):
        """A city's other names (a table): the version is a hidden input in the row."""
        city = world.kharkiv
        name = city.other_names.get()
        first, second, alice_page, bob_page = self.two_pages(client, city)
        index = row_index(alice_page, "other_names", name)
        assert alice_page[f"other_names-{index}-edit_version"]
        alice_page[f"other_names-{index}-name"] = "Charkow"
        assert first.post(change_url(city), alice_page).status_code == 302
        bob_page[f"other_names-{index}-name"] = "Kharkow"
        response = second.post(change_url(city), bob_page)
        assert response.status_code == 200
        assert "Someone else changed this row" in " ".join(row_errors(response, "other_names", index))
        name.refresh_from_db()
        assert name.name == "Charkow"

    @pytest.mark.parametrize(
        ("prefix", "field", "value"), [("routes", "label", "Give"), ("figures", "note", "x")]
    )
    def test_an_appeals_routes_and_figures(self, client, site, prefix, field, value):
        appeal = site.appeal
        first, second, alice_page, bob_page = self.two_pages(client, appeal)
        row = {"routes": site.route, "figures": site.figure}[prefix]
        index = row_index(alice_page, prefix, row)
        alice_page[f"{prefix}-{index}-{field}"] = value + " (Alice)"
        assert first.post(change_url(appeal), alice_page).status_code == 302
        bob_page[f"{prefix}-{index}-{field}"] = value + " (Bob)"
        response = second.post(change_url(appeal), bob_page)
        assert response.status_code == 200
        assert "Someone else changed this row" in " ".join(row_errors(response, prefix, index))
        row.refresh_from_db()
        assert getattr(row, field) == value + " (Alice)"

    def test_a_record_whose_rows_alone_changed_keeps_its_version_but_not_its_date(self, client, site):
        """Changing only a row does not save the appeal again (no new history entry, so other
        open copies of the page stay current), but its "last changed" still moves (sitemap)."""
        appeal = site.appeal
        client.force_login(publisher("alice"))
        am.Appeal.objects.filter(pk=appeal.pk).update(updated_at="2022-01-01T00:00:00Z")
        versions = appeal.history.count()
        data = read_form(client.get(change_url(appeal)))
        index = row_index(data, "figures", site.figure)
        data[f"figures-{index}-note"] = "Counted again."
        assert client.post(change_url(appeal), data).status_code == 302
        appeal.refresh_from_db()
        assert appeal.history.count() == versions
        assert appeal.updated_at.year > 2022
