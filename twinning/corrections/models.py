"""Corrections the public sends about a city, link, statement or appeal, and the settings staff
keep for them (how long a sender's name and email are kept).

Every limit lives in the database too: text lengths (SQLite ignores varchar lengths, so they are
check constraints), the record a correction concerns, and that a handled correction says who
handled it and when, and an accepted one what it changed.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The most characters each field takes, shared by the public form and the database.
TEXT_MAX = 2000
URL_MAX = 500
NAME_MAX = 100
EMAIL_MAX = 254
LABEL_MAX = 300
NOTE_MAX = 2000

validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address that starts with http:// or https://, like https://www.leeds.gov.uk/."),
)


def _max_length(field, limit):
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"correction_{field}_max_{limit}",
        violation_error_message=_("This text is too long."),
    )


class Kind(models.TextChoices):
    CITY = "city", _("city")
    LINK = "link", _("link")
    STATEMENT = "statement", _("statement")
    APPEAL = "appeal", _("appeal")


RECORD_FIELDS = [k.value for k in Kind]


class CorrectionQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=Correction.Status.NEW)

    def with_records(self):
        return self.select_related("city", "link", "appeal", "handled_by")

    def personal_data_due(self, now):
        """Corrections whose sender's name or email has been kept for the full retention period."""
        days = CorrectionSettings.load().retention_days
        return self.filter(created_at__lt=now - datetime.timedelta(days=days)).exclude(name="", email="")


