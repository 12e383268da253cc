"""Keyboard only: the skip link comes first, shows itself and works; Tab reaches every link,
button and control in document order; focus is always visible; the filter forms work without
a mouse."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import PHONE

# One page of each kind: every template a reader can reach.
PAGES = [
    "/",
    "/cities/",
    "/cities/kharkiv/",
    "/links/",
    "/links/leeds-kharkiv/",
    "/statements/",
    "/people/",
    "/people/ihor-terekhov/",
    "/appeals/",
    "/appeals/leeds-together-for-ukraine/",
    "/appeals/closed-test-appeal/",
    "/no-such-page-here/",
]

# Marks every element a keyboard user should reach, in document order, and remembers how each
# looks without focus (nothing is focused yet).
MARK_FOCUSABLE = """() => {
    const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), '
        + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
    const look = (e) => {
        const s = getComputedStyle(e);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                s.color, s.textDecorationLine].join("|");
    };
    const all = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length);
    window.__unfocused = all.map(look);
    window.__look = look;
    all.forEach((e, i) => e.dataset.kb = String(i));
    return all.map(e => (e.innerText || e.value || e.name || e.tagName).trim().slice(0, 60));
}"""

# What has focus now: its mark, whether it looks different from unfocused, whether it is on screen.
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body || e.dataset.kb === undefined) return null;
    const i = Number(e.dataset.kb);
    const r = e.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
        && r.top < innerHeight && r.left < innerWidth;
    return {index: i, changed: window.__look(e) !== window.__unfocused[i], onScreen,
            text: (e.innerText || e.value || e.name || e.tagName).trim().slice(0, 60)};
}"""


def test_skip_link_is_first_visible_when_focused_and_moves_focus_to_main(site, page):
    page.goto("/cities/kharkiv/")
    skip = page.get_by_role("link", name="Skip to main content")
    box = skip.bounding_box()
    assert box["x"] + box["width"] <= 0, "the skip link is off screen until it has focus"
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main-content")
    # The next Tab goes into the main content, past the header and its navigation.
    page.keyboard.press("Tab")
    focused_in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert focused_in_main


def focus_walk(page, path):
    """Tab through the page as it is; returns (number of focusable elements, problems found)."""
    names = page.evaluate(MARK_FOCUSABLE)
    problems = []
    order = []
    for _ in range(len(names)):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            problems.append(f"{path}: focus went to something not expected after {order[-1:]}")
            break
        order.append(focused["index"])
        if not focused["changed"]:
            problems.append(f"{path}: no visible focus on {focused['text']!r}")
        if not focused["onScreen"]:
            problems.append(f"{path}: focused {focused['text']!r} is off screen")
    if order != list(range(len(names))):
        missed = [names[i] for i in range(len(names)) if i not in order]
        problems.append(f"{path}: tab order {order} is not document order; never reached: {missed}")
    return len(names), problems


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_tab_reaches_everything_in_order_with_visible_focus(site, new_context, viewport):
    page = new_context(**({"viewport": viewport} if viewport else {})).new_page()
    problems = []
    for path in PAGES:
        page.goto(path)
        count, found = focus_walk(page, path)
        assert count >= 8, f"{path}: only {count} focusable elements found"  # skip link, name, 6 nav links
        problems += found
    assert not problems, "\n".join(problems)


def test_the_walk_notices_invisible_focus(site, new_context):
    """The check can fail: without the site's focus styles and the browser's focus ring, every
    element is reported. (bypass_csp: the test adds a style block, which a strict policy forbids.)"""
    page = new_context(bypass_csp=True).new_page()
    page.goto("/people/")
    page.evaluate("""() => {
        for (const sheet of document.styleSheets) {
            for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
                const rule = sheet.cssRules[i];
                if (rule.selectorText && rule.selectorText.includes(":focus")) sheet.deleteRule(i);
            }
        }
    }""")
    page.add_style_tag(content="*:focus, *:focus-visible { outline: none !important }")
    count, problems = focus_walk(page, "/people/")
    assert len([p for p in problems if "no visible focus" in p]) >= count - 1


def test_filter_forms_work_with_the_keyboard_alone(site, page):
    page.goto("/cities/")
    page.keyboard.press("Tab")  # skip link
    country = page.get_by_label("Country")
    while not page.evaluate("() => document.activeElement.id === 'id_country'"):
        page.keyboard.press("Tab")
    expect(country).to_be_focused()
    page.keyboard.type("Ukraine")  # a closed select picks the option you type
    expect(country).to_have_value("UA")
    while page.evaluate("() => document.activeElement.tagName") != "BUTTON":
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply filters")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cities/\?.*country=UA"))
    rows = page.locator("main tbody th a")
    expect(rows.first).to_be_visible()
    assert "Kharkiv" in rows.all_inner_texts() and "Leeds" not in rows.all_inner_texts()

    # Clear the filters with the keyboard too, then follow a result with Enter.
    clear = page.get_by_role("link", name="Clear filters")
    clear.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cities/$"))
    page.get_by_role("link", name="Kharkiv", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kharkiv")


def test_statement_filters_work_with_the_keyboard_alone(site, page):
    page.goto("/statements/")
    speaker = page.get_by_label("Speaker")
    speaker.focus()
    page.keyboard.type("Ihor")
    expect(speaker).to_have_value("ihor-terekhov")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply filters")).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"speaker=ihor-terekhov"))
    speakers = page.locator("main figure.quote figcaption > a:first-child").all_inner_texts()
    assert speakers and set(speakers) == {"Ihor Terekhov"}
