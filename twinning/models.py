"""Staff: which council a staff member works for, the permission to publish, and the changes
Editors propose to published records."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


class ProposedChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ProposedChange.State.PENDING)

    def of(self, obj):
        """The proposed changes of one record."""
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class ProposedChange(models.Model):
    """An Editor's change to a published record, kept aside until a Publisher publishes or
    discards it: the published record stays as it is meanwhile.

    ``fields`` holds the new value of each field the Editor changed (as Django's serialisers
    write them), ``many_to_many`` the new ids of each changed many-to-many field (sources,
    cities, links). ``base_history_id`` is the record's latest history entry when the change
    was proposed: publishing compares the record with that version and refuses to overwrite a
    field someone changed since. See docs/adr/0056-proposed-changes-for-published-records.md.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        PUBLISHED = "published", _("published")
        DISCARDED = "discarded", _("discarded")

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(
        _("record"), max_length=200, help_text=_("The record's name when the change was proposed.")
    )
    fields = models.JSONField(_("proposed values"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    many_to_many = models.JSONField(_("proposed related records"), default=dict, blank=True)
    base_history_id = models.PositiveBigIntegerField(
        _("version it was proposed against"),
        null=True,
        blank=True,
        help_text=_("The record's latest history entry when the change was proposed."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published or discarded by"),
    )
    decided_at = models.DateTimeField(_("published or discarded at"), null=True, blank=True)

    objects = ProposedChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        indexes = [
            # "What waits for review on this record?" on every change page.
            models.Index(
                fields=["content_type", "object_id"],
                condition=Q(state="pending"),
                name="proposal_pending_record",
            ),
            models.Index(fields=["state", "created_at"], name="proposal_state_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "published", "discarded"]), name="proposal_state_known"
            ),
            # Waiting, or decided at a known time: never both, never neither.
            models.CheckConstraint(
                condition=Q(state="pending", decided_at__isnull=True)
                | (~Q(state="pending") & Q(decided_at__isnull=False)),
                name="proposal_decided_at_iff_decided",
            ),
            models.CheckConstraint(condition=~Q(object_repr=""), name="proposal_names_its_record"),
        ]

    def __str__(self):
        return _("Proposed change to %(record)s") % {"record": self.object_repr}

    @property
    def is_pending(self):
        return self.state == self.State.PENDING
