"""The interface in Ukrainian: the catalogue is complete and current, every public page has a
/uk/ twin with a switcher and hreflang alternates, dates read as Ukrainian does, content keeps
its own language, and bad language prefixes are 404s."""

import datetime
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from partnerships import dates
from partnerships.dates import Precision
from tests import factories as f
from tests.html_checks import assert_sound_html
from twinning.pagination import KeysFirstPaginator

CATALOGUE = settings.BASE_DIR / "locale" / "uk" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue():
    return polib.pofile(str(CATALOGUE))


def ids(po):
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


class TestCatalogue:
    def test_every_message_is_translated_and_none_is_fuzzy(self):
        po = catalogue()
        assert len(po) > 400
        assert po.untranslated_entries() == []
        assert po.fuzzy_entries() == []
        assert po.obsolete_entries() == []
        for entry in po:
            if entry.msgid_plural:
                assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
                assert all(entry.msgstr_plural.values()), entry.msgid

    def test_ukrainian_has_three_plural_forms(self):
        plural = catalogue().metadata["Plural-Forms"]
        assert plural.startswith("nplurals=3;")
        with translation.override("uk"):
            forms = [
                translation.ngettext("%(shown)s link", "%(shown)s links", n) % {"shown": n}
                for n in (1, 3, 5, 11, 21, 22, 25)
            ]
        assert forms == [
            "1 зв’язок",
            "3 зв’язки",
            "5 зв’язків",
            "11 зв’язків",
            "21 зв’язок",
            "22 зв’язки",
            "25 зв’язків",
        ]

    def test_translations_keep_their_placeholders(self):
        for entry in catalogue():
            expected = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if text:
                    assert set(PLACEHOLDER.findall(text)) <= expected, entry.msgid
            if not entry.msgid_plural:
                assert set(PLACEHOLDER.findall(entry.msgstr)) == expected, entry.msgid

    def test_the_compiled_catalogue_is_the_one_in_use(self):
        with translation.override("uk"):
            assert translation.gettext("Partnership links") == "Партнерські зв’язки"
            assert str(reverse("partnerships:city-list")) == "/uk/cities/"

    def test_the_catalogue_has_every_message_in_the_code_and_templates(self, tmp_path):
        """`make messages` (manage.py update_messages) on a copy of the project finds no message
        the committed catalogue lacks. A probe template added to the copy proves the check
        would notice a new, untranslated string."""
        root = Path(settings.BASE_DIR)
        copy = tmp_path / "project"
        shutil.copytree(
            root,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", ".git", "node_modules", "staticfiles", "media", "*.mo", "*.sqlite3*", "__pycache__"
            ),
        )
        probe = "A probe string that nobody has translated"
        (copy / "templates" / "_probe.html").write_text(f'{{% load i18n %}}{{% translate "{probe}" %}}\n')
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "twinning.settings_test"}
        env.pop("DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "update_messages", "--verbosity", "0"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        current = ids(polib.pofile(str(copy / "locale" / "uk" / "LC_MESSAGES" / "django.po")))
        missing = current - ids(catalogue())
        assert missing == {(None, probe)}, (
            f"run `make messages` and translate: {sorted(missing - {(None, probe)})}"
        )


class TestDates:
    @pytest.mark.parametrize(
        ("value", "precision", "english", "ukrainian"),
        [
            (datetime.date(1957, 1, 1), Precision.YEAR, "1957", "1957"),
            (datetime.date(2022, 7, 1), Precision.MONTH, "July 2022", "липень 2022"),
            (datetime.date(2023, 12, 6), Precision.DAY, "6 December 2023", "6 грудня 2023"),
            (datetime.date(2022, 3, 1), Precision.MONTH, "March 2022", "березень 2022"),
        ],
    )
    def test_each_precision_in_each_language(self, value, precision, english, ukrainian):
        with translation.override("en"):
            assert dates.display(value, precision) == english
        with translation.override("uk"):
            assert dates.display(value, precision) == ukrainian

    def test_on_the_pages(self, client, world):
        statement, link = world.terekhov_said.get_absolute_url(), world.leeds_kharkiv.get_absolute_url()
        text = client.get("/uk" + statement).content.decode()
        assert '<time datetime="2022-07">липень 2022</time>' in text
        text = client.get("/uk" + link).content.decode()
        assert '<time datetime="2023-12-06">6 грудня 2023</time>' in text
        assert '<time datetime="1968">1968</time>' in client.get("/uk/cities/lille/").content.decode()


def public_pages(world, appeal):
    return [
        reverse("home"),
        reverse("partnerships:city-list"),
        world.kharkiv.get_absolute_url(),
        reverse("partnerships:link-list"),
        world.leeds_kharkiv.get_absolute_url(),
        reverse("partnerships:map"),
        reverse("partnerships:statement-list"),
        world.terekhov_said.get_absolute_url(),
        reverse("partnerships:person-list"),
        world.terekhov.get_absolute_url(),
        reverse("appeals:list"),
        appeal.get_absolute_url(),
    ]


@pytest.fixture
def appeal(world, today):
    appeal = f.AppealFactory(title="Leeds Together for Ukraine", slug="leeds-together")
    appeal.cities.add(world.leeds)
    f.RaisedFigureFactory(appeal=appeal, amount=Decimal(66500), as_of=datetime.date(2022, 3, 17))
    f.DonationRouteFactory(appeal=appeal)
    return appeal


class TestEveryPageInUkrainian:
    def test_lang_switcher_and_alternates(self, client, world, appeal):
        for url in public_pages(world, appeal):
            uk = "/uk" + url
            response = client.get(uk)
            assert response.status_code == 200, uk
            text = response.content.decode()
            assert '<html lang="uk">' in text, uk
            # The switcher: a plain link to the English page, and the current language marked.
            assert f'<a href="{url}" hreflang="en" lang="en">English</a>' in text, uk
            assert '<span lang="uk" aria-current="true">Українська</span>' in text, uk
            # Alternates: absolute addresses of both versions, English as the default.
            assert f'<link rel="alternate" hreflang="en" href="http://testserver{url}">' in text, uk
            assert f'<link rel="alternate" hreflang="uk" href="http://testserver{uk}">' in text, uk
            assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{url}">' in text, uk
            # The navigation is in Ukrainian and leads to the Ukrainian pages.
            assert '<a href="/uk/cities/"' in text and ">Міста</a>" in text and ">Карта</a>" in text, uk
            assert ">Cities</a>" not in text and "Skip to main content" not in text, uk
            assert_sound_html(response)

            # And back: the English page offers the Ukrainian one.
            english = client.get(url).content.decode()
            assert '<html lang="en">' in english, url
            assert f'<a href="{uk}" hreflang="uk" lang="uk">Українська</a>' in english, url
            assert f'<link rel="alternate" hreflang="uk" href="http://testserver{uk}">' in english, url

    def test_no_interface_string_is_left_in_english(self, client, world, appeal):
        """No message of the catalogue (of three words or more) appears untranslated."""
        messages = [
            e.msgid
            for e in catalogue()
            if len(e.msgid.split()) >= 3 and "%" not in e.msgid and "<" not in e.msgid and e.msgstr != e.msgid
        ]
        for url in public_pages(world, appeal):
            text = client.get("/uk" + url).content.decode()
            left = [m for m in messages if m in text]
            assert left == [], (url, left)

    def test_choices_and_model_names_are_translated(self, client, world):
        text = client.get("/uk/links/").content.decode()
        assert "чинний" in text and "на стадії переговорів" in text
        assert "Місто-побратим" in text and "Клятва дружби" in text
        text = client.get("/uk/cities/kharkiv/").content.decode()
        assert "Україна" in text  # country names, from django-countries' own catalogue
        assert "1\xa0421\xa0125" in text  # Ukrainian number grouping

    def test_switcher_keeps_the_filters_the_page_accepted_and_its_page_number(self, client, world):
        text = client.get("/uk/links/", {"status": "active", "page": "1"}).content.decode()
        assert '<a href="/links/?status=active&amp;page=1" hreflang="en" lang="en">English</a>' in text
        # A refused value is not echoed back; a usable one beside it is kept.
        text = client.get("/uk/links/", {"status": "atlantis", "kind": "twin_town"}).content.decode()
        assert '<a href="/links/?kind=twin_town" hreflang="en" lang="en">English</a>' in text
        assert "atlantis" not in text
        response = client.get("/uk/links/", {"status": "active", "page": "1; drop"})
        assert response.status_code == 404  # not a page: nothing of the query is offered
        assert "drop" not in response.content.decode()
        assert 'hreflang="en" href="http://testserver/links/">' in text  # alternates: the page itself
        text = client.get("/links/", {"status": "x" * 100_000}).content.decode()
        assert '<a href="/uk/links/" hreflang="uk" lang="uk">Українська</a>' in text
        assert len(text) < 60_000

    def test_switcher_keeps_a_search(self, client, world):
        text = client.get("/search/", {"q": "Kharkiv <b>"}).content.decode()
        assert '<a href="/uk/search/?q=Kharkiv+%3Cb%3E" hreflang="uk" lang="uk">Українська</a>' in text
        text = client.get("/search/", {"q": "\x00"}).content.decode()  # refused: not carried
        assert '<a href="/uk/search/" hreflang="uk" lang="uk">Українська</a>' in text

    def test_switcher_keeps_the_city_of_the_appeal_list(self, client, world, appeal):
        city = appeal.cities.first()
        text = client.get("/appeals/", {"city": city.slug}).content.decode()
        assert f'<a href="/uk/appeals/?city={city.slug}" hreflang="uk" lang="uk">Українська</a>' in text
        text = client.get("/appeals/", {"city": "atlantis"}).content.decode()
        assert '<a href="/uk/appeals/" hreflang="uk" lang="uk">Українська</a>' in text


class TestContentKeepsItsLanguage:
    def test_quotes_carry_their_language_and_the_translation_is_labelled(self, client, world):
        ukrainian, english = world.terekhov_said.get_absolute_url(), world.lewis_said.get_absolute_url()
        text = client.get("/uk" + ukrainian).content.decode()
        assert '<blockquote lang="uk">' in text
        assert "Ми пишаємося новими стосунками з Лідсом." in text
        assert "<h2>Переклад англійською</h2>" in text
        assert re.search(r'<div class="quote__translation" lang="en">\s*<p>We are proud', text)
        # An English quote on a Ukrainian page says it is English.
        text = client.get("/uk" + english).content.decode()
        assert '<blockquote lang="en">' in text

    def test_lists_of_statements_label_the_translation_too(self, client, world):
        text = client.get("/uk/statements/").content.decode()
        assert '<p class="quote__label">Переклад англійською</p>' in text
        assert '<div lang="en"><p>We are proud of the new relationship with Leeds.</p></div>' in text

    def test_cities_show_their_native_names_and_content_is_not_translated(self, client, world):
        text = client.get("/uk/cities/kharkiv/").content.decode()
        assert '<span class="native-name" lang="uk">(Харків)</span>' in text
        assert "Ukraine&#x27;s second city." in text
        assert "<title>Kharkiv–Leeds: на стадії переговорів</title>" in text  # the map, too


class TestContentIsMarkedEnglishOnUkrainianPages:
    """Content is written in English (CONTENT_LANGUAGE); on a Ukrainian page each piece of it is
    marked lang="en" so a screen reader reads it with an English voice (WCAG 3.1.2). English
    pages need no mark."""

    def test_a_citys_description_and_its_sources(self, client, world):
        text = client.get("/uk/cities/kharkiv/").content.decode()
        assert re.search(r'<div class="city-description" lang="en">\s*<p>Ukraine&#x27;s second city.', text)
        assert re.search(r'<cite lang="en">[^<]+</cite>', text)
        text = client.get("/cities/kharkiv/").content.decode()
        assert re.search(r'<div class="city-description">\s*<p>Ukraine&#x27;s second city.', text)
        assert '<span lang="en">' not in text and '<cite lang="en">' not in text

    def test_a_links_summary_and_timeline(self, client, world):
        url = world.leeds_kharkiv.get_absolute_url()  # before a request to /uk/ leaves Ukrainian active
        text = client.get("/uk" + url).content.decode()
        assert re.search(
            r'<div class="link-summary" lang="en">\s*<p>A solidarity link agreed in wartime.', text
        )
        assert ': <span lang="en">Friendship Oath signed in Prague</span>' in text
        assert '<span lang="en">Leeds City Council</span>' in text  # decided by
        text = client.get(url).content.decode()
        assert ": Friendship Oath signed in Prague" in text

    def test_an_appeal(self, client, world, appeal):
        url = appeal.get_absolute_url()
        text = client.get("/uk" + url).content.decode()
        assert f'<h1 lang="en">{appeal.title}</h1>' in text
        text = client.get(url).content.decode()
        assert f"<h1>{appeal.title}</h1>" in text

    def test_the_filter_escapes_what_it_marks(self, world):
        from django.template import Context, Template
        from django.utils import translation

        template = Template("{{ value|content }}")
        with translation.override("uk"):
            assert template.render(Context({"value": "<b>&"})) == '<span lang="en">&lt;b&gt;&amp;</span>'
            assert template.render(Context({"value": ""})) == ""
        assert template.render(Context({"value": "<b>&"})) == "&lt;b&gt;&amp;"


class TestLanguagePrefixes:
    @pytest.mark.parametrize(
        "path",
        [
            "/xx/cities/",
            "/en/cities/",
            "/UK/cities/",
            "/uk/uk/cities/",
            "/uk-ua/cities/",
            "/uk/../",
            "/uk/..%2f",
            "/uk%00/cities/",
            "/uk/cities/%00/",
            "/uk/cities/atlantis/",
            "/" + "uk/" * 500,
        ],
    )
    def test_bad_prefixes_are_404_never_500(self, client_no_raise, world, path):
        response = client_no_raise.get(path)
        assert response.status_code == 404, path
        assert (
            "Сторінку не знайдено" in response.content.decode()
            or "Page not found" in response.content.decode()
        )

    def test_the_404_page_in_ukrainian_is_in_ukrainian(self, client_no_raise, world):
        response = client_no_raise.get("/uk/cities/atlantis/")
        assert response.status_code == 404
        text = response.content.decode()
        assert '<html lang="uk">' in text and "Сторінку не знайдено" in text

    def test_english_has_no_prefix_and_is_never_redirected(self, client, world):
        response = client.get("/cities/", HTTP_ACCEPT_LANGUAGE="uk")
        assert response.status_code == 200
        assert '<html lang="en">' in response.content.decode()

    def test_a_city_without_a_slug_clash_in_both_languages(self, client, db):
        city = f.CityFactory(
            name="Київ", slug="kyiv", country="UA", latitude=Decimal(50), longitude=Decimal(30)
        )
        assert client.get(f"/uk/cities/{city.slug}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "shown"),
    [("", "47,486 links"), ("/uk", "47\xa0486 зв’язків")],
)
def test_a_lists_count_is_written_with_the_languages_thousands_separator(client, prefix, shown):
    """A count of tens of thousands reads as a number in either language ("47,486 links", not
    "47486 links"), and the plural still follows the number."""
    f.LinkFactory()
    with mock.patch.object(KeysFirstPaginator, "count", 47486):
        html = client.get(f"{prefix}/links/").content.decode()
    assert shown in html
