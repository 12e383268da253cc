"""Editors make drafts, also of published records: an Editor's save of a published city, link or
appeal is kept as a proposed change; a Publisher compares it with the published version and
publishes or discards it; a proposal overtaken by a later change to the same fields is refused;
council scope applies throughout; hostile requests to the review pages never give a 500."""

from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from appeals.models import Appeal
from partnerships.models import CityName, Event, Link
from tests.admin_forms import read_form
from twinning.models import ProposedChange, StaffProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_groups")]

PASSWORD = "correct horse battery staple"
DRAFT_MESSAGE = (
    "Your change was saved as a draft for a Publisher to review; the published version is unchanged."
)
LIST = "/admin/twinning/proposedchange/"


def staff(username, group, council=None):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if council is not None:
        StaffProfile.objects.create(user=user, council=council)
    return user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def review_url(proposal):
    return reverse("admin:twinning_proposedchange_change", args=[proposal.pk])


def edit(client, obj, **changes):
    page = client.get(change_url(obj))
    assert page.status_code == 200
    data = read_form(page)
    data.update(changes)
    return client.post(change_url(obj), data)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def editor(world):
    return signed_in(staff("edna", "Editor"))


@pytest.fixture
def publisher(world):
    return signed_in(staff("pat", "Publisher"))


def propose_summary(editor, link, summary="Proposed wording.", **extra):
    response = edit(editor, link, summary=summary, **extra)
    assert response.status_code == 302, response.context and response.context["errors"]
    return ProposedChange.objects.latest("pk")


