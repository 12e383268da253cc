"""Every public page can be shared: canonical URL, title, description, Open Graph tags and,
where it fits, JSON-LD. sitemap.xml, robots.txt and the Atom feeds list what the public sees."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AppealFactory, AppealUpdateFactory

ORIGIN = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Head(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.json_ld, self.title = {}, [], [], ""
        self._in = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self._in_body = True  # an inline SVG's <title> names the drawing, not the page
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "ld"
            self.json_ld.append("")
        elif tag == "title" and not self._in_body:
            self._in = "title"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "ld":
            self.json_ld[-1] += data
        elif self._in == "title":
            self.title += data


def head(response):
    parser = Head()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def site(world, today):
    appeal = AppealFactory(
        slug="leeds-together", title="Leeds Together for Ukraine", organiser="Leeds City Council"
    )
    appeal.cities.add(world.leeds)
    AppealUpdateFactory(appeal=appeal, title="Vans left")
    world.appeal = appeal
    world.draft_appeal = AppealFactory(slug="draft-appeal", is_published=False)
    return world


def public_urls(w):
    return [
        reverse("home"),
        reverse("search"),
        reverse("search") + "?q=Kharkiv",
        reverse("open-data"),
        reverse("partnerships:city-list"),
        reverse("partnerships:link-list"),
        reverse("partnerships:statement-list"),
        reverse("partnerships:person-list"),
        reverse("appeals:list"),
        w.kharkiv.get_absolute_url(),
        w.leeds.get_absolute_url(),
        w.leeds_kharkiv.get_absolute_url(),
        w.lewis_said.get_absolute_url(),
        w.terekhov.get_absolute_url(),
        w.appeal.get_absolute_url(),
    ]


def test_every_public_page_has_canonical_title_description_and_open_graph(client, site):
    default_description = head(client.get("/")).meta["description"]
    for url in public_urls(site):
        response = client.get(url)
        assert response.status_code == 200, url
        page = head(response)
        canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
        path = url.split("?")[0]
        assert canonical == [ORIGIN + path], url
        assert page.meta["og:url"] == ORIGIN + path, url
        for key in ("og:title", "og:description", "og:type", "og:site_name", "description"):
            assert page.meta.get(key, "").strip(), (url, key)
        assert page.meta["og:site_name"] == "Twinning"
        assert page.title.strip().endswith("– Twinning") and len(page.title.strip()) > len("– Twinning") + 3
        if path != "/":
            assert page.title != head(client.get("/")).title, url
        if path not in {"/"}:
            # Detail and list pages describe themselves, not the site in general.
            assert page.meta["description"] != default_description or path == "/", url


def test_detail_pages_say_what_they_are_about(client, site):
    page = head(client.get(site.kharkiv.get_absolute_url()))
    assert page.meta["og:title"] == "Kharkiv"
    assert "Kharkiv" in page.meta["description"] and "Kharkiv" in page.meta["og:description"]
    assert head(client.get(site.lewis_said.get_absolute_url())).meta["og:type"] == "article"
    assert head(client.get(site.terekhov.get_absolute_url())).meta["og:type"] == "profile"


def test_canonical_drops_the_query_string_except_a_page_number(client, site):
    page = head(client.get(reverse("partnerships:city-list"), {"country": "UA", "utm_source": "x"}))
    assert page.meta["og:url"] == ORIGIN + "/cities/"
    for value in ("abc", "1", "0", "9" * 50):
        page = head(client.get(reverse("partnerships:statement-list"), {"page": value}))
        assert page.meta["og:url"] == ORIGIN + "/statements/", value


def test_a_later_page_keeps_its_page_number(client, db):
    from tests.factories import PersonFactory

    PersonFactory.create_batch(30)
    page = head(client.get(reverse("partnerships:person-list"), {"page": "2", "x": "y"}))
    assert page.meta["og:url"] == ORIGIN + "/people/?page=2"


def test_canonical_follows_the_host(db, settings):
    settings.ALLOWED_HOSTS = ["twinning.example.org"]
    response = Client(HTTP_HOST="twinning.example.org").get("/cities/", secure=True)
    assert head(response).meta["og:url"] == "https://twinning.example.org/cities/"


def _ld(client, url):
    blocks = head(client.get(url)).json_ld
    assert len(blocks) == 1, url
    return json.loads(blocks[0])


def test_a_city_is_a_place_with_coordinates(client, site):
    data = _ld(client, site.kharkiv.get_absolute_url())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Place"
    assert data["name"] == "Kharkiv"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 49.9925, "longitude": 36.2311}
    assert data["address"]["addressCountry"] == "UA"
    assert "Харків" in data["alternateName"] and "Kharkov" in data["alternateName"]
    assert data["url"] == ORIGIN + "/cities/kharkiv/"


def test_a_statement_is_a_quotation_by_a_person(client, site):
    data = _ld(client, site.terekhov_said.get_absolute_url())
    assert data["@type"] == "Quotation"
    assert data["text"] == "Ми пишаємося новими стосунками з Лідсом."
    assert data["inLanguage"] == "uk"
    assert data["creator"] == {
        "@type": "Person",
        "name": "Ihor Terekhov",
        "url": ORIGIN + "/people/ihor-terekhov/",
        "jobTitle": "Mayor of Kharkiv",
    }
    assert data["dateCreated"] == "2022-07"
    assert data["citation"][0]["publisher"]["name"] == "BBC News"


def test_an_appeal_names_its_organiser(client, site):
    data = _ld(client, site.appeal.get_absolute_url())
    assert data["@type"] == "Project"
    assert data["founder"] == {"@type": "Organization", "name": "Leeds City Council"}
    assert data["potentialAction"]["@type"] == "DonateAction"


def test_a_person_is_a_person(client, site):
    assert _ld(client, site.terekhov.get_absolute_url())["@type"] == "Person"


def test_json_ld_cannot_close_its_script_element(client, site):
    site.kharkiv.description = "</script><script>alert(1)</script> & more"
    site.kharkiv.save()
    text = client.get(site.kharkiv.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in text
    assert "\\u003C/script\\u003E" in text
    assert json.loads(head(client.get(site.kharkiv.get_absolute_url())).json_ld[0])["description"].startswith(
        "</script>"
    )


def test_feeds_are_advertised_on_every_page(client, site):
    for url in public_urls(site):
        alternates = {
            link["href"]
            for link in head(client.get(url)).links
            if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
        }
        assert alternates == {"/links/events.atom", "/statements/feed.atom", "/appeals/updates.atom"}, url


# --- sitemap.xml and robots.txt -------------------------------------------------------------


def _xml(client, url):
    response = client.get(url.removeprefix(ORIGIN))
    assert response.status_code == 200, url
    return ET.fromstring(response.content)  # noqa: S314 - our own pages


def sitemap_pages(client):
    """The addresses of the sitemaps /sitemap.xml indexes."""
    return [loc.text for loc in _xml(client, "/sitemap.xml").iter(f"{SITEMAP}loc")]


def sitemap_entries(client):
    """Every <url> of every sitemap the index lists, in order."""
    return [url for page in sitemap_pages(client) for url in _xml(client, page).iter(f"{SITEMAP}url")]


def sitemap_urls(client):
    return [url.find(f"{SITEMAP}loc").text for url in sitemap_entries(client)]


def test_sitemap_lists_every_published_page_and_no_draft(client, site):
    urls = set(sitemap_urls(client))
    expected = {ORIGIN + u for u in public_urls(site) if "?" not in u and u != "/search/"}
    assert expected <= urls
    w = site
    for link in (
        w.leeds_lille,
        w.leeds_brno,
        w.kharkiv_lille,
        w.kharkiv_brno,
        w.liverpool_odesa,
        w.leeds_odesa,
    ):
        assert ORIGIN + link.get_absolute_url() in urls
    for statement in (w.lewis_said, w.terekhov_said, w.about_kharkiv):
        assert ORIGIN + statement.get_absolute_url() in urls
    for draft in (w.draft_link, w.draft_statement, w.statement_on_draft_link, w.draft_appeal):
        assert ORIGIN + draft.get_absolute_url() not in urls
    assert not any("/admin/" in u or "/donate/" in u or "/search/" in u for u in urls)


def test_sitemap_is_an_index_of_pages_each_listing_every_address_once(client, site, monkeypatch, settings):
    """The protocol allows 50,000 addresses a sitemap; one sitemap of everything listed 113,000
    on the benchmark's data and took 17 s. Each section is paged, and a page reads its own rows."""
    from twinning.sitemaps import SiteSitemap

    settings.PAGE_CACHE_ENABLED = False  # the same addresses are read with two page sizes
    everything = sitemap_urls(client)
    assert len(everything) == len(set(everything))
    monkeypatch.setattr(SiteSitemap, "limit", 3)
    pages = sitemap_pages(client)
    assert f"{ORIGIN}/sitemap-links.xml?p=2" in pages and f"{ORIGIN}/sitemap-cities.xml?p=2" in pages
    paged = [url for page in pages for url in (loc.text for loc in _xml(client, page).iter(f"{SITEMAP}loc"))]
    assert sorted(paged) == sorted(everything)  # each address on one page, none lost
    for page in pages:
        assert len(list(_xml(client, page).iter(f"{SITEMAP}url"))) <= 3
    last = max(int(p.rsplit("=", 1)[1]) for p in pages if p.startswith(f"{ORIGIN}/sitemap-links.xml?p="))
    for bad in (last + 1, 0, "abc", "%00"):
        assert client.get(f"/sitemap-links.xml?p={bad}").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_page_of_pairs_is_the_page_of_djangos_list_of_them(db, site):
    from twinning.sitemaps import InEveryLanguage

    rows = site.leeds.__class__.objects.order_by("pk").values_list("slug", flat=True)
    pairs = InEveryLanguage(rows, ["en", "uk"])
    whole = [(row, language) for row in rows for language in ["en", "uk"]]
    assert len(pairs) == len(whole) > 6
    for start in range(len(whole) + 1):
        for stop in range(start, len(whole) + 2):
            assert pairs[start:stop] == whole[start:stop], (start, stop)
    assert pairs[3] == whole[3] and pairs[-1] == whole[-1]


