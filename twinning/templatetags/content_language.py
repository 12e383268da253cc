"""``{{ value|content }}``: a value of the site's content, marked with its language on a page in
another language (``<span lang="en">…</span>``, WCAG 3.1.2), as it is on pages in its own."""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter(is_safe=True)
def content(value):
    if value in (None, ""):
        return ""
    escaped = conditional_escape(value)
    if get_language() == settings.CONTENT_LANGUAGE:
        return escaped
    return mark_safe(f'<span lang="{settings.CONTENT_LANGUAGE}">{escaped}</span>')  # noqa: S308 - escaped
