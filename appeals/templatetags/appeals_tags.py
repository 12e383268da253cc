from django import template
from django.urls import NoReverseMatch
from django.utils.html import format_html

register = template.Library()


@register.filter
def page_url(obj):
    """The object's page, or "" while no page for it exists (the city and link pages are
    built separately): a name is then shown without a link rather than failing."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


@register.filter
def status_label(value):
    """The translated label of an appeal status: open, upcoming, closed."""
    from appeals.models import Appeal

    try:
        return Appeal.Status(value).label
    except ValueError:
        return ""


@register.simple_tag
def source_ref(source, anchor=False):
    """A source named in a sentence: with ``anchor``, a link to it in the page's list of sources
    ("BBC News, 8 March 2022"); else a link to the source itself, or its name if it has no URL.

    Written here rather than by an included template: an appeal page names a source beside
    every figure, update and statement, and the include cost more than the markup.
    """
    when = source.published_display
    if anchor:
        if when:
            return format_html('<a href="#source-{}">{}, {}</a>', source.pk, source.publisher, when)
        return format_html('<a href="#source-{}">{}</a>', source.pk, source.publisher)
    if source.url:
        name = format_html('<a href="{}">{}: {}</a>', source.url, source.publisher, source.title)
    else:
        name = format_html("<cite>{}: {}</cite>", source.publisher, source.title)
    return format_html("{} ({})", name, when) if when else name