class TestEditorsPropose:
    def test_a_published_link_is_left_as_it_is_and_the_change_is_kept(self, editor, world):
        link = world.leeds_kharkiv
        versions = link.history.count()
        base = link.history.latest().history_id
        response = edit(
            editor,
            link,
            summary="A solidarity link, proposed by an editor.",
            sources=[str(world.council.pk), str(world.bbc.pk)],
        )
        assert response.status_code == 302
        follow = editor.get(response["Location"])
        assert DRAFT_MESSAGE in follow.content.decode()

        link.refresh_from_db()
        assert link.summary == "A solidarity link agreed in wartime."
        assert list(link.sources.values_list("pk", flat=True)) == [world.council.pk]
        assert link.history.count() == versions  # nothing was saved to the record

        proposal = ProposedChange.objects.get()
        assert proposal.record == link
        assert proposal.fields == {"summary": "A solidarity link, proposed by an editor."}
        assert proposal.many_to_many == {"sources": sorted([world.council.pk, world.bbc.pk])}
        assert proposal.author.username == "edna"
        assert proposal.base_history_id == base
        assert proposal.state == ProposedChange.State.PENDING
        assert proposal.object_repr == str(link)

    def test_the_message_is_shown_on_save_and_continue(self, editor, world):
        response = edit(editor, world.leeds_kharkiv, summary="Changed.", _continue="1")
        assert response.status_code == 302
        assert response["Location"] == change_url(world.leeds_kharkiv)
        page = editor.get(response["Location"])
        html = page.content.decode()
        assert DRAFT_MESSAGE in html
        assert "1 proposed change to this record waits for review." in html
        assert "1 of them is yours." in html
        assert "This record is published." in html

    def test_a_city_is_always_public_so_its_changes_are_proposals(self, editor, world):
        city = world.kharkiv
        response = edit(editor, city, description="Changed by an editor.", population="1500000")
        assert response.status_code == 302
        city.refresh_from_db()
        assert city.description == "Ukraine's second city."
        assert city.population == 1421125
        proposal = ProposedChange.objects.get()
        assert proposal.fields == {"description": "Changed by an editor.", "population": 1500000}

    def test_a_published_appeal_with_its_cities(self, editor, site):
        appeal = site.appeal
        response = edit(
            editor, appeal, summary="A new summary.", cities=[str(site.leeds.pk), str(site.kharkiv.pk)]
        )
        assert response.status_code == 302
        appeal.refresh_from_db()
        assert appeal.summary == "Support for people fleeing the war."
        assert list(appeal.cities.values_list("pk", flat=True)) == [site.leeds.pk]
        proposal = ProposedChange.objects.get()
        assert proposal.fields == {"summary": "A new summary."}
        assert proposal.many_to_many == {"cities": sorted([site.leeds.pk, site.kharkiv.pk])}

    def test_a_published_event_on_its_own_page(self, editor, world):
        response = edit(editor, world.oath, decided_by="The two councils")
        assert response.status_code == 302
        world.oath.refresh_from_db()
        assert world.oath.decided_by == "Lord Mayor of Leeds and First Deputy Mayor of Kharkiv"
        assert ProposedChange.objects.get().fields == {"decided_by": "The two councils"}

    def test_an_uploaded_image_waits_in_the_proposal(self, editor, publisher, world, settings, tmp_path):
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        picture = io.BytesIO()
        Image.new("RGB", (4, 3), "blue").save(picture, "PNG")
        upload = SimpleUploadedFile("kharkiv.png", picture.getvalue(), content_type="image/png")
        response = edit(editor, world.kharkiv, image=upload, image_alt="Freedom Square")
        assert response.status_code == 302
        world.kharkiv.refresh_from_db()
        assert not world.kharkiv.image
        proposal = ProposedChange.objects.get()
        stored = proposal.fields["image"]
        assert stored.startswith("cities/kharkiv") and (tmp_path / stored).exists()
        assert proposal.fields["image_alt"] == "Freedom Square"

        assert publisher.post(review_url(proposal), {"_publish": "1"}).status_code == 302
        world.kharkiv.refresh_from_db()
        assert world.kharkiv.image.name == stored
        assert world.kharkiv.image_alt == "Freedom Square"

    def test_drafts_stay_directly_editable(self, editor, world):
        response = edit(editor, world.draft_link, summary="Draft wording, saved at once.")
        assert response.status_code == 302
        world.draft_link.refresh_from_db()
        assert world.draft_link.summary == "Draft wording, saved at once."
        # A published event of a draft link is not public either.
        event = world.draft_link.events.get()
        event.is_published = True
        event.save()
        assert edit(editor, event, decided_by="Kharkiv City Council").status_code == 302
        event.refresh_from_db()
        assert event.decided_by == "Kharkiv City Council"
        assert not ProposedChange.objects.exists()

    def test_publishers_and_superusers_save_directly(self, publisher, admin_client, world):
        assert edit(publisher, world.leeds_kharkiv, summary="By a publisher.").status_code == 302
        assert edit(admin_client, world.kharkiv, description="By a superuser.").status_code == 302
        world.leeds_kharkiv.refresh_from_db()
        world.kharkiv.refresh_from_db()
        assert world.leeds_kharkiv.summary == "By a publisher."
        assert world.kharkiv.description == "By a superuser."
        assert not ProposedChange.objects.exists()

    def test_saving_without_a_change_proposes_nothing(self, editor, world):
        response = edit(editor, world.leeds_kharkiv)
        assert response.status_code == 302
        assert not ProposedChange.objects.exists()

    def test_in_a_popup_from_another_page(self, editor, world):
        """The pencil beside a link's city opens the city in a popup; saving there proposes too,
        and the popup closes naming the city as it is."""
        url = change_url(world.kharkiv) + "?_popup=1&_to_field=id"
        data = read_form(editor.get(url))
        data.update(_popup="1", _to_field="id", name="Kharkiv (proposed)")
        response = editor.post(url, data)
        assert response.status_code == 200
        assert "popup_response" in response.content.decode()
        assert "Kharkiv (proposed)" not in response.content.decode()
        world.kharkiv.refresh_from_db()
        assert world.kharkiv.name == "Kharkiv"
        assert ProposedChange.objects.get().fields == {"name": "Kharkiv (proposed)"}

    def test_line_endings_alone_are_not_a_change(self, editor, world):
        """Browsers send a text area's lines with CRLF; text stored with LF is the same text."""
        Link.objects.filter(pk=world.leeds_kharkiv.pk).update(summary="Line one.\nLine two.")
        response = edit(editor, world.leeds_kharkiv, summary="Line one.\r\nLine two.")
        assert response.status_code == 302
        assert not ProposedChange.objects.exists()

    def test_the_edit_check_still_applies_to_editors(self, editor, publisher, world):
        link = world.leeds_kharkiv
        stale = read_form(editor.get(change_url(link)))
        assert edit(publisher, link, summary="Publisher's wording.").status_code == 302
        stale["summary"] = "Editor's wording."
        response = editor.post(change_url(link), stale)
        assert response.status_code == 200
        assert "Someone else changed this record while you were editing it (pat," in response.content.decode()
        assert not ProposedChange.objects.exists()

    def test_restoring_an_old_version_is_a_proposal_too(self, editor, publisher, world):
        link = world.leeds_kharkiv
        first = link.history.latest()
        assert edit(publisher, link, summary="Second wording.").status_code == 302
        url = reverse("admin:partnerships_link_simple_history", args=[link.pk, first.history_id])
        data = read_form(editor.get(url))
        response = editor.post(url, data)
        assert response.status_code == 302
        link.refresh_from_db()
        assert link.summary == "Second wording."
        assert ProposedChange.objects.get().fields == {"summary": "A solidarity link agreed in wartime."}


