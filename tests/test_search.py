"""The search page: the five example queries against the real initial content on both
databases, highlighting, hostile queries, pagination, drafts and query counts."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

import appeals.initial_content
import partnerships.initial_content
from partnerships.models import City, CityName, Link
from tests.factories import CityFactory, EventFactory, LinkFactory
from tests.html_checks import assert_sound_html
from twinning.templatetags.search_tags import excerpt, highlight
from twinning.text import fold

SEARCH = "/search/"


@pytest.fixture
def initial(db):
    partnerships.initial_content.load()
    appeals.initial_content.load()


def results(response):
    """The result list's text, tags and all."""
    text = response.content.decode()
    start = text.find('<ol class="search-results"')
    return text[start : text.find("</ol>", start)] if start != -1 else ""


def result_urls(response):
    return re.findall(
        r'<li class="search-result[^"]*">\s*<span class="tag">[^<]*</span>\s*<a href="([^"]+)"',
        results(response),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Brunn", ["/cities/brno/", "/links/leeds-brno/"]),
        ("brunn", ["/cities/brno/"]),
        ("kharkov", ["/cities/kharkiv/", "/links/leeds-kharkiv/", "/links/kharkiv-lille/"]),
        ("Odessa", ["/cities/odesa/", "/links/liverpool-odesa/"]),
        ("odessa", ["/cities/odesa/"]),
        ("Харків", ["/cities/kharkiv/"]),
        ("Braddock", ["/people/bessie-braddock/", "/links/liverpool-odesa/"]),
        ("Terekov", ["/people/ihor-terekhov/"]),
    ],
)
def test_the_example_queries_find_the_right_records(client, initial, query, expected):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    urls = result_urls(response)
    for url in expected:
        assert url in urls, (query, urls)
    # The record searched for comes first.
    assert urls[0] == expected[0]


def test_people_are_found_by_the_roles_they_held(client, initial):
    urls = result_urls(client.get(SEARCH, {"q": "Lord Mayor"}))
    for person in ("al-garthwaite", "john-rafferty", "mary-rasmussen"):
        assert f"/people/{person}/" in urls, urls
    assert "/people/james-lewis/" not in urls  # Leader of the Council


def test_a_query_of_one_or_two_letters_finds_whole_names_only(client, db):
    """One or two letters are word-similar to every name with a word starting with them: "a"
    made PostgreSQL score every link of thousands of cities. A short query finds a name that is
    just those letters (there are towns called Å and Y), accents and case folded."""
    a, y = CityFactory(name="Å", country="NO"), CityFactory(name="Y", country="FR")
    rosa = CityFactory(name="Rosabridge")
    LinkFactory(city_a=a, city_b=rosa)
    assert a.get_absolute_url() in result_urls(client.get(SEARCH, {"q": "å"}))
    assert a.get_absolute_url() in result_urls(client.get(SEARCH, {"q": "A"}))
    assert y.get_absolute_url() in result_urls(client.get(SEARCH, {"q": "y"}))
    assert rosa.get_absolute_url() in result_urls(client.get(SEARCH, {"q": "Ros"}))
    if connection.vendor == "postgresql":  # SQLite's search matches within words at any length
        assert rosa.get_absolute_url() not in result_urls(client.get(SEARCH, {"q": "Ro"}))


def test_a_link_found_by_its_history_says_which_event(client, initial):
    text = results(client.get(SEARCH, {"q": "Braddock"}))
    assert "In its history:" in text
    assert "<mark>Braddock</mark>" in text


def test_a_link_is_found_by_words_from_both_its_cities_and_its_summary(client, db):
    """Every word must be in the link's text taken together, though no one part has them all."""
    alphaton, betaville, gammaton = (CityFactory(name=n) for n in ("Alphaton", "Betaville", "Gammaton"))
    wanted = LinkFactory(city_a=alphaton, city_b=betaville, summary="A friendship.", run_by="")
    # Alphaton and friendship, but not Betaville:
    LinkFactory(city_a=alphaton, city_b=gammaton, summary="A friendship.", run_by="")
    urls = result_urls(client.get(SEARCH, {"q": "Alphaton Betaville friendship"}))
    assert urls == [wanted.get_absolute_url()]  # not the other link, nor either city


def test_the_matching_words_are_highlighted_across_accents(client, initial):
    text = results(client.get(SEARCH, {"q": "Brunn"}))
    assert "<mark>Brünn</mark>" in text
    text = results(client.get(SEARCH, {"q": "Харків"}))
    assert "<mark>Харків</mark>" in text


