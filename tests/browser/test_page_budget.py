"""The page budget: nothing from another origin, HTML + CSS under 50 KB compressed, nothing that
needs JavaScript to read or navigate, images with their sizes that load lazily."""

import gzip
import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from partnerships.models import City
from tests.browser.pages import expected_status, public_pages
from tests.browser.support import add_closed_appeal, load_initial_content

BUDGET_BYTES = 50 * 1024


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def of(self, name):
        return [attrs for tag, attrs in self.tags if tag == name]


def parse(html):
    tags = Tags()
    tags.feed(html)
    return tags


def test_no_page_loads_anything_from_another_origin(site, new_context):
    context = new_context()
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    failures = []
    for label, path in public_pages():
        requested.clear()
        response = page.goto(path)
        page.wait_for_load_state("load")
        assert response.status == expected_status(path), label
        foreign = [url for url in requested if not url.startswith(site + "/")]
        if foreign:
            failures.append(f"{label} ({path}): {foreign}")
        # the page did load its own stylesheet: the recording works
        assert any(urlsplit(url).path.endswith(".css") for url in requested), label
    assert not failures, "pages that load from another origin:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_each_page_is_under_50_kb_compressed_with_its_css(client):
    load_initial_content()
    add_closed_appeal()
    sizes = []
    for label, path in public_pages():
        html = client.get(path).content
        css = b""
        for link in parse(html.decode()).of("link"):
            if "stylesheet" in link.get("rel", "").split():
                href = urlsplit(link["href"]).path.removeprefix("/static/")
                with open(finders.find(href), "rb") as file:
                    css += file.read()
        assert css, f"{label}: no stylesheet found"
        sizes.append(
            (len(gzip.compress(html, compresslevel=6)) + len(gzip.compress(css, compresslevel=6)), label)
        )
    largest = max(sizes)
    print(f"largest page, HTML + CSS gzipped: {largest[0]} bytes ({largest[1]})")
    assert [(size, label) for size, label in sizes if size > BUDGET_BYTES] == []


def test_every_page_reads_and_navigates_without_javascript(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    for label, path in public_pages():
        page.goto(path)
        assert page.locator("main h1").count() == 1, label
        assert page.locator("main h1").is_visible(), label
        assert page.locator("nav a").count() >= 6, label
        # The site sends no script at all, except data blocks (JSON-LD) that are not run.
        scripts = page.locator("script").evaluate_all("els => els.map(e => e.type)")
        assert set(scripts) <= {"application/ld+json"}, f"{label}: scripts {scripts}"
    # Links, the filter forms and pagination work with scripting off.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cities").click()
    assert page.url == f"{site}/cities/"
    page.get_by_label("Country").select_option(label="Ukraine")
    page.get_by_role("button", name="Apply filters").click()
    assert "country=UA" in page.url
    cities = page.locator("main tbody th a").all_inner_texts()
    assert "Kharkiv" in cities and "Leeds" not in cities
    page.get_by_role("link", name="Kharkiv", exact=True).click()
    assert page.locator("h1").inner_text().startswith("Kharkiv")


@pytest.mark.django_db
def test_images_have_their_size_and_load_lazily(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_initial_content()
    add_closed_appeal()
    kharkiv = City.objects.get(slug="kharkiv")
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(png, "PNG")
    kharkiv.image_alt = "Freedom Square, Kharkiv"
    kharkiv.image.save("kharkiv.png", io.BytesIO(png.getvalue()), save=True)

    images = []
    for label, path in public_pages():
        images += [(label, img) for img in parse(client.get(path).content.decode()).of("img")]
    assert images, "no page showed an image: the check would prove nothing"
    bad = [
        (label, img)
        for label, img in images
        if not (
            img.get("width", "").isdigit()
            and img.get("height", "").isdigit()
            and img.get("loading") == "lazy"
        )
    ]
    assert bad == []