class TestInlinesOfAPublishedRecord:
    """On a published record's page an Editor cannot change rows that are public, can still add
    rows that are drafts, and cannot add rows that would be public at once."""

    def test_published_rows_are_disabled_and_draft_rows_editable(self, editor, world):
        page = editor.get(change_url(world.leeds_kharkiv))
        formset = next(
            f.formset for f in page.context["inline_admin_formsets"] if f.formset.prefix == "events"
        )
        states = {form.instance.pk: form.fields["title"].disabled for form in formset.forms}
        assert states[world.oath.pk] is True
        assert states[world.draft_event.pk] is False
        html = page.content.decode()
        assert "Published rows below cannot be changed here" in html

    def test_a_forged_change_to_a_published_row_is_ignored(self, editor, world):
        page = read_form(editor.get(change_url(world.leeds_kharkiv)))
        index = next(
            i
            for i in range(int(page["events-TOTAL_FORMS"]))
            if page.get(f"events-{i}-id") == str(world.oath.pk)
        )
        page[f"events-{index}-title"] = "Forged"
        page[f"events-{index}-is_published"] = ""
        assert editor.post(change_url(world.leeds_kharkiv), page).status_code == 302
        world.oath.refresh_from_db()
        assert world.oath.title == "Friendship Oath signed in Prague"
        assert world.oath.is_published

    def test_a_draft_row_is_changed_and_a_new_row_is_a_draft(self, editor, world):
        link = world.leeds_kharkiv
        data = read_form(editor.get(change_url(link)))
        index = next(
            i
            for i in range(int(data["events-TOTAL_FORMS"]))
            if data.get(f"events-{i}-id") == str(world.draft_event.pk)
        )
        data[f"events-{index}-title"] = "Draft event, reworded"
        new = int(data["events-TOTAL_FORMS"])
        data.update(
            {
                "events-TOTAL_FORMS": str(new + 1),
                f"events-{new}-date": "2024-06-01",
                f"events-{new}-date_precision": "month",
                f"events-{new}-title": "A new event from an editor",
                f"events-{new}-status": "",
                f"events-{new}-sort_order": "0",
                f"events-{new}-is_published": "on",
                f"events-{new}-sources": [str(world.council.pk)],
            }
        )
        assert editor.post(change_url(link), data).status_code == 302
        world.draft_event.refresh_from_db()
        assert world.draft_event.title == "Draft event, reworded"
        assert Event.objects.get(title="A new event from an editor").is_published is False

    def test_rows_without_a_publication_flag_cannot_be_added(self, editor, world):
        city = world.kharkiv
        page = editor.get(change_url(city))
        formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "other_names")
        assert formset.formset.max_num == 0
        data = read_form(page)
        new = int(data["other_names-TOTAL_FORMS"])
        data.update(
            {
                "other_names-TOTAL_FORMS": str(new + 1),
                f"other_names-{new}-name": "Forged name",
                f"other_names-{new}-kind": "translit",
                f"other_names-{new}-language": "Polish",
            }
        )
        assert editor.post(change_url(city), data).status_code in {200, 302}
        assert not CityName.objects.filter(name="Forged name").exists()


