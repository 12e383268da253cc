"""A resident: from the home page to Kharkiv, to the Leeds–Kharkiv link, to what the Mayor of
Kharkiv said, checking what a person sees on the way. In every language the site speaks."""

import re

import pytest
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from partnerships.models import Link

# "" is the default language (no prefix); the others appear as settings.LANGUAGES grows.
PREFIXES = [""] + [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
TEREKHOV_QUOTE = "We are proud to be reaching out across borders and boundaries"


def go_to_city_via_search_or_list(page, city):
    """Find a city the way a resident would: with the search box if the page has one, else
    through the Cities list. (The search page arrives with the discovery work; this test then
    uses it without changes.)"""
    search = page.locator("form[role=search] input[type=search], form[role=search] input[type=text]")
    if not search.count():
        search = page.locator("input[type=search]")
    if search.count():
        search.first.fill(city)
        search.first.press("Enter")
        page.wait_for_load_state()
        page.locator("main").get_by_role("link", name=re.compile(rf"^{city}\b")).first.click()
    else:
        page.get_by_role("navigation", name=_("Main")).get_by_role("link", name=_("Cities")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(_("Cities"))
        page.locator("main").get_by_role("link", name=city, exact=True).click()


@pytest.mark.parametrize("prefix", PREFIXES, ids=lambda p: p.strip("/") or "default")
def test_resident_finds_what_the_mayor_of_kharkiv_said(site, page, prefix):
    language = prefix.strip("/") or settings.LANGUAGE_CODE
    with translation.override(language):
        page.goto(f"{prefix}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)

        go_to_city_via_search_or_list(page, "Kharkiv")
        expect(page).to_have_url(re.compile(rf"{prefix}/cities/kharkiv/$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kharkiv")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Харків")
        under_negotiation = str(Link.Status.UNDER_NEGOTIATION.label)
        expect(
            page.get_by_role("heading", name=under_negotiation[:1].upper() + under_negotiation[1:])
        ).to_be_visible()

        page.locator("main").get_by_role("link", name="Kharkiv–Leeds").click()
        expect(page).to_have_url(re.compile(rf"{prefix}/links/leeds-kharkiv/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Leeds–Kharkiv")
        facts = page.locator("main dl.summary-list").first
        status = facts.locator("dt", has_text=_("Current status")).locator("xpath=following-sibling::dd[1]")
        expect(status).to_contain_text(under_negotiation)
        distance = facts.locator("dt", has_text=_("Distance")).locator("xpath=following-sibling::dd[1]")
        expect(distance).to_contain_text(
            _("about %(km)s km (%(miles)s miles)") % {"km": intcomma(2595), "miles": intcomma(1612)}
        )
        expect(page.get_by_role("heading", name=_("Timeline"))).to_be_visible()

        said = page.locator("figure.quote", has_text=TEREKHOV_QUOTE)
        expect(said).to_contain_text("Ihor Terekhov")
        said.get_by_role("link", name=re.compile(rf"^{_('Permalink')}")).click()
        expect(page).to_have_url(re.compile(rf"{prefix}/statements/\d+/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            _("What %(speaker)s said") % {"speaker": "Ihor Terekhov"}
        )
        expect(page.locator("main blockquote")).to_contain_text(TEREKHOV_QUOTE)
        expect(page.locator("main")).to_contain_text("Mayor of Kharkiv")
        # the quote names its source, and the footnote marker leads to it
        page.locator("main blockquote + figcaption").get_by_role("link", name=re.compile(r"\[1\]")).click()
        expect(page).to_have_url(re.compile(r"#source-1$"))
        expect(page.locator("#source-1")).to_be_visible()
