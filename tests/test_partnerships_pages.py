"""What each public page of the partnerships app shows, and that it is sound HTML."""

import datetime
import re

import pytest
from django.urls import reverse

from partnerships.dates import Precision
from tests import factories as f
from tests.html_checks import assert_sound_html, structure
from tests.test_maps import lines, map_svg

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def main(response):
    """The page's <main>, without the header and footer."""
    text = html(response)
    return text[text.index("<main") : text.index("</main>")]


def squash(text):
    return re.sub(r"\s+", " ", text)


def footnotes(text):
    """The numbered sources at the foot of the page: [(number, text), ...]."""
    return [
        (int(n), squash(re.sub(r"<[^>]+>", "", body)).strip())
        for n, body in re.findall(r'<li id="source-(\d+)">(.*?)</li>', text, re.S)
    ]


def refs(fragment):
    return [int(n) for n in re.findall(r'href="#source-(\d+)"', fragment)]


def page_urls(w):
    return [
        reverse("home"),
        reverse("partnerships:city-list"),
        w.kharkiv.get_absolute_url(),
        reverse("partnerships:link-list"),
        w.leeds_kharkiv.get_absolute_url(),
        reverse("partnerships:statement-list"),
        w.terekhov_said.get_absolute_url(),
        reverse("partnerships:person-list"),
        w.terekhov.get_absolute_url(),
    ]


class TestUrls:
    def test_readable_stable_urls(self, world):
        assert reverse("partnerships:city-list") == "/cities/"
        assert world.kharkiv.get_absolute_url() == "/cities/kharkiv/"
        assert reverse("partnerships:link-list") == "/links/"
        assert world.leeds_kharkiv.get_absolute_url() == "/links/leeds-kharkiv/"
        assert reverse("partnerships:statement-list") == "/statements/"
        assert world.lewis_said.get_absolute_url() == f"/statements/{world.lewis_said.pk}/"
        assert reverse("partnerships:person-list") == "/people/"
        assert world.lewis.get_absolute_url() == "/people/james-lewis/"


class TestEveryPage:
    def test_sound_html_with_title_and_description(self, client, world):
        for url in page_urls(world):
            response = client.get(url)
            assert response.status_code == 200, url
            assert_sound_html(response)
            text = html(response)
            title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
            assert squash(
                title
            ).strip() != "Twinning: cities and their international partnerships – Twinning" or (url == "/"), (
                url
            )
            description = re.search(r'<meta name="description" content="([^"]*)"', text).group(1)
            assert len(description) > 30, url

    def test_nav_marks_the_current_section(self, client, world):
        expected = {
            reverse("partnerships:city-list"): "/cities/",
            world.kharkiv.get_absolute_url(): "/cities/",
            world.leeds_kharkiv.get_absolute_url(): "/links/",
            world.lewis_said.get_absolute_url(): "/statements/",
            world.lewis.get_absolute_url(): "/people/",
            reverse("home"): "/",
        }
        for url, section in expected.items():
            page = structure(client.get(url))
            current = [a["href"] for t, a in page.tags if t == "a" and a.get("aria-current") == "page"]
            assert current == [section], url

    def test_no_script_no_form_without_purpose_on_home(self, client, world):
        text = html(client.get("/"))
        # The one form is the search box: a GET form to the search page with one search field.
        assert text.count("<form") == 1
        assert '<form method="get" action="/search/"' in text
        assert text.count("<input") == 1 and 'type="search"' in text
        assert "<script" not in text


def test_lists_in_a_sentence_have_no_space_before_their_semicolons(client, world):
    """A city's other names and a person's roles read "a; b", not "a ; b" (a template's line
    break before the separator is a space on the page)."""
    f.CityNameFactory(city=world.kharkiv, name="Charkiw", kind="foreign", language="German")
    braddock = f.PersonFactory(name="Bessie Braddock")
    f.RoleFactory(
        person=braddock,
        title="Liverpool city councillor",
        start=datetime.date(1930, 1, 1),
        end=datetime.date(1961, 1, 1),
    )
    f.RoleFactory(
        person=braddock,
        title="MP for Liverpool Exchange",
        start=datetime.date(1945, 1, 1),
        end=datetime.date(1970, 1, 1),
    )
    # The list's "; " is drawn by the stylesheet after each item but the last.
    text = main(client.get(world.kharkiv.get_absolute_url()))
    assert re.search(r"German\)</span></li>\s*<li>", text)
    text = squash(re.sub(r"<[^>]+>", "", main(client.get(reverse("partnerships:person-list")))))
    assert "(1930–1961); MP for Liverpool Exchange" in text
    assert " ;" not in text