class TestPublishersReview:
    def test_the_index_counts_what_waits(self, editor, publisher, world):
        propose_summary(editor, world.leeds_kharkiv)
        html = publisher.get(reverse("admin:index")).content.decode()
        assert "1 proposed change to review" in html
        assert f'{LIST}?state__exact=pending"' in html
        mine = editor.get(reverse("admin:index")).content.decode()
        assert "1 of your proposed changes waits for a Publisher." in mine
        assert LIST not in mine

    def test_the_records_page_links_to_its_proposals(self, editor, publisher, world):
        proposal = propose_summary(editor, world.leeds_kharkiv)
        propose_summary(editor, world.leeds_lille, summary="Another record's proposal.")
        page = publisher.get(change_url(world.leeds_kharkiv))
        html = page.content.decode()
        assert "1 proposed change to this record waits for review." in html
        assert "This record is published." not in html  # a Publisher's save is not a proposal
        url = page.context["proposals_url"]
        assert "Review them" in html and url.replace("&", "&amp;") in html
        listing = publisher.get(url)
        assert listing.status_code == 200
        assert [p.pk for p in listing.context["cl"].result_list] == [proposal.pk]

    def test_the_list_and_the_review_page_show_old_and_new(self, editor, publisher, world):
        proposal = propose_summary(editor, world.leeds_kharkiv, sources=[str(world.bbc.pk)])
        listing = publisher.get(LIST, {"state__exact": "pending"})
        assert listing.status_code == 200
        html = listing.content.decode()
        assert "Leeds–Kharkiv" in html and "edna" in html and "summary, sources" in html

        page = publisher.get(review_url(proposal))
        assert page.status_code == 200
        rows = {row.label: row for row in page.context["review"].rows}
        assert rows["Summary"].old == "A solidarity link agreed in wartime."
        assert rows["Summary"].new == "Proposed wording."
        assert rows["Sources"].old == [str(world.council)]
        assert str(world.bbc) in rows["Sources"].new
        html = page.content.decode()
        assert 'name="_publish"' in html and 'name="_discard"' in html

    def test_publishing_applies_it_with_the_publisher_in_the_history(self, editor, publisher, world):
        link = world.leeds_kharkiv
        proposal = propose_summary(editor, link, sources=[str(world.bbc.pk)])
        response = publisher.post(review_url(proposal), {"_publish": "Publish"})
        assert response.status_code == 302
        assert "was published" in publisher.get(response["Location"]).content.decode()

        link.refresh_from_db()
        assert link.summary == "Proposed wording."
        assert list(link.sources.values_list("pk", flat=True)) == [world.bbc.pk]
        latest = link.history.latest()
        assert latest.history_user.username == "pat"
        assert latest.history_change_reason == f"Proposed change {proposal.pk} by edna"
        assert latest.summary == "Proposed wording."
        assert [r.source_id for r in latest.sources.all()] == [world.bbc.pk]
        proposal.refresh_from_db()
        assert proposal.state == ProposedChange.State.PUBLISHED
        assert proposal.decided_by.username == "pat"
        assert proposal.decided_at is not None
        # Decided: no second publication.
        page = publisher.get(review_url(proposal))
        assert 'name="_publish"' not in page.content.decode()
        again = publisher.post(review_url(proposal), {"_publish": "Publish"}, follow=True)
        assert "already been published or discarded" in again.content.decode()

    def test_a_city_and_an_appeal_are_published_too(self, editor, publisher, site):
        edit(editor, site.kharkiv, population="1500000")
        edit(editor, site.appeal, cities=[str(site.leeds.pk), str(site.kharkiv.pk)])
        for proposal in ProposedChange.objects.all():
            assert publisher.post(review_url(proposal), {"_publish": "1"}).status_code == 302
        site.kharkiv.refresh_from_db()
        assert site.kharkiv.population == 1500000
        assert set(site.appeal.cities.values_list("pk", flat=True)) == {site.leeds.pk, site.kharkiv.pk}
        assert Appeal.history.filter(id=site.appeal.pk, history_user__username="pat").exists()

    def test_discarding_leaves_the_record(self, editor, publisher, world):
        proposal = propose_summary(editor, world.leeds_kharkiv)
        response = publisher.post(review_url(proposal), {"_discard": "Discard"})
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.state == ProposedChange.State.DISCARDED
        assert proposal.decided_by.username == "pat"
        world.leeds_kharkiv.refresh_from_db()
        assert world.leeds_kharkiv.summary == "A solidarity link agreed in wartime."
        assert "0 proposed changes to review" in publisher.get(reverse("admin:index")).content.decode()

    def test_a_proposal_overtaken_by_a_change_to_the_same_field_is_refused(self, editor, publisher, world):
        link = world.leeds_kharkiv
        proposal = propose_summary(editor, link, summary="Editor's wording.")
        assert edit(publisher, link, summary="Publisher's own wording.").status_code == 302

        page = publisher.get(review_url(proposal))
        html = page.content.decode()
        assert "Someone changed this record after the change was proposed (pat," in html
        assert "Changed by someone else since the proposal was made." in html
        assert 'name="_publish"' not in html
        assert 'name="_discard"' in html

        response = publisher.post(review_url(proposal), {"_publish": "Publish"}, follow=True)
        html = response.content.decode()
        assert "Someone changed this record after the change was proposed (pat," in html
        assert "Publishing it would undo their change, so it has not been published." in html
        link.refresh_from_db()
        assert link.summary == "Publisher's own wording."
        proposal.refresh_from_db()
        assert proposal.is_pending

    def test_a_change_to_other_fields_meanwhile_is_kept(self, editor, publisher, world):
        link = world.leeds_kharkiv
        proposal = propose_summary(editor, link, summary="Editor's wording.")
        assert edit(publisher, link, run_by="Leeds City Council").status_code == 302
        page = publisher.get(review_url(proposal))
        assert "but not in the fields it changes" in page.content.decode()
        assert publisher.post(review_url(proposal), {"_publish": "Publish"}).status_code == 302
        link.refresh_from_db()
        assert link.summary == "Editor's wording."
        assert link.run_by == "Leeds City Council"

    def test_sources_changed_meanwhile_are_a_conflict(self, editor, publisher, world):
        link = world.leeds_kharkiv
        proposal = propose_summary(editor, link, sources=[str(world.bbc.pk)])
        assert edit(publisher, link, sources=[str(world.oath_news.pk)]).status_code == 302
        publisher.post(review_url(proposal), {"_publish": "Publish"})
        assert list(link.sources.values_list("pk", flat=True)) == [world.oath_news.pk]
        proposal.refresh_from_db()
        assert proposal.is_pending

    def test_a_proposal_that_no_longer_validates_is_refused(self, editor, publisher, world):
        link = world.leeds_kharkiv
        proposal = propose_summary(editor, link, slug="leeds-kharkiv-oath")
        world.leeds_lille.slug = "leeds-kharkiv-oath"  # taken meanwhile by another record
        world.leeds_lille.save()
        response = publisher.post(review_url(proposal), {"_publish": "Publish"}, follow=True)
        assert "This proposed change cannot be published:" in response.content.decode()
        link.refresh_from_db()
        assert link.slug == "leeds-kharkiv"

    def test_a_deleted_record(self, editor, publisher, world):
        proposal = propose_summary(editor, world.leeds_brno)
        Link.objects.filter(pk=world.leeds_brno.pk).delete()
        page = publisher.get(review_url(proposal))
        assert page.status_code == 200
        assert "The record no longer exists." in page.content.decode()
        response = publisher.post(review_url(proposal), {"_publish": "Publish"}, follow=True)
        assert "The record no longer exists." in response.content.decode()
        assert publisher.post(review_url(proposal), {"_discard": "Discard"}).status_code == 302
        proposal.refresh_from_db()
        assert proposal.state == ProposedChange.State.DISCARDED

    def test_editors_cannot_review_or_publish(self, editor, world):
        proposal = propose_summary(editor, world.leeds_kharkiv)
        assert editor.get(LIST).status_code == 403
        assert editor.get(review_url(proposal)).status_code == 403
        assert editor.post(review_url(proposal), {"_publish": "Publish"}).status_code == 403
        assert editor.post(review_url(proposal), {"_discard": "Discard"}).status_code == 403
        assert "proposedchange" not in editor.get(reverse("admin:index")).content.decode()
        proposal.refresh_from_db()
        assert proposal.is_pending
        world.leeds_kharkiv.refresh_from_db()
        assert world.leeds_kharkiv.summary == "A solidarity link agreed in wartime."

    def test_nobody_adds_proposals_by_hand_and_only_superusers_delete(self, publisher, admin_client, world):
        assert publisher.get(reverse("admin:twinning_proposedchange_add")).status_code == 403
        editor = signed_in(staff("edna", "Editor"))
        proposal = propose_summary(editor, world.leeds_kharkiv)
        delete = reverse("admin:twinning_proposedchange_delete", args=[proposal.pk])
        assert publisher.post(delete, {"post": "yes"}).status_code == 403
        assert admin_client.post(delete, {"post": "yes"}).status_code == 302
        assert not ProposedChange.objects.exists()