def test_records_are_escaped_before_they_are_marked(client, db):
    CityFactory(name="<b>Bold</b> & Co", slug="bold")
    text = results(client.get(SEARCH, {"q": "bold"}))
    assert "&lt;b&gt;<mark>Bold</mark>&lt;/b&gt; &amp; Co" in text
    assert "<b>" not in text


def test_the_query_is_never_rendered_as_html(client, db):
    response = client.get(SEARCH, {"q": '<script>alert("x")</script>'})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a name or a few words"),
        ("   ", "Type a name or a few words"),
        ("Leeds\x00", "cannot be searched for"),
        ("x" * 201, "too long"),
        ("x" * 100_000, "too long"),
        ("!!! & | ( ) :*", "Search for letters or numbers"),
    ],
)
def test_unusable_queries_get_a_normal_page_with_a_message(client, db, query, message):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert 'role="status"' in text
    assert 'name="q"' in text  # the form is there to try again


@pytest.mark.parametrize(
    "query",
    ["' OR 1=1 --", "Leeds & | !", "%", "_", "\\", "a:* & !b", '"unterminated', "Leeds <-> Kharkiv", "🙂"],
)
def test_hostile_queries_are_searched_for_as_text(client, initial, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200


def test_percent_is_not_a_wildcard(client, initial):
    assert result_urls(client.get(SEARCH, {"q": "%"})) == []


def test_the_page_without_a_query_is_the_search_form(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<label for="search-page-q">' in text
    assert 'role="status"' not in text
    assert_sound_html(response)


def test_results_page_is_sound_html_and_not_indexed(client, initial):
    response = client.get(SEARCH, {"q": "Leeds"})
    assert_sound_html(response)
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_search_nav_item_and_home_search_box(client, db):
    home = client.get(reverse("home")).content.decode()
    assert '<form method="get" action="/search/"' in home
    assert '<label for="home-search-q">' in home
    page = client.get(SEARCH).content.decode()
    assert '<a href="/search/" aria-current="page">Search</a>' in page


@pytest.fixture
def many_towns(db):
    City.objects.bulk_create(
        [
            City(
                name=f"Testville {i:02d}",
                slug=f"testville-{i}",
                country="GB",
                latitude=Decimal(50),
                longitude=Decimal(0),
            )
            for i in range(45)
        ]
    )


def test_results_are_paginated(client, many_towns):
    first = client.get(SEARCH, {"q": "Testville"})
    assert len(result_urls(first)) == 20
    text = first.content.decode()
    assert "45 results for “Testville”" in text
    assert 'href="?q=Testville&amp;page=2"' in text
    third = client.get(SEARCH, {"q": "Testville", "page": 3})
    assert len(result_urls(third)) == 5
    assert 'start="41"' in third.content.decode()
    pages = [set(result_urls(client.get(SEARCH, {"q": "Testville", "page": n}))) for n in (1, 2, 3)]
    assert len(set().union(*pages)) == 45


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "1" * 5000, "2\x00"])
def test_a_page_that_is_not_a_page_is_a_404(client_no_raise, many_towns, page):
    assert client_no_raise.get(SEARCH, {"q": "Testville", "page": page}).status_code == 404


def test_drafts_are_not_found_by_the_public(staff_client, db):
    client = Client()  # staff_client is the default client, signed in
    draft = LinkFactory(
        city_a=CityFactory(name="Alphaton"), city_b=CityFactory(name="Betaville"), is_published=False
    )
    EventFactory(link=LinkFactory(), title="Zanzibarian handshake", is_published=False)
    EventFactory(link=draft, title="Quixotic ceremony")
    assert result_urls(client.get(SEARCH, {"q": "Zanzibarian"})) == []
    assert draft.get_absolute_url() not in result_urls(client.get(SEARCH, {"q": "Quixotic"}))
    assert draft.get_absolute_url() not in result_urls(client.get(SEARCH, {"q": "Alphaton"}))
    # Staff previewing the site find drafts, and their results are never cached.
    response = staff_client.get(SEARCH, {"q": "Alphaton"})
    assert draft.get_absolute_url() in result_urls(response)
    assert "no-store" in response["Cache-Control"]


