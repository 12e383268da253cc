"""Donation appeals: who runs them, who holds the money, where to give, what has been raised.

The site takes no money. It sends visitors to each appeal's own donation page through a
counting redirect, and says for every figure when it was true and by whose count.

Rules live in the database (CheckConstraint / UniqueConstraint) and are mirrored in validators
and ``clean()`` so staff get a readable message instead of an IntegrityError.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from appeals import clock
from appeals.money import format_money
from partnerships import dates
from partnerships.dates import Precision
from partnerships.models import City, Link, Source
from twinning.modelbase import Model
from twinning.urlcache import reverse

# --- validators -------------------------------------------------------------------------------

HTTPS_MESSAGE = _(
    "Enter an address that starts with https:// (a secure web page). "
    "Addresses starting with http://, javascript: or data: are not accepted."
)


def validate_https_url(value):
    """Only https:// web addresses: never http, javascript:, data: or anything else."""
    if not (value or "").lower().startswith("https://"):
        raise ValidationError(HTTPS_MESSAGE, code="https_only")


charity_number_validator = RegexValidator(
    # England and Wales: 6–8 digits, optionally "-n" for a linked charity;
    # Scotland: SC and 6 digits; Northern Ireland: NIC and digits, or 6 digits.
    r"^(?:[0-9]{6,8}(?:-[0-9]{1,3})?|SC[0-9]{6}|NIC[0-9]{5,7})$",
    _("Enter the number as the register shows it: 1234567, 1234567-1, SC012345 or NIC101234."),
)

not_negative = MinValueValidator(Decimal(0), _("An amount cannot be negative."))


def not_in_future(value, field):
    if value and value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future: enter the date the figure was true.")})


class HttpsURLFormField(forms.URLField):
    """Says "https only" instead of a generic "Enter a valid URL" for javascript:, data: and http."""

    def run_validators(self, value):
        if value not in self.empty_values:
            validate_https_url(value)
        super().run_validators(value)


class HttpsURLField(models.URLField):
    """A URLField that accepts https addresses only and assumes https when none is typed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_https_url)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": HttpsURLFormField, "assume_scheme": "https", **kwargs})


# --- choices ----------------------------------------------------------------------------------


class Currency(models.TextChoices):
    GBP = "GBP", _("pounds sterling (£)")
    EUR = "EUR", _("euros (€)")
    USD = "USD", _("US dollars ($)")
    UAH = "UAH", _("Ukrainian hryvnias (₴)")


# --- appeals ----------------------------------------------------------------------------------


# The order of appeals with the same status: newest first.
NEWEST_FIRST = ("-launched_on", "title", "pk")


class AppealQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_status_rank(self, today=None):
        """Annotate ``status_rank``: 0 open, 1 upcoming, 2 closed, as the dates say on ``today``."""
        today = today or clock.today()
        return self.annotate(
            status_rank=Case(
                When(closed_early=True, then=Value(2)),
                When(launched_on__gt=today, then=Value(1)),
                When(closes_on__lt=today, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )

    def open_now(self, today=None):
        today = today or clock.today()
        return self.filter(closed_early=False, launched_on__lte=today).filter(
            Q(closes_on__isnull=True) | Q(closes_on__gte=today)
        )

    def for_city(self, city):
        return self.filter(cities=city)

    def for_link(self, link):
        return self.filter(links=link)

    def in_display_order(self, today=None):
        """Open first (newest first), then upcoming (soonest first), then closed (latest first)."""
        # Only upcoming appeals have a launch date here, so only they are ordered by it, soonest
        # first; the others are all NULL for it and ordered newest first by what follows.
        soonest = Case(When(status_rank=1, then=F("launched_on")), output_field=models.DateField())
        return self.with_status_rank(today).order_by("status_rank", soonest, *NEWEST_FIRST)

    def with_latest_figures(self):
        """Prefetch each appeal's latest total into ``latest_totals`` (a list of at most one)."""
        latest = RaisedFigure.objects.filter(
            pk=Subquery(
                RaisedFigure.objects.filter(appeal=OuterRef("appeal"), part=RaisedFigure.Part.TOTAL)
                .order_by("-as_of", "-pk")
                .values("pk")[:1]
            )
        ).select_related("source")
        return self.prefetch_related(Prefetch("figures", queryset=latest, to_attr="latest_totals"))

    def for_cards(self):
        """What an appeal card shows: its cities and latest total, in a fixed number of queries."""
        return self.prefetch_related(
            Prefetch("cities", queryset=City.objects.order_by("name"))
        ).with_latest_figures()

    def for_detail(self):
        """Everything an appeal's page shows, each relation prefetched into a plain list
        (``city_list``, ``link_list``, ``route_list``, ``figure_list``, ``update_list``); the
        sources of the appeal and its updates are for the page to attach (``attach_sources``)."""
        return self.select_related("give_instead").prefetch_related(
            Prefetch("cities", queryset=City.objects.order_by("name"), to_attr="city_list"),
            Prefetch("links", queryset=Link.objects.published().with_cities(), to_attr="link_list"),
            Prefetch(
                "routes", queryset=DonationRoute.objects.order_by("sort_order", "pk"), to_attr="route_list"
            ),
            Prefetch(
                "figures",
                queryset=RaisedFigure.objects.select_related("source").order_by("-as_of", "-pk"),
                to_attr="figure_list",
            ),
            Prefetch(
                "updates",
                queryset=AppealUpdate.objects.published().select_related("conflicts_with"),
                to_attr="update_list",
            ),
        )

    def open_for_city(self, city, today=None):
        """A city's open, published appeals for its page: three queries, whatever the numbers.
        All are open, so they need no ranking by status (``in_display_order``) to be in order."""
        return self.published().open_now(today).for_city(city).order_by(*NEWEST_FIRST).for_cards()

    def open_for_link(self, link, today=None):
        """A link's open, published appeals for its page: three queries, whatever the numbers.
        All are open, so they need no ranking by status (``in_display_order``) to be in order."""
        return self.published().open_now(today).for_link(link).order_by(*NEWEST_FIRST).for_cards()


