"""Staff: sign in to the admin, add a city, add a link with an event and a statement that cites a
source, publish it, and see it on the public site. A staff account without the permission cannot.

Everything happens in the browser as a person would do it, including the admin's autocomplete
(select2) widgets: type into the search box, pick from the results.
"""

import re
import secrets

import pytest
from playwright.sync_api import expect

from partnerships.models import City, Link

pytestmark = pytest.mark.usefixtures("site")


def password():
    return secrets.token_urlsafe(24)


def sign_in(page, username, secret):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(secret)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def autocomplete(page, select_id, search, pick):
    """Choose ``pick`` in the select2 widget that stands for <select id=select_id>."""
    page.locator(f"#{select_id} + .select2").click()
    box = page.locator(".select2-container--open .select2-search__field")
    box.fill(search)
    page.locator(".select2-container--open .select2-results__option", has_text=pick).first.click()
    expect(page.locator(f"#{select_id} + .select2")).to_contain_text(pick)


def test_staff_adds_a_city_and_a_published_link_that_the_public_then_sees(
    page, new_context, django_user_model
):
    secret = password()
    django_user_model.objects.create_superuser("editor", "editor@example.org", secret)
    sign_in(page, "editor", secret)

    # A city.
    page.get_by_role("row", name=re.compile(r"^Cities")).get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add city")
    page.get_by_label("Name:", exact=True).press_sequentially("Zaporizhzhia")
    expect(page.get_by_label("Slug:")).to_have_value("zaporizhzhia")  # filled in as you type
    page.get_by_label("Native name:").fill("Запоріжжя")
    page.get_by_label("Country:").select_option("UA")
    page.get_by_label("Latitude:").fill("47.8388")
    page.get_by_label("Longitude:").fill("35.1396")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert City.objects.filter(slug="zaporizhzhia", native_name="Запоріжжя").exists()

    # A link with an event and a statement, each citing a source.
    page.goto("/admin/")
    page.get_by_role("row", name=re.compile(r"^Links")).get_by_role("link", name="Add").click()
    autocomplete(page, "id_city_a", "Leeds", "Leeds")
    autocomplete(page, "id_city_b", "Zapor", "Zaporizhzhia")
    page.get_by_label("Kind:").select_option(label="solidarity partnership")
    page.get_by_label("Summary:").fill("A solidarity link entered by a browser test.")

    page.get_by_role("button", name=re.compile("Add another event", re.IGNORECASE)).click()
    event = page.locator("#events-0")
    event.locator("#id_events-0-date").fill("2024-02-01")
    event.locator("#id_events-0-date_precision").select_option(label="exact day")
    event.locator("#id_events-0-title").fill("Councils agree a solidarity link")
    event.locator("#id_events-0-status").select_option(label="active")
    autocomplete(page, "id_events-0-sources", "Friendship Oath", "Friendship Oath")
    event.locator("#id_events-0-is_published").check()

    page.get_by_role("button", name=re.compile("Add another statement", re.IGNORECASE)).click()
    statement = page.locator("#statements-0")
    statement.locator("#id_statements-0-quote").fill("Our two cities stand together.")
    autocomplete(page, "id_statements-0-speaker", "James", "James Lewis")
    statement.locator("#id_statements-0-date").fill("2024-02-01")
    statement.locator("#id_statements-0-date_precision").select_option(label="exact day")
    autocomplete(page, "id_statements-0-sources", "Councillors back", "Councillors back plan")
    statement.locator("#id_statements-0-is_published").check()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".errornote")).to_have_count(0)
    link = Link.objects.get(slug="leeds-zaporizhzhia")
    assert not link.is_published

    # Not published yet: the public gets a 404, staff see the draft.
    public = new_context().new_page()
    assert public.goto("/links/leeds-zaporizhzhia/").status == 404
    page.goto("/links/leeds-zaporizhzhia/")
    expect(page.get_by_text("Draft: not visible to the public")).to_be_visible()

    # Publish with the list action, as staff do.
    page.goto("/admin/partnerships/link/?q=Zaporizhzhia")
    page.get_by_role("checkbox", name=re.compile("Select this object")).check()
    page.get_by_label("Action:").select_option(label="Publish the selected records")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_be_visible()

    # The public sees the link, its event, its statement and their sources.
    assert public.goto("/links/leeds-zaporizhzhia/").status == 200
    expect(public.get_by_role("heading", level=1)).to_have_text("Leeds–Zaporizhzhia")
    expect(public.locator("main")).to_contain_text("active")
    expect(public.locator(".timeline")).to_contain_text("Councils agree a solidarity link")
    expect(public.locator("main blockquote")).to_contain_text("Our two cities stand together.")
    footnotes = public.locator(".footnotes")
    expect(footnotes).to_contain_text("Council news on the Leeds–Kharkiv Friendship Oath")
    expect(footnotes).to_contain_text("Councillors back plan to twin Leeds with Kharkiv")
    public.locator("main").get_by_role("link", name="Zaporizhzhia").first.click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("Zaporizhzhia")
    expect(public.locator("main")).to_contain_text("Leeds")


def test_staff_without_the_permission_cannot_add_or_change_links(page, django_user_model):
    from django.contrib.auth.models import Permission

    secret = password()
    reader = django_user_model.objects.create_user("reader", "reader@example.org", secret, is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_link"))
    sign_in(page, "reader", secret)

    links_row = page.get_by_role("row", name=re.compile(r"^Links"))
    expect(links_row).to_be_visible()
    expect(links_row.get_by_role("link", name="Add")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile(r"^Cities"))).to_have_count(0)

    page.goto("/admin/partnerships/link/")
    expect(page.get_by_role("link", name=re.compile("Add link", re.IGNORECASE))).to_have_count(0)
    page.locator("#result_list").get_by_role("link", name="Leeds–Kharkiv").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("View link")
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)

    assert page.goto("/admin/partnerships/link/add/").status == 403
    assert page.goto("/admin/partnerships/city/add/").status == 403
    assert not Link.objects.filter(city_b__slug="zaporizhzhia").exists()


def test_every_record_page_of_the_initial_content_fits_a_laptop_screen(page, django_user_model):
    """At 1,280 px no admin page of the initial content is wider than the screen: an appeal's
    nine-column table of raised figures made it about 2,200 px, with each figure's source, note
    and Delete box out of sight."""
    from appeals.models import Appeal

    secret = password()
    django_user_model.objects.create_superuser("staffer", "staffer@example.org", secret)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "staffer", secret)
    records = [*Appeal.objects.all(), *Link.objects.all()[:3], *City.objects.all()[:2]]
    assert any(a.figures.count() > 1 for a in Appeal.objects.all())
    too_wide = []
    for record in records:
        url = f"/admin/{record._meta.app_label}/{record._meta.model_name}/{record.pk}/change/"
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            too_wide.append(f"{url}: {width} px")
    assert not too_wide, too_wide