class Correction(models.Model):
    """What a member of the public says is wrong with one record, what is right, and the source."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        DUPLICATE = "duplicate", _("duplicate")

    # What it is about. The record's own foreign key is set to null if the record is deleted
    # (often the very change a correction asks for), so ``kind`` and ``record_label`` keep saying
    # what it was about. See docs/adr/0040-correction-record-reference.md.
    kind = models.CharField(_("about a"), max_length=10, choices=Kind)
    city = models.ForeignKey(
        "partnerships.City", models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    link = models.ForeignKey(
        "partnerships.Link", models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    statement = models.ForeignKey(
        "partnerships.Statement", models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", models.SET_NULL, null=True, blank=True, related_name="corrections"
    )
    record_label = models.CharField(
        _("record"), max_length=LABEL_MAX, help_text=_("The record's name when the correction was sent.")
    )

    # What the sender wrote.
    what_is_wrong = models.CharField(_("what is wrong"), max_length=TEXT_MAX)
    what_is_right = models.CharField(_("what is right"), max_length=TEXT_MAX)
    source_url = models.CharField(_("source"), max_length=URL_MAX, blank=True, validators=[validate_web_url])
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    email = models.EmailField(_("email"), max_length=EMAIL_MAX, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    personal_data_deleted_at = models.DateTimeField(
        _("name and email deleted"), null=True, blank=True, editable=False
    )

    # Moderation.
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.NEW)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
        editable=False,
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True, editable=False)
    note_to_sender = models.CharField(
        _("note to the sender"),
        max_length=NOTE_MAX,
        blank=True,
        help_text=_(
            "What you tell the sender, if they gave an email address. Write it as you would send it."
        ),
    )
    change_made = models.CharField(
        _("change made"),
        max_length=NOTE_MAX,
        blank=True,
        help_text=_(
            "For an accepted correction: what you changed, e.g. “Event of 6 December 2023: date corrected”."
        ),
    )
    change_url = models.CharField(
        _("changed record"),
        max_length=URL_MAX,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Optional: the address of the page you changed (public page or admin page)."),
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="correction_status_created")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RECORD_FIELDS), name="correction_kind_valid"),
            # Only the foreign key of its kind may be set (it is null once the record is deleted).
            models.CheckConstraint(
                condition=(
                    Q(kind=Kind.CITY, link=None, statement=None, appeal=None)
                    | Q(kind=Kind.LINK, city=None, statement=None, appeal=None)
                    | Q(kind=Kind.STATEMENT, city=None, link=None, appeal=None)
                    | Q(kind=Kind.APPEAL, city=None, link=None, statement=None)
                ),
                name="correction_one_record",
                violation_error_message=_("A correction is about one record of its kind."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "accepted", "rejected", "duplicate"]),
                name="correction_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(what_is_wrong="") & ~Q(what_is_right=""), name="correction_has_text"
            ),
            models.CheckConstraint(
                condition=Q(status="new") | Q(handled_at__isnull=False),
                name="correction_handled_when",
                violation_error_message=_("A handled correction says when it was handled."),
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | ~Q(change_made=""),
                name="correction_accepted_says_change",
                violation_error_message=_("Say what was changed when you accept a correction."),
            ),
            models.CheckConstraint(
                condition=Q(source_url="")
                | Q(source_url__startswith="http://")
                | Q(source_url__startswith="https://"),
                name="correction_source_web_url",
            ),
            _max_length("record_label", LABEL_MAX),
            _max_length("what_is_wrong", TEXT_MAX),
            _max_length("what_is_right", TEXT_MAX),
            _max_length("source_url", URL_MAX),
            _max_length("name", NAME_MAX),
            _max_length("email", EMAIL_MAX),
            _max_length("note_to_sender", NOTE_MAX),
            _max_length("change_made", NOTE_MAX),
            _max_length("change_url", URL_MAX),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.record_label}” ({self.created_at:%Y-%m-%d})"

    def clean(self):
        super().clean()
        if self.status == self.Status.ACCEPTED and not self.change_made.strip():
            raise ValidationError({"change_made": _("Say what was changed when you accept a correction.")})

    @property
    def record(self):
        """The record it is about, or None when it has been deleted."""
        return getattr(self, self.kind, None) if self.kind in RECORD_FIELDS else None

    def set_record(self, record):
        self.kind = record_kind(record)
        setattr(self, self.kind, record)
        self.record_label = str(record)[:LABEL_MAX]

    def record_public_url(self):
        """The public page of the record, built without a query (None once the record is gone)."""
        record_id = getattr(self, f"{self.kind}_id", None)
        if record_id is None:
            return None
        if self.kind == Kind.STATEMENT:
            return reverse("partnerships:statement-detail", kwargs={"pk": record_id})
        return self.record.get_absolute_url()

    def record_admin_url(self):
        record_id = getattr(self, f"{self.kind}_id", None)
        if record_id is None:
            return None
        app = "appeals" if self.kind == Kind.APPEAL else "partnerships"
        return reverse(f"admin:{app}_{self.kind}_change", args=[record_id])


def record_kind(record):
    from appeals.models import Appeal
    from partnerships.models import City, Link, Statement

    for kind, model in (
        (Kind.CITY, City),
        (Kind.LINK, Link),
        (Kind.STATEMENT, Statement),
        (Kind.APPEAL, Appeal),
    ):
        if isinstance(record, model):
            return kind
    raise TypeError(f"Corrections are not taken for {type(record).__name__}")


class CorrectionSettings(models.Model):
    """One row (id 1) of settings staff change in the admin."""

    DEFAULT_RETENTION_DAYS = 90

    retention_days = models.PositiveIntegerField(
        _("keep names and email addresses for (days)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "After this many days a correction's sender name and email address are deleted "
            "(by the purge_correction_personal_data command, run daily). The correction itself is kept. "
            "The public form states this period."
        ),
    )

    class Meta:
        verbose_name = _("corrections settings")
        verbose_name_plural = _("corrections settings")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="correction_settings_singleton"),
            models.CheckConstraint(
                condition=Q(retention_days__gte=1, retention_days__lte=3650),
                name="correction_settings_retention_range",
                violation_error_message=_("Keep personal data for between 1 and 3,650 days."),
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name).capitalize()

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The settings row, created with the defaults the first time it is needed."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
