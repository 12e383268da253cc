"""axe-core on every public page, at phone and desktop widths: no WCAG 2.2 A or AA violations.

axe is injected by the test into every page of the context (an init script: the same as
``page.add_script_tag`` after each load, but about twice as fast over 50-odd pages), so the
context bypasses the site's Content-Security-Policy: the policy stops scripts the site did not
send, and this one is the test tool's.
"""

import pytest

from tests.browser.pages import public_pages
from tests.browser.support import AXE_JS, WIDTHS, unavailable

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_context(new_context, **kwargs):
    """A browser context in which every page has axe-core loaded."""
    if not AXE_JS.exists():
        unavailable("axe-core is not installed", "make install (runs npm ci)")
    context = new_context(bypass_csp=True, **kwargs)
    context.add_init_script(path=str(AXE_JS))
    return context


def axe_violations(page):
    """The WCAG 2.2 A/AA violations axe finds on the page as it is now."""
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def describe(found):
    lines = []
    for label, path, violations in found:
        lines.append(f"{label} ({path}):")
        for v in violations:
            lines.append(f"  {v['id']} [{v['impact']}] {v['help']}")
            for node in v["nodes"]:
                summary = " ".join(node["summary"].split())
                lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_wcag_violations_on_any_public_page(site, new_context, width):
    page = axe_context(new_context, viewport=WIDTHS[width]).new_page()
    found = []
    checked = 0
    for label, path in public_pages():
        page.goto(path)
        violations = axe_violations(page)
        checked += 1
        if violations:
            found.append((label, path, violations))
    assert checked > 50
    assert not found, "axe found WCAG 2.2 A/AA violations:\n" + describe(found)


def test_axe_reports_what_it_should(site, new_context):
    """The check can fail: an image without a text alternative, added to a real page, is reported."""
    page = axe_context(new_context).new_page()
    page.goto("/")
    assert axe_violations(page) == []
    page.evaluate("""document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/x.png">')""")
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
