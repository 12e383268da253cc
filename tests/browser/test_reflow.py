"""Reflow on a phone (WCAG 2.2, 1.4.10): at 320 and 390 CSS pixels no public page is wider than
the screen (a data table may scroll sideways inside its .table-wrap, never the page), and the
names in the lists' tables are never split in the middle of a word."""

import pytest

from tests.browser.pages import public_pages

WIDTHS = [320, 390]

# The page's own width against the screen's, and what makes it wider: elements outside a
# .table-wrap whose right edge is beyond the screen (the innermost are the culprits).
OVERFLOW_JS = """() => {
    const limit = document.documentElement.clientWidth + 1;
    const wide = Array.from(document.querySelectorAll("body *")).filter(
        (e) => !e.closest(".table-wrap") && e.getBoundingClientRect().right > limit
    );
    return {
        page: document.documentElement.scrollWidth,
        screen: document.documentElement.clientWidth,
        wide: wide.slice(-3).map((e) => e.tagName.toLowerCase() + "." + e.className),
    };
}"""

# Words of the links in the tables' row headers drawn across two lines: each word (split at
# spaces and dashes, where a line may break) must sit on one line.
SPLIT_WORDS_JS = r"""() => {
    const split = [];
    for (const link of document.querySelectorAll(".table-wrap th a")) {
        const text = link.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        const re = /[^\s\u2013-]+/g;
        let m;
        while ((m = re.exec(text.data)) !== null) {
            const range = document.createRange();
            range.setStart(text, m.index);
            range.setEnd(text, m.index + m[0].length);
            const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
            if (tops.size > 1) split.push(m[0]);
        }
    }
    return split;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_a_phone(site, new_context, width):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    too_wide, split = [], []
    checked = 0
    for label, path in public_pages():
        page.goto(path)
        found = page.evaluate(OVERFLOW_JS)
        checked += 1
        if found["page"] > found["screen"]:
            too_wide.append(
                f"{label} ({path}): {found['page']} px wide on {found['screen']}: {found['wide']}"
            )
        words = page.evaluate(SPLIT_WORDS_JS)
        if words:
            split.append(f"{label} ({path}): {words}")
    assert checked > 20
    assert not too_wide, "pages wider than the screen:\n" + "\n".join(too_wide)
    assert not split, "names split mid-word:\n" + "\n".join(split)