class TestHome:
    def test_latest_events_statements_and_featured(self, client, world):
        text = main(client.get("/"))
        assert "Friendship Oath signed in Prague" in text
        assert '<time datetime="2023-12-06">6 December 2023</time>' in text
        assert "This new partnership would cement" in text
        featured = text[text.index("Featured links") : text.index("Latest events")]
        assert 'href="/links/leeds-kharkiv/"' in featured
        assert "leeds-lille" not in featured

    def test_drafts_never_on_home_even_for_staff(self, staff_client, world):
        text = main(staff_client.get("/"))
        assert "Unpublished event" not in text
        assert "Draft link event" not in text
        assert "Not yet public words" not in text
        assert "Words about a draft link" not in text

    def test_only_the_latest_five_events(self, client, world):
        text = main(client.get("/"))
        events = text[text.index("Latest events") : text.index("Latest statements")]
        assert events.count("<li>") == 5
        assert "Friendship link formed" not in events  # 1957, the oldest


class TestCityList:
    def test_country_by_name_native_name_and_link_count(self, client, world):
        text = main(client.get(reverse("partnerships:city-list")))
        row = text[text.index('href="/cities/kharkiv/"') :].split("</tr>")[0]
        assert "Ukraine" in row
        assert '<span lang="uk">Харків</span>' in row
        # Leeds–Kharkiv, Kharkiv–Lille, Kharkiv–Brno; the draft Kharkiv–Odesa does not count.
        assert "<td>3</td>" in row

    def test_filter_by_country(self, client, world):
        text = main(client.get(reverse("partnerships:city-list"), {"country": "UA"}))
        assert "/cities/kharkiv/" in text and "/cities/odesa/" in text
        assert "/cities/leeds/" not in text
        assert "2 cities" in text

    def test_a_new_country_can_be_chosen_as_soon_as_it_has_a_city(self, client, world, settings):
        settings.PAGE_CACHE_ENABLED = True  # the country choices are kept per content version
        url = reverse("partnerships:city-list")
        assert '<option value="PL">' not in main(client.get(url))
        f.CityFactory(country="PL", name="Kraków", slug="krakow")
        text = main(client.get(url, {"country": "PL"}))
        assert '<option value="PL" selected>' in text
        assert "/cities/krakow/" in text and "1 city" in text

    def test_filter_by_status_of_a_published_link(self, client, world):
        text = main(client.get(reverse("partnerships:city-list"), {"status": "under_negotiation"}))
        assert "/cities/leeds/" in text and "/cities/kharkiv/" in text
        assert "/cities/lille/" not in text
        # Only the draft Kharkiv–Odesa link is "proposed": nobody has a published proposed link.
        text = main(client.get(reverse("partnerships:city-list"), {"status": "proposed"}))
        assert "No cities match these filters." in text

    def test_invalid_filter_gives_the_page_with_a_message(self, client, world):
        response = client.get(reverse("partnerships:city-list"), {"country": "XX", "status": "active"})
        text = main(response)
        assert "Some of the filters could not be used" in text
        assert 'aria-invalid="true"' in text
        assert "/cities/lille/" in text  # the valid status filter still applies
        assert "/cities/liverpool/" in text
        assert_sound_html(response)

    def test_paginated_by_25_keeping_the_filters(self, client, db):
        f.CityFactory.create_batch(30, country="FR")
        f.CityFactory(country="DE", name="Berlin", slug="berlin")
        url = reverse("partnerships:city-list")
        first = main(client.get(url, {"country": "FR"}))
        assert first.count('<th scope="row">') == 25
        assert 'href="?country=FR&amp;page=2"' in first
        assert "Page 1 of 2" in first
        second = main(client.get(url, {"country": "FR", "page": 2}))
        assert second.count('<th scope="row">') == 5
        assert "Berlin" not in second
        assert 'href="?country=FR&amp;page=1"' in second


