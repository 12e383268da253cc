"""Highlighting search terms safely: the text is escaped first, then the matches are marked."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from twinning.text import fold

register = template.Library()


def _folded_with_index(text):
    """The folded text and, for each of its characters, the index of the original character."""
    folded, index = [], []
    for i, char in enumerate(text):
        for part in fold(char):
            folded.append(part)
            index.append(i)
    return "".join(folded), index


def _spans(text, terms):
    """(start, end) spans of ``text`` where a term matches, accents and case folded, merged."""
    folded, index = _folded_with_index(text)
    spans = []
    for term in terms:
        if not term:
            continue
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            spans.append((index[start], index[end - 1] + 1))
            start = folded.find(term, end)
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@register.filter
def highlight(text, terms):
    """``text`` escaped, with each match of ``terms`` (folded words) wrapped in <mark>."""
    text = "" if text is None else str(text)
    out, position = [], 0
    for start, end in _spans(text, terms or []):
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


@register.filter
def excerpt(text, terms, words=30):
    """At most ``words`` words of ``text``, starting a few words before the first match."""
    text = "" if text is None else str(text)
    parts = text.split()
    if len(parts) <= words:
        return text
    spans = _spans(text, terms or [])
    first_word = 0
    if spans:
        first_word = max(0, len(text[: spans[0][0]].split()) - 5)
        first_word = min(first_word, len(parts) - words)
    chosen = " ".join(parts[first_word : first_word + words])
    return ("… " if first_word else "") + chosen + (" …" if first_word + words < len(parts) else "")
