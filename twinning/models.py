"""Staff: which council a staff member works for, and the permission to publish."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    """A staff member limited to one council's records. Without a council (or without a
    profile) a staff member's model permissions alone decide what they may change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    council = models.ForeignKey(
        "partnerships.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("council"),
        help_text=_(
            "Limit this person to the records of this city's council: its page, its links, their "
            "events and statements, and its appeals. Leave empty for staff who work on every record."
        ),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        permissions = [("publish", _("Can publish and unpublish public records"))]

    def __str__(self):
        return f"{self.user}: {self.council or _('all councils')}"
