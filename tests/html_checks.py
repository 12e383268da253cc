"""A small structural HTML check for the pages' tests: what an HTML validator and an
accessibility checker would flag first, without a network or a browser."""

from collections import Counter
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageStructure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.ids = Counter()
        self.headings = []
        self.problems = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        parent = self.stack[-1] if self.stack else None
        if parent in {"ul", "ol"} and tag != "li":
            self.problems.append(f"<{tag}> directly inside <{parent}>")
        if parent == "dl" and tag not in {"dt", "dd", "div"}:
            self.problems.append(f"<{tag}> directly inside <dl>")
        if "style" in attrs:
            self.problems.append(f"inline style on <{tag}>")
        # A JSON-LD data block is data, not a script: a strict CSP does not block it.
        if tag == "style" or (tag == "script" and attrs.get("type") != "application/ld+json"):
            self.problems.append(f"<{tag}> element")
        if tag == "img" and "alt" not in attrs:
            self.problems.append("<img> without alt")
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag not in self.stack:
            self.problems.append(f"stray </{tag}>")
            return
        while self.stack:
            if self.stack.pop() == tag:
                break

    def check(self):
        problems = list(self.problems)
        problems += [f"duplicate id {i!r}" for i, n in self.ids.items() if n > 1]
        if self.headings.count(1) != 1:
            problems.append(f"{self.headings.count(1)} h1 elements")
        previous = 0
        for level in self.headings:
            if level > previous + 1:
                problems.append(f"heading h{level} after h{previous}")
            previous = level
        return problems


def structure(response):
    page = PageStructure()
    page.feed(response.content.decode())
    page.close()
    return page


def assert_sound_html(response):
    problems = structure(response).check()
    assert not problems, problems
