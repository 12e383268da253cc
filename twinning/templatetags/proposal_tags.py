from django import template

from twinning.models import ProposedChange
from twinning.proposals_admin import visible_proposals

register = template.Library()


@register.simple_tag
def proposals_to_review(user):
    """How many proposed changes wait for this Publisher (one query; on the admin index)."""
    return visible_proposals(ProposedChange.objects.pending(), user).count()


@register.simple_tag
def own_pending_proposals(user):
    """How many of this staff member's proposed changes still wait for a Publisher."""
    return ProposedChange.objects.pending().filter(author=user).count()