class TestCityPage:
    def test_facts_about_the_city(self, client, world):
        text = squash(main(client.get(world.kharkiv.get_absolute_url())))
        assert '<h1> Kharkiv <span class="native-name" lang="uk">(Харків)</span> </h1>' in text
        assert "Kharkov" in text and "other transliteration, Russian" in text
        assert "1,421,125 (counted in 2022)" in text
        assert "about a third evacuated in 2022" in text
        assert "Latitude 49.9925, longitude 36.2311" in text
        assert "Ukraine" in text
        assert "Ukraine&#x27;s second city." in text

    def test_links_grouped_by_status_in_words(self, client, world):
        text = squash(main(client.get(world.kharkiv.get_absolute_url())))
        negotiating = text.index("<h3>Under negotiation</h3>")
        active = text.index("<h3>Active</h3>")
        assert negotiating < text.index("Kharkiv–Leeds", negotiating) < active
        assert 'Started <time datetime="1978">1978</time>' in text
        assert 'Started <time datetime="2005-04-12">12 April 2005</time>' in text
        assert 'Under negotiation since <time datetime="2023-12-06">6 December 2023</time>' in text
        assert "twin town" in text and "(France)" in text
        assert "kharkiv-odesa" not in text  # draft

    def test_a_hub_lists_its_links_50_at_a_time_and_maps_them_all(self, client, db):
        hub = f.CityFactory(name="Hubton", slug="hubton")
        for i in range(57):
            partner = f.CityFactory(name=f"Partner {i:02d}", slug=f"partner-{i:02d}")
            f.LinkFactory(city_a=hub, city_b=partner, is_published=True)
        url = hub.get_absolute_url()
        response = client.get(url)
        first = main(response)
        assert first.count("Hubton–Partner") == 50
        assert "Page 1 of 2" in first
        assert 'href="?page=2#links"' in first
        assert len(lines(map_svg(response))) == 57  # the map draws every link
        second = main(client.get(url, {"page": 2}))
        assert second.count("Hubton–Partner") == 7
        assert 'href="?page=1#links"' in second
        for bad in ("3", "0", "-1", "abc", "1\x00", "9" * 30):
            assert client.get(url, {"page": bad}).status_code == 404, bad

    def test_statements_and_numbered_sources(self, client, world):
        text = main(client.get(world.kharkiv.get_absolute_url()))
        assert "Kharkiv stands." in text
        notes = footnotes(text)
        assert [n for n, _ in notes] == [1, 2]
        assert notes[0][1].startswith("Wikipedia: City infoboxes")
        assert notes[1][1].startswith("Leeds City Council news")
        # The population and the city both cite the infobox: one footnote, cited twice.
        assert refs(text).count(1) == 2
        assert 'href="/statements/?city=kharkiv"' in text

    def test_image_with_size_alt_credit_and_lazy(self, client, db, settings, tmp_path):
        from io import BytesIO

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        buffer = BytesIO()
        Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
        city = f.CityFactory(
            image=SimpleUploadedFile("town.png", buffer.getvalue(), "image/png"),
            image_alt="The town hall at dusk",
            image_credit="Photo: A. Photographer",
        )
        response = client.get(city.get_absolute_url())
        img = structure(response).tags
        attrs = next(a for t, a in img if t == "img")
        assert attrs["width"] == "64" and attrs["height"] == "48"
        assert attrs["alt"] == "The town hall at dusk"
        assert attrs["loading"] == "lazy"
        assert attrs["src"].startswith("/media/cities/")
        assert "Image: Photo: A. Photographer" in html(response)

    def test_missing_image_file_does_not_break_the_page(self, client, db, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        city = f.CityFactory(image="cities/gone.png", image_alt="Gone")
        response = client.get(city.get_absolute_url())
        assert response.status_code == 200
        assert "<img" not in html(response)


class TestLinkList:
    def test_published_links_with_status_in_words(self, client, world):
        text = squash(main(client.get(reverse("partnerships:link-list"))))
        assert "Leeds–Kharkiv" in text
        assert "Kharkiv–Odesa" not in text
        assert '<span class="tag tag--under_negotiation">under negotiation</span> since' in text
        assert "7 links" in text

    def test_filters(self, client, world):
        url = reverse("partnerships:link-list")
        text = main(client.get(url, {"kind": "twin_town"}))
        assert "Leeds–Lille" in text and "Kharkiv–Lille" in text and "Leeds–Kharkiv" not in text
        text = main(client.get(url, {"status": "under_negotiation"}))
        assert "Leeds–Kharkiv" in text and "Leeds–Lille" not in text
        text = main(client.get(url, {"status": "active", "kind": "mou"}))
        assert "Leeds–Brno" in text and "1 link" in text

    def test_invalid_kind_is_ignored_with_a_message(self, client, world):
        text = main(client.get(reverse("partnerships:link-list"), {"kind": "sister-ish"}))
        assert "Some of the filters could not be used" in text
        assert "7 links" in text


class TestLinkPage:
    def test_kind_status_run_by_and_both_cities(self, client, world):
        text = squash(main(client.get(world.leeds_kharkiv.get_absolute_url())))
        assert "<h1>Leeds–Kharkiv</h1>" in text
        assert 'href="/cities/leeds/">Leeds</a> (United Kingdom)' in text
        assert 'href="/cities/kharkiv/">Kharkiv</a> (Ukraine)' in text
        assert "Friendship oath" in text
        assert 'under negotiation</span> since <time datetime="2023-12-06">6 December 2023</time>' in text
        assert "Leeds City Council and Kharkiv City Council" in text
        assert "A solidarity link agreed in wartime." in text

    def test_distance_computed_from_coordinates(self, client, world):
        text = squash(main(client.get(world.leeds_kharkiv.get_absolute_url())))
        assert "about 2,595 km (1,612 miles)" in text
        assert "computed from the cities’ coordinates" in text

    def test_shared_partners_only_through_published_links(self, client, world):
        text = main(client.get(world.leeds_kharkiv.get_absolute_url()))
        shared = text[text.index("Partners both cities share") : text.index("Sources</h2>")]
        assert 'href="/cities/lille/"' in shared and 'href="/cities/brno/"' in shared
        assert "/cities/odesa/" not in shared  # Kharkiv–Odesa is a draft
        assert "/cities/leeds/" not in shared and "/cities/kharkiv/" not in shared

    def test_no_shared_partners_said_plainly(self, client, world):
        text = squash(main(client.get(world.liverpool_odesa.get_absolute_url())))
        assert "Odesa and Liverpool share no other partner city on this site." in text

    def test_timeline_dates_at_their_precision(self, client, world):
        text = main(client.get(world.liverpool_odesa.get_absolute_url()))
        assert '<time datetime="1957">1957</time>' in text
        assert "January 1957" not in text
        text = main(client.get(world.leeds_kharkiv.get_absolute_url()))
        assert '<time datetime="2022-07">July 2022</time>' in text
        assert "1 July 2022" not in text
        assert '<time datetime="2023-12-06">6 December 2023</time>' in text

    def test_timeline_in_order_with_status_change_and_deciding_body(self, client, world):
        text = squash(main(client.get(world.leeds_kharkiv.get_absolute_url())))
        timeline = text[text.index("<h2>Timeline</h2>") : text.index("What was said")]
        order = [
            timeline.index("Kharkiv approaches Leeds"),
            timeline.index("Councillors agree to explore"),
            timeline.index("Friendship Oath signed"),
        ]
        assert order == sorted(order)
        assert "Status changed to “proposed”. Decided by Leeds City Council." in timeline
        assert "Unpublished event" not in timeline

    def test_sources_differ(self, client, world):
        text = squash(main(client.get(world.leeds_kharkiv.get_absolute_url())))
        differ = text[text.index("Sources differ:") :]
        assert (
            '<time datetime="2023-11">November 2023</time>: Leeds is formally twinned with Kharkiv.' in differ
        )
        # Only the disputed event says so.
        assert text.count("Sources differ:") == 1

    def test_footnotes_numbered_in_order_of_first_citation_each_once(self, client, world):
        text = main(client.get(world.leeds_kharkiv.get_absolute_url()))
        notes = footnotes(text)
        # Summary cites the council page; the June event the BBC; July both; the oath council news;
        # the alternative claim the 2023 BBC report; the statements the BBC again.
        assert [n for n, _ in notes] == [1, 2, 3, 4]
        assert notes[0][1].startswith("Leeds City Council: Partner cities page")
        assert notes[1][1].startswith("BBC News: Councillors back plan")
        assert "(July 2022)" in notes[1][1]
        assert notes[2][1].startswith("Leeds City Council news")
        assert notes[3][1].startswith("BBC News: BBC report describing Leeds as formally twinned")
        assert "Conflicts with Leeds City Council" in notes[3][1]
        assert "https://news.example.org/" in notes[3][1]
        body = text[: text.index('<section class="footnotes"')]
        assert sorted(set(refs(body))) == [1, 2, 3, 4]
        july = body[body.index("Councillors agree to explore") : body.index("Friendship Oath signed")]
        assert refs(july) == [1, 2]

    def test_statements_with_speaker_role_date_and_permalink(self, client, world):
        text = squash(main(client.get(world.leeds_kharkiv.get_absolute_url())))
        said = text[text.index("What was said") : text.index("Partners both cities share")]
        assert '<a href="/people/james-lewis/">James Lewis</a>, Leader of Leeds City Council' in said
        assert '<time datetime="2022-07">July 2022</time>' in said
        assert f'href="/statements/{world.lewis_said.pk}/">Permalink' in said
        assert '<blockquote lang="uk">' in said
        assert "Not yet public words" not in said


class TestStatementList:
    def test_newest_first_without_drafts(self, client, world):
        text = main(client.get(reverse("partnerships:statement-list")))
        assert "3 statements" in text
        assert text.index("Kharkiv stands.") < text.index("cement forever")
        assert "Not yet public words" not in text
        assert "Words about a draft link" not in text

    def test_filter_by_speaker(self, client, world):
        text = main(client.get(reverse("partnerships:statement-list"), {"speaker": "james-lewis"}))
        assert "cement forever" in text and "Kharkiv stands." not in text

    def test_filter_by_city_includes_statements_about_its_links(self, client, world):
        text = main(client.get(reverse("partnerships:statement-list"), {"city": "kharkiv"}))
        assert "3 statements" in text
        text = main(client.get(reverse("partnerships:statement-list"), {"city": "leeds"}))
        assert "2 statements" in text and "Kharkiv stands." not in text

    def test_filter_by_year(self, client, world):
        text = main(client.get(reverse("partnerships:statement-list"), {"year": "2023"}))
        assert "1 statement" in text and "Kharkiv stands." in text
        options = re.findall(r'<option value="(\d{4})"', text)
        assert options == ["2023", "2022"]

    def test_filter_choices_offer_only_what_the_public_sees(self, client, world):
        text = main(client.get(reverse("partnerships:statement-list")))
        assert '<option value="odesa">' not in text  # only the draft link's statement is about Odesa
        assert '<option value="ihor-terekhov">Ihor Terekhov</option>' in text

    def test_unknown_speaker_is_a_message_not_an_error(self, client, world):
        response = client.get(reverse("partnerships:statement-list"), {"speaker": "nobody", "year": "1066"})
        text = main(response)
        assert "Some of the filters could not be used" in text
        assert "3 statements" in text
        assert "nobody" not in text  # the value typed is not echoed back


class TestStatementPage:
    def test_quote_in_its_language_with_translation(self, client, world):
        text = squash(main(client.get(world.terekhov_said.get_absolute_url())))
        assert '<figure class="quote quote--large"> <blockquote lang="uk">' in text
        assert "Ми пишаємося новими стосунками з Лідсом." in text
        assert "<h2>English translation</h2>" in text and "We are proud of the new relationship" in text
        assert "Ukrainian" in text
        assert "Mayor of Kharkiv" in text
        assert '<time datetime="2022-07">July 2022</time>' in text
        assert 'href="/links/leeds-kharkiv/">Leeds–Kharkiv</a>' in text
        assert 'href="/people/ihor-terekhov/"' in text
        assert footnotes(text)[0][1].startswith("BBC News: Councillors back plan")

    def test_english_quote_carries_its_language_too(self, client, world):
        # Also under /uk/, where English is not the page's language.
        text = main(client.get(world.lewis_said.get_absolute_url()))
        assert '<blockquote lang="en">' in text
        assert "translation" not in text

    def test_about_a_city(self, client, world):
        text = main(client.get(world.about_kharkiv.get_absolute_url()))
        assert 'href="/cities/kharkiv/">Kharkiv</a>' in text
        assert '<time datetime="2023">2023</time>' in text


class TestPeople:
    def test_list_with_roles(self, client, world):
        text = squash(main(client.get(reverse("partnerships:person-list"))))
        assert 'href="/people/james-lewis/">James Lewis</a>' in text
        assert "Leader of Leeds City Council (2021)" in text
        assert text.index("Ihor Terekhov") < text.index("James Lewis")

    def test_person_page_roles_and_statements(self, client, world):
        f.RoleFactory(
            person=world.lewis,
            title="Councillor",
            start=datetime.date(2010, 5, 1),
            start_precision=Precision.MONTH,
            end=datetime.date(2020, 1, 1),
            end_precision=Precision.YEAR,
        )
        text = squash(main(client.get(world.lewis.get_absolute_url())))
        assert "<h1> James Lewis </h1>" in text
        assert 'Councillor <span class="muted">May 2010–2020</span>' in text
        assert text.index("May 2010–2020") < text.index("Leader of Leeds City Council")
        assert "cement forever" in text
        assert "Not yet public words" not in text
        assert 'href="/cities/leeds/">Leeds</a>' in text

    def test_native_name(self, client, world):
        text = main(client.get(world.terekhov.get_absolute_url()))
        assert "Ігор Терехов" in text