class TestCouncilScope:
    def test_a_leeds_editor_cannot_propose_changes_to_liverpools_records(self, world):
        editor = signed_in(staff("leeds-editor", "Editor", council=world.leeds))
        link = world.liverpool_odesa
        assert editor.get(change_url(link)).status_code == 302  # "does not exist" for them
        response = editor.post(change_url(link), {"city_a": link.city_a_id, "city_b": link.city_b_id})
        assert response.status_code == 302
        assert editor.get(change_url(world.liverpool)).status_code == 302
        assert not ProposedChange.objects.exists()
        # Their own council's records: yes.
        assert edit(editor, world.leeds_lille, summary="Leeds and Lille.").status_code == 302
        assert ProposedChange.objects.get().record == world.leeds_lille

    def test_a_leeds_publisher_sees_and_publishes_only_leeds_proposals(self, world):
        national = signed_in(staff("national-editor", "Editor"))
        leeds_proposal = propose_summary(national, world.leeds_lille, summary="Leeds wording.")
        liverpool_proposal = propose_summary(national, world.liverpool_odesa, summary="Liverpool wording.")
        source_proposal = edit(national, world.bbc, note="A shared source.")
        assert source_proposal.status_code == 302

        leeds = signed_in(staff("leeds-publisher", "Publisher", council=world.leeds))
        html = leeds.get(LIST).content.decode()
        assert str(world.leeds_lille) in html
        assert str(world.liverpool_odesa) not in html
        assert str(world.bbc)[:30] in html  # sources are every council's
        assert "2 proposed changes to review" in leeds.get(reverse("admin:index")).content.decode()

        assert leeds.get(review_url(liverpool_proposal)).status_code == 302  # "does not exist"
        leeds.post(review_url(liverpool_proposal), {"_publish": "Publish"})
        leeds.post(review_url(liverpool_proposal), {"_discard": "Discard"})
        liverpool_proposal.refresh_from_db()
        assert liverpool_proposal.is_pending
        world.liverpool_odesa.refresh_from_db()
        assert world.liverpool_odesa.summary == ""

        assert leeds.post(review_url(leeds_proposal), {"_publish": "Publish"}).status_code == 302
        world.leeds_lille.refresh_from_db()
        assert world.leeds_lille.summary == "Leeds wording."

        everyone = signed_in(staff("national-publisher", "Publisher"))
        assert str(world.liverpool_odesa) in everyone.get(LIST).content.decode()


