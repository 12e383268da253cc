from django import template

from twinning.corrections.models import Correction
from twinning.corrections.views import correction_url

register = template.Library()


@register.inclusion_tag("corrections/includes/_suggest_correction.html")
def suggest_correction(record):
    """The "Suggest a correction" link at the foot of a city, link, statement or appeal page."""
    return {"url": correction_url(record)}


@register.simple_tag
def new_corrections_count():
    """How many corrections wait for staff (one query; used on the admin index)."""
    return Correction.objects.new().count()
