"""Staff accounts: lockout after repeated failures, strong passwords, sessions that end, the
Editor and Publisher groups, and council scope (a Leeds editor cannot change Liverpool's links)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from partnerships.models import City, Event, Link
from twinning.models import StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_groups")]
PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"


def staff(username, group=None, council=None):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if council:
        StaffProfile.objects.create(user=user, council=council)
    return user


def sign_in(client, username, password=PASSWORD, ip="203.0.113.7"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT="test"
    )


class TestLockout:
    def test_locked_out_after_repeated_failures_even_with_the_right_password(self, client):
        staff("leeds-editor", "Editor")
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = sign_in(client, "leeds-editor", "wrong password")
            assert response.status_code == 200  # the login form again, with its error
            assert "Please enter the correct username and password" in response.content.decode()
        response = sign_in(client, "leeds-editor", "wrong password")
        assert response.status_code == 429
        assert "Too many failed sign-in attempts" in response.content.decode()
        # The right password does not get in while locked: brute force gains nothing.
        response = sign_in(client, "leeds-editor")
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session

    def test_the_username_is_locked_from_every_address(self, client):
        staff("leeds-editor", "Editor")
        for n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "leeds-editor", "wrong password", ip=f"198.51.100.{n + 1}")
        assert sign_in(client, "leeds-editor", ip="192.0.2.99").status_code == 429

    def test_the_address_is_locked_for_every_username(self, client):
        staff("leeds-editor", "Editor")
        for n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, f"guess{n}", "wrong password")
        assert sign_in(client, "leeds-editor").status_code == 429

    def test_success_before_the_limit_signs_in_and_clears_the_count(self, client):
        staff("leeds-editor", "Editor")
        sign_in(client, "leeds-editor", "wrong password")
        response = sign_in(client, "leeds-editor")
        assert response.status_code == 302
        assert client.session["_auth_user_id"]
        assert not AccessAttempt.objects.filter(username="leeds-editor").exists()

    def test_behind_the_proxy_the_forwarded_address_counts(self, client):
        """Every request reaches gunicorn from the proxy on 127.0.0.1; locking that address out
        would lock out everyone. The address the proxy appends is the one counted."""
        staff("leeds-editor", "Editor")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                LOGIN,
                {"username": "someone", "password": "x"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.50",
            )
        assert AccessAttempt.objects.filter(ip_address="203.0.113.50").exists()
        assert not AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()
        ok = client.post(
            LOGIN,
            {"username": "leeds-editor", "password": PASSWORD},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.51",
        )
        assert ok.status_code == 302


class TestPasswordsAndSessions:
    @pytest.mark.parametrize("weak", ["short1", "password1234", "123456789012", "leeds-editor-1"])
    def test_weak_passwords_are_refused(self, weak):
        user = User(username="leeds-editor-1")
        with pytest.raises(ValidationError):
            validate_password(weak, user)

    def test_a_long_uncommon_password_is_accepted(self):
        validate_password(PASSWORD, User(username="leeds-editor"))

    def test_the_password_change_form_enforces_the_rules(self, client):
        staff("leeds-editor", "Editor")
        sign_in(client, "leeds-editor")
        response = client.post(
            reverse("admin:password_change"),
            {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
        )
        assert response.status_code == 200
        assert "This password is too short" in response.content.decode()

    def test_sessions_expire(self, client):
        assert settings.SESSION_COOKIE_AGE == 8 * 3600
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
        staff("leeds-editor", "Editor")
        sign_in(client, "leeds-editor")
        assert client.session.get_expire_at_browser_close()
        assert 0 < client.session.get_expiry_age() <= 8 * 3600


class TestGroups:
    def test_editor_and_publisher_exist_with_model_permissions_and_no_delete(self):
        editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
        publisher = set(Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True))
        for model in ["city", "link", "event", "statement", "source", "appeal", "raisedfigure"]:
            assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= editor
        assert not any(code.startswith("delete_") for code in editor | publisher)
        assert "publish" not in editor
        assert publisher == editor | {"publish"}

    def test_an_editor_saves_drafts_and_cannot_publish(self, client, world):
        user = staff("editor", "Editor")
        client.force_login(user)
        page = client.get(reverse("admin:partnerships_link_change", args=[world.draft_link.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="is_published"' not in html  # read-only
        assert (
            "Publish the selected records"
            not in client.get(reverse("admin:partnerships_link_changelist")).content.decode()
        )
        # Even a forged action post does nothing.
        client.post(
            reverse("admin:partnerships_link_changelist"),
            {"action": "publish", "_selected_action": [world.draft_link.pk]},
        )
        world.draft_link.refresh_from_db()
        assert world.draft_link.is_published is False
        # And a forged field is ignored; a new record is a draft.
        response = client.post(
            reverse("admin:partnerships_link_add"),
            {
                "city_a": world.leeds.pk,
                "city_b": world.liverpool.pk,
                "slug": "",
                "kind": "twin_town",
                "is_published": "on",
                **_empty_inlines(),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Link.objects.get(slug="leeds-liverpool").is_published is False

    def test_a_publisher_publishes_and_unpublishes(self, client, world):
        client.force_login(staff("publisher", "Publisher"))
        url = reverse("admin:partnerships_link_changelist")
        assert "Publish the selected records" in client.get(url).content.decode()
        client.post(url, {"action": "publish", "_selected_action": [world.draft_link.pk]})
        world.draft_link.refresh_from_db()
        assert world.draft_link.is_published is True
        client.post(url, {"action": "unpublish", "_selected_action": [world.draft_link.pk]})
        world.draft_link.refresh_from_db()
        assert world.draft_link.is_published is False

    def test_only_superusers_delete(self, client, admin_client, world):
        client.force_login(staff("publisher", "Publisher"))
        url = reverse("admin:partnerships_event_delete", args=[world.oath.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Event.objects.filter(pk=world.oath.pk).exists()
        changelist = client.get(reverse("admin:partnerships_event_changelist")).content.decode()
        assert "delete_selected" not in changelist
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
        assert not Event.objects.filter(pk=world.oath.pk).exists()


def _empty_inlines():
    data = {}
    for prefix in ["events", "statements"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


class TestCouncilScope:
    @pytest.fixture
    def leeds_editor(self, client, world):
        client.force_login(staff("leeds-editor", "Publisher", council=world.leeds))
        return client

    def test_sees_only_their_councils_links(self, leeds_editor, world):
        html = leeds_editor.get(reverse("admin:partnerships_link_changelist")).content.decode()
        assert "Leeds–Kharkiv" in html or "Kharkiv–Leeds" in html
        assert "Liverpool" not in html and "Odesa–Liverpool" not in html

    def test_cannot_open_or_change_liverpools_link(self, leeds_editor, world):
        link = world.liverpool_odesa
        url = reverse("admin:partnerships_link_change", args=[link.pk])
        response = leeds_editor.get(url)
        assert response.status_code == 302  # "does not exist" for them
        leeds_editor.post(url, {"city_a": link.city_a_id, "city_b": link.city_b_id, "kind": "mou"})
        link.refresh_from_db()
        assert link.kind == Link.Kind.FRIENDSHIP_LINK

    def test_cannot_move_their_link_to_other_cities(self, leeds_editor, world):
        link = world.leeds_lille
        response = leeds_editor.post(
            reverse("admin:partnerships_link_change", args=[link.pk]),
            {
                "city_a": world.liverpool.pk,
                "city_b": world.lille.pk,
                "slug": link.slug,
                "kind": link.kind,
                **_empty_inlines(),
                "events-TOTAL_FORMS": "0",
            },
        )
        assert response.status_code == 200
        assert "You can only save records of Leeds" in response.content.decode()
        link.refresh_from_db()
        assert {link.city_a_id, link.city_b_id} == {world.leeds.pk, world.lille.pk}

    def test_can_change_their_own_link(self, leeds_editor, world):
        link = world.leeds_lille
        response = leeds_editor.post(
            reverse("admin:partnerships_link_change", args=[link.pk]),
            {
                "city_a": link.city_a_id,
                "city_b": link.city_b_id,
                "slug": link.slug,
                "kind": "sister_city",
                "is_published": "on",
                **_empty_inlines(),
            },
        )
        assert response.status_code == 302
        link.refresh_from_db()
        assert link.kind == "sister_city"

    def test_events_statements_cities_and_appeals_are_scoped_too(self, leeds_editor, world, client):
        from tests import factories as f

        liverpool_event = world.liverpool_odesa.events.get()
        assert (
            leeds_editor.get(
                reverse("admin:partnerships_event_change", args=[liverpool_event.pk])
            ).status_code
            == 302
        )
        assert (
            leeds_editor.get(reverse("admin:partnerships_event_change", args=[world.oath.pk])).status_code
            == 200
        )
        assert (
            leeds_editor.get(reverse("admin:partnerships_city_change", args=[world.liverpool.pk])).status_code
            == 302
        )
        assert (
            leeds_editor.get(reverse("admin:partnerships_city_change", args=[world.leeds.pk])).status_code
            == 200
        )
        assert leeds_editor.get(reverse("admin:partnerships_city_add")).status_code == 403
        statement = f.StatementFactory(link=world.liverpool_odesa)
        assert (
            leeds_editor.get(reverse("admin:partnerships_statement_change", args=[statement.pk])).status_code
            == 302
        )
        theirs = f.AppealFactory()
        theirs.cities.add(world.liverpool)
        ours = f.AppealFactory()
        ours.cities.add(world.leeds)
        assert leeds_editor.get(reverse("admin:appeals_appeal_change", args=[theirs.pk])).status_code == 302
        assert leeds_editor.get(reverse("admin:appeals_appeal_change", args=[ours.pk])).status_code == 200

    def test_autocomplete_still_offers_every_city(self, leeds_editor, world):
        response = leeds_editor.get(
            reverse("admin:autocomplete"),
            {"app_label": "partnerships", "model_name": "link", "field_name": "city_b", "term": "Liv"},
        )
        assert response.status_code == 200
        assert "Liverpool" in response.content.decode()

    def test_superusers_and_unscoped_staff_see_everything(self, client, admin_client, world):
        assert (
            admin_client.get(
                reverse("admin:partnerships_link_change", args=[world.liverpool_odesa.pk])
            ).status_code
            == 200
        )
        client.force_login(staff("national", "Editor"))
        assert (
            client.get(reverse("admin:partnerships_link_change", args=[world.liverpool_odesa.pk])).status_code
            == 200
        )

    def test_a_superuser_sets_the_council_on_the_user_page(self, admin_client, world):
        user = staff("new-editor", "Editor")
        page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk]))
        assert page.status_code == 200
        assert "staff_profile-0-council" in page.content.decode()
        assert City.objects.count() > 0