BAD_IDS = [
    "abc",
    "\x00",
    "1\x00",
    "-1",
    "0",
    "99999999999999999999999999",
    "1.5",
    "%00",
    "' OR 1=1 --",
    "A" * 5000,
]


class TestHostileInput:
    @pytest.fixture
    def proposal(self, world):
        editor = signed_in(staff("edna", "Editor"))
        return propose_summary(editor, world.leeds_kharkiv)

    def test_bad_ids_never_give_a_500(self, publisher, proposal, world):
        publisher.raise_request_exception = False
        before = list(ProposedChange.objects.values())
        for value in BAD_IDS:
            for suffix in ["change/", "history/", "delete/", ""]:
                url = f"{LIST}{quote(value, safe='%')}/{suffix}"
                for response in [publisher.get(url), publisher.post(url, {"_publish": "1"})]:
                    assert response.status_code in {200, 302, 403, 404}, (url, response.status_code)
        assert list(ProposedChange.objects.values()) == before
        world.leeds_kharkiv.refresh_from_db()
        assert world.leeds_kharkiv.summary == "A solidarity link agreed in wartime."

    def test_wrong_methods_are_refused(self, publisher, proposal):
        publisher.raise_request_exception = False
        for method in ["put", "patch", "delete"]:
            response = getattr(publisher, method)(review_url(proposal))
            assert response.status_code == 405
        proposal.refresh_from_db()
        assert proposal.is_pending

    def test_hostile_list_parameters(self, publisher, proposal):
        publisher.raise_request_exception = False
        for params in [
            {"state__exact": "\x00"},
            {"state__exact": "x" * 5000},
            {"object_id": "abc"},
            {"object_id": "\x00"},
            {"content_type__id__exact": "\x00"},
            {"content_type__id__exact": "99999999999999999999999999"},
            {"q": "\x00"},
            {"q": "<script>"},
            {"o": "99"},
            {"p": "-1"},
            {"\x00": "1"},
        ]:
            response = publisher.get(LIST, params)
            assert response.status_code in {200, 302}, (params, response.status_code)

    def test_hostile_posts_to_the_review_page(self, publisher, proposal, world):
        publisher.raise_request_exception = False
        for data in [{}, {"_publish": "\x00"}, {"_discard": "A" * 100_000, "_publish": "1", "x": "\x00"}]:
            response = publisher.post(review_url(proposal), data)
            assert response.status_code == 302
        # The one that named _publish published it: a button's value does not matter.
        proposal.refresh_from_db()
        assert proposal.state == ProposedChange.State.PUBLISHED

    def test_a_proposal_stored_with_nonsense_is_shown_not_applied(self, publisher, world):
        """A proposal whose stored values no longer fit the model (a field since removed, an id
        that is not one) is reported on its page and cannot be published."""
        proposal = ProposedChange.objects.create(
            content_type_id=ProposedChange.objects.model._meta.apps.get_model("contenttypes", "ContentType")
            .objects.get_for_model(Link)
            .pk,
            object_id=world.leeds_kharkiv.pk,
            object_repr="Leeds–Kharkiv",
            fields={"no_such_field": "x", "kind": "not a kind", "id": 999, "status": "ended"},
            many_to_many={"sources": ["abc"]},
        )
        page = publisher.get(review_url(proposal))
        assert page.status_code == 200
        assert "can no longer be changed this way" in page.content.decode()
        response = publisher.post(review_url(proposal), {"_publish": "1"}, follow=True)
        assert response.status_code == 200
        world.leeds_kharkiv.refresh_from_db()
        assert world.leeds_kharkiv.kind == Link.Kind.FRIENDSHIP_OATH


def test_the_review_pages_keep_the_strict_policy(publisher, world):
    from tests.test_security_headers import inline_problems

    editor = signed_in(staff("edna", "Editor"))
    proposal = propose_summary(editor, world.leeds_kharkiv, sources=[str(world.bbc.pk)])
    for url in [LIST, review_url(proposal), reverse("admin:index"), change_url(world.leeds_kharkiv)]:
        for client in [publisher, editor]:
            response = client.get(url)
            if response.status_code == 200:
                assert inline_problems(response) == [], url


def test_proposals_are_kept_with_their_constraints(world):
    link = world.leeds_kharkiv
    common = {
        "content_type": ContentType.objects.get_for_model(Link),
        "object_id": link.pk,
        "object_repr": str(link),
    }
    for bad in [
        {"state": "published"},  # decided, but not when
        {"state": "pending", "decided_at": "2026-01-01T00:00:00Z"},
        {"state": "maybe"},
        {"object_repr": ""},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            ProposedChange.objects.create(**{**common, **bad})
    ProposedChange.objects.create(**common)  # waiting, undecided: fine
