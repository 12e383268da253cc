from django import template
from django.urls import NoReverseMatch

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
