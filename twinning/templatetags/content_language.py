"""``{{ value|content }}``: a value of the site's content, marked with its language on a page in
another language (``<span lang="en">…</span>``, WCAG 3.1.2), as it is on pages in its own."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from twinning.context_processors import content_lang_attribute

register = template.Library()


@register.filter(is_safe=True)
def content(value):
    if value in (None, ""):
        return ""
    escaped = conditional_escape(value)
    attribute = content_lang_attribute()
    if not attribute:
        return escaped
    return mark_safe(f"<span{attribute}>{escaped}</span>")  # noqa: S308 - escaped