class Appeal(Model):
    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        GOODS = "goods", _("goods")
        BOTH = "both", _("money and goods")

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), max_length=500, help_text=_("One or two sentences."))
    description = models.TextField(_("description"), max_length=10000, blank=True)
    kind = models.CharField(_("what it asks for"), max_length=5, choices=Kind, default=Kind.MONEY)

    organiser = models.CharField(
        _("organiser"),
        max_length=200,
        blank=True,
        help_text=_("Who runs the appeal, for example Leeds City Council. Leave empty if no source says."),
    )
    administering_charity = models.CharField(
        _("charity holding the money"),
        max_length=200,
        blank=True,
        help_text=_("The charity that receives and administers the donations."),
    )
    charity_number = models.CharField(
        _("registered charity number"),
        max_length=12,
        blank=True,
        validators=[charity_number_validator],
        help_text=_("Copy it from the charity register; leave empty rather than guess."),
    )
    charity_register_url = HttpsURLField(
        _("charity register entry"),
        blank=True,
        help_text=_("The charity's page on the Charity Commission, OSCR or CCNI register."),
    )
    sponsor = models.CharField(_("sponsor"), max_length=200, blank=True)
    beneficiaries = models.TextField(_("who it helps"), max_length=2000, blank=True)
    use_of_funds = models.TextField(_("what the money or goods are used for"), max_length=2000, blank=True)

    launched_on = models.DateField(_("launched"))
    launched_on_precision = models.CharField(
        _("launch date known to"), max_length=5, choices=Precision, default=Precision.DAY
    )
    closes_on = models.DateField(
        _("closes"), null=True, blank=True, help_text=_("The last day it takes donations, if known.")
    )
    closed_early = models.BooleanField(
        _("closed early"),
        default=False,
        help_text=_("Tick to close the appeal now, whatever its dates say. Its Donate buttons disappear."),
    )
    closing_note = models.TextField(
        _("closing note"), max_length=2000, blank=True, help_text=_("Shown once the appeal has closed.")
    )
    give_instead = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("where to give instead"),
        help_text=_("Once this appeal has closed, visitors are pointed to this one."),
    )

    target_amount = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), _("A target must be more than zero."))],
        help_text=_("Leave empty if the appeal has no published target: no progress bar is then shown."),
    )
    target_currency = models.CharField(
        _("target currency"), max_length=3, choices=Currency, default=Currency.GBP
    )

    cities = models.ManyToManyField(City, verbose_name=_("cities"), blank=True, related_name="appeals")
    links = models.ManyToManyField(Link, verbose_name=_("links"), blank=True, related_name="appeals")
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="appeals")
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = AppealQuerySet.as_manager()

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[cities, links, sources])

    class Meta:
        ordering = ["-launched_on", "title"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["is_published", "launched_on"], name="appeal_published_launch"),
            # The admin list's order.
            models.Index(fields=["-launched_on", "title"], name="appeal_launch_title"),
        ]
        constraints = [
            dates.precision_constraint("launched_on", "appeal_launch_precision"),
            dates.earliest_date_constraint("launched_on", "appeal_launch_from_1900"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("launched_on")),
                name="appeal_closes_after_launch",
                violation_error_message=_("An appeal cannot close before it launches."),
            ),
            models.CheckConstraint(
                condition=Q(target_amount__isnull=True) | Q(target_amount__gt=0),
                name="appeal_target_positive",
                violation_error_message=_("A target must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(charity_register_url="") | Q(charity_register_url__startswith="https://"),
                name="appeal_register_url_https",
                violation_error_message=HTTPS_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(charity_number="") | ~Q(administering_charity=""),
                name="appeal_number_has_charity",
                violation_error_message=_("A charity number needs the charity's name."),
            ),
            models.CheckConstraint(
                condition=Q(charity_number="") | ~Q(charity_register_url=""),
                name="appeal_number_has_register_url",
                violation_error_message=_("A charity number needs the link to its register entry."),
            ),
            models.CheckConstraint(
                condition=~Q(give_instead=F("pk")),
                name="appeal_give_instead_not_itself",
                violation_error_message=_("An appeal cannot point to itself."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("appeals:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if self.launched_on:
            self.launched_on = dates.normalise(self.launched_on, self.launched_on_precision)
        if self.launched_on and self.closes_on and self.closes_on < self.launched_on:
            errors["closes_on"] = _("An appeal cannot close before it launches. Check both dates.")
        if self.charity_number and not self.administering_charity:
            errors["administering_charity"] = _("A charity number needs the charity's name.")
        if self.charity_number and not self.charity_register_url:
            errors["charity_register_url"] = _(
                "Add the link to the charity's entry on the register, so visitors can check the number."
            )
        if self.pk and self.give_instead_id == self.pk:
            errors["give_instead"] = _("An appeal cannot point to itself. Choose another appeal.")
        if errors:
            raise ValidationError(errors)

    # Status is derived from the dates on the day asked about, never stored.
    def status_on(self, today=None) -> str:
        today = today or clock.today()
        if self.closed_early:
            return self.Status.CLOSED
        if self.launched_on > today:
            return self.Status.UPCOMING
        if self.closes_on and self.closes_on < today:
            return self.Status.CLOSED
        return self.Status.OPEN

    @property
    def status(self):
        return self.status_on(clock.today())

    @property
    def status_label(self):
        return self.Status(self.status).label

    @property
    def launched_display(self):
        return dates.display(self.launched_on, self.launched_on_precision)

    @property
    def launched_machine(self):
        return dates.machine(self.launched_on, self.launched_on_precision)

    @property
    def target_display(self):
        if self.target_amount is None:
            return ""
        return format_money(self.target_amount, self.target_currency)

    def figures_newest_first(self):
        """The figures, newest first: the list ``for_detail`` prefetched, or else read now."""
        prefetched = getattr(self, "figure_list", None)
        return prefetched if prefetched is not None else list(self.figures.all())

    def latest_total(self):
        """The latest figure counting everything raised, from prefetched data when available."""
        cached = getattr(self, "latest_totals", None)
        if cached is not None:
            return cached[0] if cached else None
        figures = [f for f in self.figures_newest_first() if f.part == RaisedFigure.Part.TOTAL]
        return figures[0] if figures else None

    def latest_by_part(self):
        """The latest figure of each kind, total first; the parts are never added together."""
        seen = {}
        for figure in self.figures_newest_first():
            seen.setdefault(figure.part, figure)
        order = list(RaisedFigure.Part)
        return sorted(seen.values(), key=lambda f: order.index(f.part))

    def progress(self, figure=None):
        """The progress towards the target, or None when there is no honest way to state it."""
        figure = figure or self.latest_total()
        if (
            self.target_amount is None
            or figure is None
            or figure.amount is None
            or figure.currency != self.target_currency
        ):
            return None
        return Progress(figure=figure, target=self.target_amount, currency=self.target_currency)


class Progress:
    """A raised amount against a target, rounded honestly: 99.6% is not yet 100%."""

    def __init__(self, *, figure, target, currency):
        self.figure = figure
        self.target = target
        self.currency = currency
        self.amount = figure.amount
        percent = (self.amount * 100 / target).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if self.amount < target and percent >= 100:
            percent = Decimal(99)
        self.percent = int(percent)
        self.over_target = self.amount > target
        self.reached = self.amount >= target

    @property
    def bar_value(self):
        return min(self.amount, self.target)

    @property
    def target_display(self):
        return format_money(self.target, self.currency)

    @property
    def excess_display(self):
        return format_money(self.amount - self.target, self.currency)


# --- donation routes and clicks ---------------------------------------------------------------


class DonationRoute(Model):
    class Kind(models.TextChoices):
        ONLINE = "online", _("online donation page")
        BANK = "bank", _("bank transfer details")
        DROP_OFF = "drop_off", _("drop-off point for goods")
        OTHER = "other", _("other way to give")

    class GiftAid(models.TextChoices):
        YES = "yes", _("Gift Aid can be added")
        NO = "no", _("Gift Aid does not apply")
        UNKNOWN = "unknown", _("not known")

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="routes", verbose_name=_("appeal")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.ONLINE)
    label = models.CharField(
        _("label"),
        max_length=200,
        help_text=_("What the page is, in words a visitor understands: “the appeal's JustGiving page”."),
    )
    url = HttpsURLField(_("web address"), help_text=_("https:// only. The Donate button leads here."))
    details = models.TextField(
        _("details"), max_length=2000, blank=True, help_text=_("For example the drop-off address and times.")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.GBP)
    gift_aid = models.CharField(_("Gift Aid"), max_length=7, choices=GiftAid, default=GiftAid.UNKNOWN)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    # Written by the check_donation_links command, never edited by hand.
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    check_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True, editable=False)
    check_error = models.CharField(_("check error"), max_length=300, blank=True, editable=False)
    is_broken = models.BooleanField(_("broken"), default=False, editable=False)

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(excluded_fields=["checked_at", "check_status", "check_error", "is_broken"])

    class Meta:
        ordering = ["appeal", "sort_order", "pk"]
        verbose_name = _("donation route")
        verbose_name_plural = _("donation routes")
        indexes = [models.Index(fields=["is_broken"], name="route_is_broken")]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://"),
                name="route_url_https",
                violation_error_message=HTTPS_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["appeal", "url"],
                name="route_unique_url_per_appeal",
                violation_error_message=_("This appeal already has a route to this address."),
            ),
        ]

    def __str__(self):
        return f"{self.appeal}: {self.label}"

    def get_absolute_url(self):
        """The site's own counting redirect, never the stored address itself."""
        return reverse("appeals:donate", kwargs={"route_id": self.pk})

    @property
    def host(self):
        return urlsplit(self.url).hostname or ""

    @property
    def health_display(self):
        if not self.checked_at:
            return _("not checked yet")
        if self.check_error:
            return self.check_error
        return str(self.check_status)


