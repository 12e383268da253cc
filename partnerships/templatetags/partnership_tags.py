"""Small template helpers for the partnerships pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from partnerships import dates

register = template.Library()

# The language a city's native name is written in, where the country has one main language.
# Countries not listed get no lang attribute rather than a guessed one.
NATIVE_LANGUAGE = {
    "AT": "de",
    "CZ": "cs",
    "DE": "de",
    "ES": "es",
    "FR": "fr",
    "GB": "en",
    "HU": "hu",
    "IT": "it",
    "JP": "ja",
    "NL": "nl",
    "PL": "pl",
    "PT": "pt",
    "RU": "ru",
    "SK": "sk",
    "UA": "uk",
}


@register.filter
def native_language(city):
    """The BCP 47 tag for ``city.native_name``, or "" when the country does not settle it."""
    return NATIVE_LANGUAGE.get(str(city.country), "")


@register.simple_tag
def partial_date(value, precision):
    """<time datetime="1957">1957</time>: a date shown only to the precision it is known to."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', dates.machine(value, precision), dates.display(value, precision)
    )


@register.simple_tag
def refs(notes):
    """A claim's footnote references, [1][3], from ``Footnotes.cite()``.

    Written here rather than by a template included for each claim: a link page cites sources
    for dozens of events, and the include cost more than the rest of each event's markup.
    """
    label = gettext("source")
    return format_html_join(
        "",
        '<sup class="ref"><a href="#{}"><span class="visually-hidden">{} </span>[{}]</a></sup>',
        ((note.anchor, label, note.number) for note in notes),
    )