def _grow(n):
    cities = City.objects.bulk_create(
        [
            City(
                name=f"Searchford {i}",
                slug=f"searchford-{i}",
                country="FR",
                native_name=f"Сёрчфорд {i}",
                latitude=Decimal(48),
                longitude=Decimal(2),
            )
            for i in range(n)
        ]
    )
    CityName.objects.bulk_create([CityName(city=c, name=f"Old Searchford {c.pk}") for c in cities])
    hub = cities[0]
    Link.objects.bulk_create(
        [
            Link(city_a=hub, city_b=c, slug=f"searchford-hub-{c.pk}", kind="twin_town", is_published=True)
            for c in cities[1:]
        ]
    )


@pytest.mark.parametrize("n", [10, 400])
def test_query_count_does_not_grow_with_the_data(client, initial, django_assert_max_num_queries, n):
    _grow(n)
    with django_assert_max_num_queries(11):
        response = client.get(SEARCH, {"q": "Searchford"})
    assert response.status_code == 200
    # n cities and n - 1 links match: a full first page either way.
    assert len(result_urls(response)) == min(20, 2 * n - 1)
    with django_assert_max_num_queries(11):
        client.get(SEARCH, {"q": "Searchford", "page": 2})


class TestHighlight:
    def test_marks_every_match_case_and_accents_folded(self):
        assert (
            highlight("Brünn, brunn, BRÜNN", ["brunn"])
            == "<mark>Brünn</mark>, <mark>brunn</mark>, <mark>BRÜNN</mark>"
        )

    def test_escapes_the_text_around_and_inside_the_marks(self):
        assert (
            highlight("<i>Lille</i> & Leeds", ["lille"])
            == "&lt;i&gt;<mark>Lille</mark>&lt;/i&gt; &amp; Leeds"
        )

    def test_overlapping_terms_make_one_mark(self):
        assert highlight("Kharkiv", ["khark", "arkiv"]) == "<mark>Kharkiv</mark>"

    def test_nothing_to_mark(self):
        assert highlight("Leeds", []) == "Leeds"
        assert highlight(None, ["x"]) == ""

    def test_a_term_that_looks_like_markup_is_text(self):
        assert highlight("a <mark> b", [fold("<mark>")]) == "a <mark>&lt;mark&gt;</mark> b"

    def test_excerpt_starts_near_the_first_match(self):
        text = " ".join(f"w{i}" for i in range(100)) + " Braddock " + " ".join(f"v{i}" for i in range(100))
        short = excerpt(text, ["braddock"], 20)
        assert "Braddock" in short and short.startswith("… ") and short.endswith(" …")
        assert excerpt("short text", ["x"]) == "short text"


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search")


@pytest.fixture
def max_by_text(monkeypatch):
    """MAX_BY_TEXT made 3, and the ranking SQL compiled afresh with it."""
    from twinning import search

    monkeypatch.setattr(search, "MAX_BY_TEXT", 3)
    monkeypatch.setattr(search, "_COMPILED", {})
    return 3


@postgresql_only
def test_records_found_by_their_text_alone_are_ranked_from_the_most_recent(client, db, max_by_text):
    """A common word is in nearly every record's text: "partnership" made PostgreSQL build and
    score the text of all 47,000 links and 19,000 statements (2.5 s)."""
    links = [LinkFactory(summary=f"A velocipede race, the {n}th.") for n in range(6)]
    found = [url for url in result_urls(client.get(SEARCH, {"q": "velocipede"})) if url.startswith("/links/")]
    assert sorted(found) == sorted(link.get_absolute_url() for link in links[-max_by_text:])


@postgresql_only
def test_records_found_by_a_name_are_all_ranked(client, db, max_by_text):
    hub = CityFactory(name="Quillborough")
    links = [LinkFactory(city_a=hub, summary="A velocipede race.") for _ in range(6)]
    found = result_urls(client.get(SEARCH, {"q": "Quillborough"}))
    assert {link.get_absolute_url() for link in links} <= set(found)


@postgresql_only
def test_each_search_is_planned_for_its_own_words(db):
    """A prepared statement gets a generic plan after five runs when that looks no dearer; one
    fitted to the thousands of records a common word finds made the searches after it on the
    connection slow ("Kharkiv": 356 ms after "partnership", 10 ms before)."""
    from twinning.search import Search

    CityFactory(name="Kharkiv")
    LinkFactory.create_batch(150, summary="A velocipede race.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE partnerships_link")
    for word in ["velocipede"] * 10 + ["Kharkiv", "Brno", "Odesa", "Lille"] * 2:
        Search(word).hits()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%WORD_SIMILARITY%"],
        )
        generic, custom = cursor.fetchone()
    assert custom > 0  # the ranking statements were prepared, and planned each time
    assert generic == 0
