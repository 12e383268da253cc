"""Helpers for the corrections tests: read a page's forms and links as a browser would."""

import re
from html.parser import HTMLParser

from django.core.cache import cache


class Forms(HTMLParser):
    """Every form on a page: its method and the values of its inputs and textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name") and attrs.get("type") != "submit":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea" and self.forms:
            self._textarea = attrs["name"]
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data.removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def post_form_fields(response):
    """The fields of the page's POST form, as the browser would send them untouched."""
    parser = Forms()
    parser.feed(response.content.decode())
    (form,) = [f for f in parser.forms if f["method"] == "post"]
    return form["fields"]


def suggest_link(response):
    match = re.search(r'<a href="([^"]+)">Suggest a correction</a>', response.content.decode())
    assert match, "no Suggest a correction link"
    return match.group(1)


def raw_cache_items():
    """Every (key, stored bytes) pair in the cache, read from the backend's own storage."""
    store = cache._cache
    if isinstance(store, dict):  # the local-memory cache: pickled values by full key
        return [(key, value) for key, value in store.items()]
    client = store.get_client()  # Redis
    return [(key.decode(), client.get(key)) for key in client.scan_iter("*")]
