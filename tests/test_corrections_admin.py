"""Staff's side of corrections: the moderation queue, the index count, the rules in the database,
and the retention command that deletes senders' personal data."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from twinning.corrections.models import Correction, CorrectionSettings

CHANGELIST = reverse("admin:corrections_correction_changelist")


def correction(record, **kwargs):
    c = Correction(
        what_is_wrong=kwargs.pop("what_is_wrong", "The date is wrong."),
        what_is_right=kwargs.pop("what_is_right", "It was 6 December 2023."),
        **kwargs,
    )
    c.set_record(record)
    c.save()
    return c


def change_url(c):
    return reverse("admin:corrections_correction_change", args=[c.pk])


def change_data(c, **changes):
    return {
        "status": c.status,
        "change_made": c.change_made,
        "change_url": c.change_url,
        "note_to_sender": c.note_to_sender,
        **changes,
    }


class TestQueue:
    def test_the_queue_lists_corrections_with_their_record_linked(self, admin_client, world):
        c = correction(world.leeds_kharkiv, source_url="https://example.org/oath")
        correction(world.lewis_said, what_is_wrong="Wrong role given.")
        response = admin_client.get(CHANGELIST)
        html = response.content.decode()
        assert response.status_code == 200
        assert "The date is wrong." in html and "Wrong role given." in html
        admin_link = reverse("admin:partnerships_link_change", args=[world.leeds_kharkiv.pk])
        assert f'<a href="{admin_link}">link: Leeds–Kharkiv</a>' in html
        assert reverse("admin:partnerships_statement_change", args=[world.lewis_said.pk]) in html
        for column in ["column-record_link", "column-created_at", "column-status", "column-handled_by"]:
            assert column in html
        assert c.get_status_display() in html

    def test_filter_by_status_and_search(self, admin_client, world):
        correction(world.leeds, what_is_wrong="Population is out of date.")
        correction(
            world.kharkiv, what_is_wrong="Native name misspelt.", status="rejected", handled_at=timezone.now()
        )
        html = admin_client.get(CHANGELIST, {"status__exact": "new"}).content.decode()
        assert "Population is out of date." in html and "Native name misspelt." not in html
        html = admin_client.get(CHANGELIST, {"q": "misspelt"}).content.decode()
        assert "Native name misspelt." in html and "Population is out of date." not in html

    def test_the_change_page_shows_the_record_its_public_page_and_the_senders_words_as_text(
        self, admin_client, world
    ):
        c = correction(
            world.kharkiv,
            source_url="https://example.org/kharkiv",
            name="Olena",
            email="olena@example.org",
            what_is_wrong="<b>bold</b> claim",
        )
        response = admin_client.get(change_url(c))
        html = response.content.decode()
        assert reverse("admin:partnerships_city_change", args=[world.kharkiv.pk]) in html
        assert 'href="/cities/kharkiv/"' in html
        assert "&lt;b&gt;bold&lt;/b&gt; claim" in html and "<b>bold</b>" not in html
        assert 'href="https://example.org/kharkiv" rel="noreferrer noopener nofollow"' in html
        assert 'href="mailto:olena@example.org?subject=' in html
        # What the sender wrote cannot be edited, only read.
        assert 'name="what_is_wrong"' not in html and 'name="email"' not in html
        assert 'name="status"' in html and 'name="note_to_sender"' in html

    def test_changing_the_status_records_who_and_when(self, admin_client, admin_user, world):
        c = correction(world.leeds_kharkiv)
        before = timezone.now()
        response = admin_client.post(
            change_url(c), change_data(c, status="rejected", note_to_sender="We could not check this.")
        )
        assert response.status_code == 302
        c.refresh_from_db()
        assert c.status == "rejected" and c.note_to_sender == "We could not check this."
        assert c.handled_by == admin_user and c.handled_at >= before
        # Saving again without changing the status keeps who handled it and when.
        handled_at = c.handled_at
        admin_client.post(change_url(c), change_data(c, note_to_sender="Edited note."))
        c.refresh_from_db()
        assert c.handled_at == handled_at
        # Back to new: nobody has handled it.
        admin_client.post(change_url(c), change_data(c, status="new"))
        c.refresh_from_db()
        assert (c.handled_by, c.handled_at) == (None, None)

    def test_accepting_says_what_changed(self, admin_client, admin_user, world):
        c = correction(world.leeds_kharkiv)
        response = admin_client.post(change_url(c), change_data(c, status="accepted"))
        assert response.status_code == 200
        assert "Say what was changed when you accept a correction." in response.content.decode()
        c.refresh_from_db()
        assert c.status == "new"
        response = admin_client.post(
            change_url(c),
            change_data(
                c,
                status="accepted",
                change_made="Oath event: place corrected to Prague.",
                change_url=reverse("admin:partnerships_link_change", args=[world.leeds_kharkiv.pk]),
            ),
        )
        assert response.status_code == 200  # a path is not a full address
        assert "Enter a valid URL." in response.content.decode()
        response = admin_client.post(
            change_url(c),
            change_data(
                c,
                status="accepted",
                change_made="Oath event: place corrected to Prague.",
                change_url="https://twinning.example.org/links/leeds-kharkiv/",
            ),
        )
        assert response.status_code == 302
        c.refresh_from_db()
        assert c.status == "accepted" and c.handled_by == admin_user
        assert c.change_url == "https://twinning.example.org/links/leeds-kharkiv/"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("note_to_sender", "n" * 2001, "at most 2000 characters"),
            ("note_to_sender", "bad\x00", "Null characters are not allowed"),
            ("change_url", "javascript:alert(1)", "Enter a valid URL"),
            ("status", "approved", "Select a valid choice"),
        ],
    )
    def test_bad_input_gets_a_message_not_a_500(self, admin_client, world, field, value, message):
        c = correction(world.leeds)
        response = admin_client.post(change_url(c), change_data(c, **{field: value}))
        assert response.status_code == 200
        assert message in response.content.decode()

    def test_reject_and_duplicate_actions_record_who_and_when(self, admin_client, admin_user, world):
        a, b = correction(world.leeds), correction(world.kharkiv)
        done = correction(world.lille, status="accepted", change_made="Fixed.", handled_at=timezone.now())
        admin_client.post(CHANGELIST, {"action": "mark_rejected", "_selected_action": [a.pk, done.pk]})
        admin_client.post(CHANGELIST, {"action": "mark_duplicate", "_selected_action": [b.pk]})
        a.refresh_from_db(), b.refresh_from_db(), done.refresh_from_db()
        assert (a.status, a.handled_by) == ("rejected", admin_user)
        assert (b.status, b.handled_by) == ("duplicate", admin_user)
        assert done.status == "accepted"  # only new ones are touched

    def test_staff_cannot_add_corrections_themselves(self, admin_client, db):
        assert admin_client.get(reverse("admin:corrections_correction_add")).status_code == 403

    def test_a_deleted_record_leaves_the_correction_saying_what_it_was_about(self, admin_client, world):
        c = correction(world.about_kharkiv)
        world.about_kharkiv.delete()
        c.refresh_from_db()
        assert c.statement is None and c.kind == "statement"
        assert "Ihor Terekhov" in c.record_label
        html = admin_client.get(change_url(c)).content.decode()
        assert "since deleted" in html
        assert "(deleted)" in admin_client.get(CHANGELIST).content.decode()

    @pytest.mark.parametrize("n", [5, 60])
    def test_queue_query_count_does_not_grow(self, admin_client, world, django_assert_max_num_queries, n):
        for i in range(n):
            correction(
                [world.leeds, world.leeds_kharkiv, world.lewis_said][i % 3], what_is_wrong=f"Mistake {i}"
            )
        with django_assert_max_num_queries(8):
            assert admin_client.get(CHANGELIST).status_code == 200


class TestAdminIndex:
    def test_the_index_shows_how_many_are_new(self, admin_client, world):
        correction(world.leeds)
        correction(world.kharkiv)
        correction(world.lille, status="rejected", handled_at=timezone.now())
        response = admin_client.get(reverse("admin:index"))
        html = response.content.decode()
        assert "Corrections from the public" in html
        assert f'href="{CHANGELIST}?status__exact=new"' in html
        assert "2 new corrections to check" in html
        # The other apps are still listed.
        assert reverse("admin:partnerships_city_changelist") in html
        assert reverse("admin:appeals_appeal_changelist") in html

    def test_one_and_none(self, admin_client, world):
        assert "0 new corrections to check" in admin_client.get(reverse("admin:index")).content.decode()
        correction(world.leeds)
        assert "1 new correction to check" in admin_client.get(reverse("admin:index")).content.decode()

    def test_staff_without_permission_do_not_see_the_panel(self, client, django_user_model, world):
        user = django_user_model.objects.create_user("clerk", password="a long test password", is_staff=True)
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        assert "Corrections from the public" not in response.content.decode()


class TestDatabaseRules:
    def insert(self, **kwargs):
        base = {"kind": "city", "record_label": "Leeds", "what_is_wrong": "a", "what_is_right": "b"}
        # PostgreSQL refuses an over-long value by its varchar length (DataError), SQLite by the
        # check constraint (IntegrityError).
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            Correction.objects.create(**(base | kwargs))

    def test_constraints(self, world):
        self.insert(kind="link", city=world.leeds)  # the key of another kind
        self.insert(city=world.leeds, link=world.leeds_kharkiv)  # two records
        self.insert(kind="person")
        self.insert(status="approved")
        self.insert(what_is_wrong="")
        self.insert(status="rejected")  # handled, but not when
        self.insert(status="accepted", handled_at=timezone.now())  # accepted without saying what changed
        self.insert(source_url="javascript:alert(1)")
        self.insert(what_is_wrong="x" * 2001)  # enforced on SQLite too, by a check constraint
        self.insert(name="n" * 101)
        self.insert(email="e" * 255)

    def test_one_settings_row_with_a_sane_period(self, db):
        CorrectionSettings.load()
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionSettings.objects.bulk_create([CorrectionSettings(id=2)])
        with pytest.raises(IntegrityError), transaction.atomic():
            CorrectionSettings.objects.filter(pk=1).update(retention_days=0)
        assert CorrectionSettings.objects.count() == 1

    def test_settings_in_the_admin(self, admin_client, db):
        settings_row = CorrectionSettings.load()
        url = reverse("admin:corrections_correctionsettings_change", args=[settings_row.pk])
        response = admin_client.post(url, {"retention_days": "0"})
        assert response.status_code == 200
        assert "greater than or equal to 1" in response.content.decode()
        assert admin_client.post(url, {"retention_days": "30"}).status_code == 302
        assert CorrectionSettings.load().retention_days == 30
        assert admin_client.get(reverse("admin:corrections_correctionsettings_add")).status_code == 403
        assert (
            admin_client.get(reverse("admin:corrections_correctionsettings_delete", args=[1])).status_code
            == 403
        )


class TestRetention:
    def test_the_command_deletes_only_old_personal_data(self, world):
        CorrectionSettings.objects.create(retention_days=30)
        now = timezone.now()

        def sent(days_ago, **kwargs):
            c = correction(world.leeds, name="Olena", email="olena@example.org", **kwargs)
            Correction.objects.filter(pk=c.pk).update(created_at=now - datetime.timedelta(days=days_ago))
            return c

        old = sent(31, source_url="https://example.org/a", note_to_sender="Thanks.")
        just_old = sent(30.01)
        recent = sent(29.99)
        new = sent(0)
        out = io.StringIO()
        call_command("purge_correction_personal_data", "--dry-run", stdout=out)
        assert "2 correction(s) older than 30 days" in out.getvalue()
        assert Correction.objects.exclude(name="").count() == 4

        call_command("purge_correction_personal_data", stdout=out)
        assert "Deleted the name and email address of 2 correction(s)" in out.getvalue()
        for c in (old, just_old):
            c.refresh_from_db()
            assert (c.name, c.email) == ("", "")
            assert c.personal_data_deleted_at is not None
            # The correction itself is kept.
            assert c.what_is_wrong and c.record_label == "Leeds"
        old.refresh_from_db()
        assert old.source_url == "https://example.org/a" and old.note_to_sender == "Thanks."
        for c in (recent, new):
            c.refresh_from_db()
            assert (c.name, c.email) == ("Olena", "olena@example.org")
            assert c.personal_data_deleted_at is None

        # A second run has nothing to do and does not move the deletion date.
        deleted_at = Correction.objects.get(pk=old.pk).personal_data_deleted_at
        call_command("purge_correction_personal_data", stdout=out)
        assert "of 0 correction(s)" in out.getvalue()
        assert Correction.objects.get(pk=old.pk).personal_data_deleted_at == deleted_at

    def test_shortening_the_period_takes_effect_at_the_next_run(self, world):
        c = correction(world.leeds, email="olena@example.org")
        Correction.objects.filter(pk=c.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
        call_command("purge_correction_personal_data", stdout=io.StringIO())
        assert Correction.objects.get(pk=c.pk).email == "olena@example.org"  # the default is 90 days
        CorrectionSettings.objects.update_or_create(pk=1, defaults={"retention_days": 7})
        call_command("purge_correction_personal_data", stdout=io.StringIO())
        assert Correction.objects.get(pk=c.pk).email == ""

    def test_the_admin_page_after_purging(self, admin_client, world):
        c = correction(world.leeds, name="Olena", email="olena@example.org")
        Correction.objects.filter(pk=c.pk).update(created_at=timezone.now() - datetime.timedelta(days=365))
        call_command("purge_correction_personal_data", stdout=io.StringIO())
        response = admin_client.get(change_url(c))
        html = response.content.decode()
        assert "olena@example.org" not in html and "Olena" not in html
        assert "No email address (none given, or deleted)." in html