class DonationClick(Model):
    """How many times a route's Donate button was followed on a day. Nothing about who."""

    route = models.ForeignKey(
        DonationRoute, on_delete=models.CASCADE, related_name="clicks", verbose_name=_("route")
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("donation click count")
        verbose_name_plural = _("donation click counts")
        constraints = [
            models.UniqueConstraint(fields=["route", "day"], name="click_unique_route_day"),
            models.CheckConstraint(condition=Q(count__gte=0), name="click_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.route_id} {self.day}: {self.count}"


# --- raised figures ---------------------------------------------------------------------------


class RaisedFigure(Model):
    """What had been raised on a date, by whose count. Figures are listed, never added up."""

    class Part(models.TextChoices):
        TOTAL = "total", _("total raised")
        ONLINE = "online", _("online donations")
        OFFLINE = "offline", _("offline donations")
        GIFT_AID = "gift_aid", _("Gift Aid")
        MATCH = "match", _("match funding")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        MORE_THAN = "more_than", _("more than")
        ABOUT = "about", _("about")

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="figures", verbose_name=_("appeal")
    )
    part = models.CharField(
        _("what it counts"),
        max_length=10,
        choices=Part,
        default=Part.TOTAL,
        help_text=_("“Total raised” is everything the source counted; the other parts are shown beside it."),
    )
    qualifier = models.CharField(_("how exact"), max_length=10, choices=Qualifier, default=Qualifier.EXACT)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[not_negative],
        help_text=_("Leave empty for a goods appeal and say what was collected in words."),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.GBP)
    in_words = models.CharField(
        _("progress in words"),
        max_length=300,
        blank=True,
        help_text=_("For goods: “two vans of donated goods”."),
    )
    as_of = models.DateField(_("true as of"))
    as_of_precision = models.CharField(
        _("date known to"), max_length=5, choices=Precision, default=Precision.DAY
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="raised_figures", verbose_name=_("source")
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("What the source says the figure includes: “from more than 120 donors”."),
    )

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_of", "-pk"]
        verbose_name = _("raised figure")
        verbose_name_plural = _("raised figures")
        indexes = [models.Index(fields=["appeal", "part", "-as_of"], name="figure_appeal_part_date")]
        constraints = [
            dates.precision_constraint("as_of", "figure_as_of_precision"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="figure_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | ~Q(in_words=""),
                name="figure_has_amount_or_words",
                violation_error_message=_("Give an amount, or say in words what was collected."),
            ),
            dates.earliest_date_constraint("as_of", "figure_as_of_from_1900"),
            models.UniqueConstraint(
                fields=["appeal", "part", "as_of", "source"],
                name="figure_unique_per_source_and_date",
                violation_error_message=_("This source already has a figure of this kind on this date."),
            ),
        ]

    def __str__(self):
        return f"{self.display} ({self.as_of_display})"

    def clean(self):
        super().clean()
        if self.as_of:
            self.as_of = dates.normalise(self.as_of, self.as_of_precision)
            not_in_future(self.as_of, "as_of")
        if self.amount is None and not self.in_words:
            raise ValidationError({"amount": _("Give an amount, or say in words what was collected.")})

    @property
    def amount_display(self):
        return "" if self.amount is None else format_money(self.amount, self.currency)

    @property
    def display(self):
        """“More than £140,000”, or the words for a goods appeal."""
        if self.amount is None:
            return self.in_words
        amount = self.amount_display
        if self.qualifier == self.Qualifier.MORE_THAN:
            return _("more than %(amount)s") % {"amount": amount}
        if self.qualifier == self.Qualifier.ABOUT:
            return _("about %(amount)s") % {"amount": amount}
        return amount

    @property
    def as_of_display(self):
        return dates.display(self.as_of, self.as_of_precision)

    @property
    def as_of_machine(self):
        return dates.machine(self.as_of, self.as_of_precision)


# --- updates ----------------------------------------------------------------------------------


class AppealUpdateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_feed(self):
        return (
            self.published()
            .filter(appeal__is_published=True)
            .select_related("appeal")
            .order_by("-date", "-pk")
        )


class AppealUpdate(Model):
    """Dated news on an appeal: the vans left, who was at the send-off."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="updates", verbose_name=_("appeal")
    )
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date known to"), max_length=5, choices=Precision, default=Precision.DAY
    )
    title = models.CharField(_("headline"), max_length=200)
    body = models.TextField(_("text"), max_length=5000, blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="appeal_updates")
    conflicts_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("differs from"),
        help_text=_("Another update whose source tells it differently. The page says that sources differ."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AppealUpdateQuerySet.as_manager()

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        # The updates feed: the latest published updates (docs/adr/0062-indexes.md).
        indexes = [models.Index(fields=["is_published", "-date", "-id"], name="update_pub_recent")]
        constraints = [
            dates.precision_constraint("date", "update_date_precision"),
            dates.earliest_date_constraint("date", "update_date_from_1900"),
            models.UniqueConstraint(
                fields=["appeal", "date", "title"],
                name="update_unique_per_appeal_date_title",
                violation_error_message=_(
                    "This appeal already has an update with this headline on this date."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    def get_absolute_url(self):
        return f"{self.appeal.get_absolute_url()}#update-{self.pk}"

    def clean(self):
        super().clean()
        if self.date:
            self.date = dates.normalise(self.date, self.date_precision)
            if self.date > timezone.localdate():
                raise ValidationError({"date": _("This date is in the future.")})
        if self.pk and self.conflicts_with_id == self.pk:
            raise ValidationError({"conflicts_with": _("An update cannot differ from itself.")})
        if self.conflicts_with_id and self.appeal_id and self.conflicts_with.appeal_id != self.appeal_id:
            raise ValidationError({"conflicts_with": _("Choose an update of the same appeal.")})

    @property
    def date_display(self):
        return dates.display(self.date, self.date_precision)

    @property
    def date_machine(self):
        return dates.machine(self.date, self.date_precision)

    @property
    def published_datetime(self):
        """Midday on the update's date in the site's time zone, for the feed."""
        return timezone.make_aware(datetime.datetime.combine(self.date, datetime.time(12)))