def test_sitemap_query_count_is_fixed(client, site, django_assert_max_num_queries, settings):
    # The index counts each of the five sections drawn from the database and reads the appeals'
    # dates; a page of a section is a count and its own rows.
    settings.PAGE_CACHE_ENABLED = False  # each request renders, none is served from the cache
    pages = sitemap_pages(client)
    with django_assert_max_num_queries(6):
        assert client.get("/sitemap.xml").status_code == 200
    for page in pages:
        with django_assert_max_num_queries(2):
            assert client.get(page.removeprefix(ORIGIN)).status_code == 200
    from tests.factories import LinkFactory, PersonFactory

    LinkFactory.create_batch(40)
    PersonFactory.create_batch(40)
    with django_assert_max_num_queries(6):
        assert client.get("/sitemap.xml").status_code == 200
    for page in sitemap_pages(client):
        with django_assert_max_num_queries(2):
            assert client.get(page.removeprefix(ORIGIN)).status_code == 200


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin_and_donate(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /appeals/donate/" in lines
    assert f"Sitemap: {ORIGIN}/sitemap.xml" in lines


# --- Atom feeds -----------------------------------------------------------------------------


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own pages


def test_link_events_feed(client, site):
    root = _feed(client, "/links/events.atom")
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[0] == "Leeds–Kharkiv: Friendship Oath signed in Prague"
    assert "Kharkiv–Odesa: Draft link event" not in titles
    assert not any("Unpublished event" in t for t in titles)
    assert len(entries) == 9
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links[0] == f"{ORIGIN}/links/leeds-kharkiv/#event-{site.oath.pk}"
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    summary = entries[0].find(f"{ATOM}summary").text
    assert "Council news on the Leeds–Kharkiv Friendship Oath" in summary


def test_statements_feed(client, site):
    root = _feed(client, "/statements/feed.atom")
    entries = root.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert ORIGIN + site.terekhov_said.get_absolute_url() in links
    assert ORIGIN + site.draft_statement.get_absolute_url() not in links
    assert ORIGIN + site.statement_on_draft_link.get_absolute_url() not in links
    assert len(entries) == 3
    text = ET.tostring(root, encoding="unicode")
    assert "We are proud of the new relationship with Leeds." in text
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text


@pytest.mark.parametrize("url", ["/links/events.atom", "/statements/feed.atom"])
def test_feed_query_count_is_fixed(client, site, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(3):
        client.get(url)


def test_sitemap_lists_each_page_in_both_languages_with_its_alternates(client, site):
    xhtml = "{http://www.w3.org/1999/xhtml}link"
    city = site.kharkiv.get_absolute_url()
    entries = {
        url.find(f"{SITEMAP}loc").text: {link.get("hreflang"): link.get("href") for link in url.iter(xhtml)}
        for url in sitemap_entries(client)
    }
    english, ukrainian = ORIGIN + city, ORIGIN + "/uk" + city
    assert english in entries and ukrainian in entries
    for loc in (english, ukrainian):
        assert entries[loc] == {"en": english, "uk": ukrainian, "x-default": english}
