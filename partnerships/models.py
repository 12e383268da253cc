"""The public record: cities, the links between them, the links' dated histories, people,
what they said, and the sources every claim cites.

Rules live in the database (CheckConstraint / UniqueConstraint) and are mirrored in
``clean()`` so staff get a readable message instead of an IntegrityError.
"""

import math
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from partnerships import dates
from partnerships.dates import EARLIEST_DATE, Precision
from twinning.modelbase import Model
from twinning.urlcache import reverse

EARTH_RADIUS_KM = 6371.0
KM_PER_MILE = 1.609344

wikidata_validator = RegexValidator(
    r"^Q[1-9][0-9]{0,11}$", _("A Wikidata ID is a Q followed by digits, for example Q39121.")
)


def _not_in_future(value, label):
    if value and value > timezone.localdate():
        raise ValidationError({label: _("This date is in the future.")})


class PartialDateMixin(Model):
    """A ``date`` with its ``date_precision``: 1957 is not 1 January 1957."""

    date = models.DateField(
        _("date"),
        validators=[MinValueValidator(EARLIEST_DATE)],
        help_text=_("For a year only, enter 1 January of that year and choose “year only”."),
    )
    date_precision = models.CharField(
        _("date known to"), max_length=5, choices=Precision, default=Precision.DAY
    )

    class Meta:
        abstract = True

    @property
    def date_display(self):
        return dates.display(self.date, self.date_precision)

    @property
    def date_machine(self):
        return dates.machine(self.date, self.date_precision)

    def clean(self):
        super().clean()
        if self.date:
            self.date = dates.normalise(self.date, self.date_precision)
            if self.date < EARLIEST_DATE:
                raise ValidationError({"date": _("Dates before 1900 are not accepted here.")})
            _not_in_future(self.date, "date")


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Source(Model):
    """A citation any claim can cite: a news report, a council page, a register."""

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField(
        _("URL"), max_length=500, blank=True, help_text=_("Leave empty for print-only sources.")
    )
    published_on = models.DateField(_("date published"), null=True, blank=True)
    published_precision = models.CharField(
        _("date published known to"), max_length=5, choices=Precision, default=Precision.DAY
    )
    accessed_on = models.DateField(_("date accessed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords()

    class Meta:
        ordering = ["publisher", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        # The admin list's order (docs/adr/0062-indexes.md).
        indexes = [models.Index(fields=["publisher", "title"], name="source_publisher_title")]
        constraints = [
            models.UniqueConstraint(fields=["title", "publisher"], name="source_unique_title_publisher"),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="source_url_is_web_address",
                violation_error_message=_("A source URL must start with https:// or http://."),
            ),
        ]

    def __str__(self):
        when = self.published_display
        return f"{self.publisher}: {self.title}" + (f" ({when})" if when else "")

    @property
    def published_display(self):
        return dates.display(self.published_on, self.published_precision)

    def clean(self):
        super().clean()
        if self.published_on:
            self.published_on = dates.normalise(self.published_on, self.published_precision)
            _not_in_future(self.published_on, "published_on")
        _not_in_future(self.accessed_on, "accessed_on")
        if self.published_on and self.accessed_on and self.accessed_on < self.published_on:
            raise ValidationError({"accessed_on": _("A source cannot be accessed before it was published.")})


class City(Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    native_name = models.CharField(
        _("native name"),
        max_length=100,
        blank=True,
        help_text=_("In the local script: Харків, Одеса."),
    )
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text=_("WGS84 decimal degrees, north positive (−90 to 90)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        help_text=_("WGS84 decimal degrees, east positive (−180 to 180)."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population counted in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800)],
        help_text=_("The year the population figure was counted or estimated."),
    )
    population_note = models.CharField(
        _("population note"),
        max_length=200,
        blank=True,
        help_text=_("For example: metropolitan borough, estimate."),
    )
    population_source = models.ForeignKey(
        Source,
        verbose_name=_("population source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("short description"), max_length=2000, blank=True)
    wikidata_id = models.CharField(
        _("Wikidata ID"), max_length=13, blank=True, validators=[wikidata_validator]
    )
    image = models.ImageField(_("image"), upload_to="cities/", blank=True)
    image_alt = models.CharField(_("image description (alt text)"), max_length=250, blank=True)
    image_credit = models.CharField(_("image credit"), max_length=250, blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="cities")

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        indexes = [
            models.Index(fields=["country", "name"], name="city_country_name"),
            # The city list's and the admin's order; the link list sorts by its cities' names.
            models.Index(fields=["name", "id"], name="city_name_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="city_unique_wikidata_id",
                violation_error_message=_("Another city already has this Wikidata ID."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_range",
                violation_error_message=_("Latitude must be between −90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_range",
                violation_error_message=_("Longitude must be between −180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(population_year__isnull=False),
                name="city_population_has_year",
                violation_error_message=_("A population needs the year it was counted."),
            ),
            models.CheckConstraint(
                condition=Q(population_year__isnull=True) | Q(population_year__gte=1800),
                name="city_population_year_range",
                violation_error_message=_("The population year must be 1800 or later."),
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="city_image_has_alt",
                violation_error_message=_("An image needs a description (alt text)."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:city-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.population_year and self.population_year > timezone.localdate().year:
            raise ValidationError({"population_year": _("This year is in the future.")})
        if self.population is not None and self.population_year is None:
            raise ValidationError({"population_year": _("A population needs the year it was counted.")})

    def distance_km(self, other: "City") -> float:
        """Great-circle distance by the haversine formula on a sphere of mean Earth radius."""
        lat1, lon1, lat2, lon2 = map(
            math.radians,
            map(float, (self.latitude, self.longitude, other.latitude, other.longitude)),
        )
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class CityName(Model):
    """Another name people search a city by: an older or foreign spelling, a transliteration."""

    class Kind(models.TextChoices):
        OLDER = "older", _("older spelling")
        FOREIGN = "foreign", _("foreign-language name")
        TRANSLITERATION = "translit", _("other transliteration")

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="other_names", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.OLDER)
    language = models.CharField(
        _("language"), max_length=20, blank=True, help_text=_("For example: Russian, German.")
    )

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="cityname_unique_per_city")]

    def __str__(self):
        return self.name


class LinkQuerySet(PublishedQuerySet):
    def with_cities(self):
        return self.select_related("city_a", "city_b")

    def involving(self, city):
        return self.filter(Q(city_a=city) | Q(city_b=city))


# The order in which the network map draws links, by status: current links first, then those
# being formed, paused, ended and not yet known (each with its line style in partnerships/maps.py).
MAP_GROUPS = (
    ("active", "renewed"),
    ("proposed", "under_negotiation"),
    ("dormant", "suspended"),
    ("ended",),
    ("",),
)


def map_rank():
    """A link's place in MAP_GROUPS, as SQL: 0 is drawn first. The index ``link_map_order`` is on
    this very expression, so the map reads its first links in order instead of sorting them all."""
    return models.Case(
        *(
            models.When(status__in=statuses, then=models.Value(rank))
            for rank, statuses in enumerate(MAP_GROUPS)
        ),
        default=models.Value(len(MAP_GROUPS)),
        output_field=models.IntegerField(),
    )


class Link(Model):
    """One record per unordered pair of cities: the pair is stored with city_a.pk < city_b.pk."""

    class Kind(models.TextChoices):
        TWIN_TOWN = "twin_town", _("twin town")
        SISTER_CITY = "sister_city", _("sister city")
        PARTNER_CITY = "partner_city", _("partner city")
        FRIENDSHIP_LINK = "friendship_link", _("friendship link")
        FRIENDSHIP_OATH = "friendship_oath", _("friendship oath")
        MOU = "mou", _("memorandum of understanding")
        SOLIDARITY = "solidarity", _("solidarity partnership")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        UNDER_NEGOTIATION = "under_negotiation", _("under negotiation")
        ACTIVE = "active", _("active")
        DORMANT = "dormant", _("dormant")
        SUSPENDED = "suspended", _("suspended")
        ENDED = "ended", _("ended")
        RENEWED = "renewed", _("renewed")

    city_a = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="links_as_a", verbose_name=_("city")
    )
    city_b = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="links_as_b", verbose_name=_("partner city")
    )
    slug = models.SlugField(_("slug"), max_length=210, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    run_by = models.CharField(
        _("run by"),
        max_length=200,
        blank=True,
        help_text=_("Who runs it: the councils, a twinning association."),
    )
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="links")
    is_published = models.BooleanField(_("published"), default=False)
    is_featured = models.BooleanField(
        _("featured on the home page"), default=False, help_text=_("Shown on the home page when published.")
    )
    # Derived from the published events by refresh_derived(); never edited by hand.
    status = models.CharField(_("current status"), max_length=20, choices=Status, blank=True, editable=False)
    status_since = models.DateField(_("status since"), null=True, blank=True, editable=False)
    status_since_precision = models.CharField(max_length=5, choices=Precision, blank=True, editable=False)
    started_on = models.DateField(_("started"), null=True, blank=True, editable=False)
    started_precision = models.CharField(max_length=5, choices=Precision, blank=True, editable=False)
    # The two cities' names, kept by the database itself (triggers in migration 0006, on every
    # insert, every change of the pair and every renamed city): the lists order links by them,
    # and a deep page then walks an index instead of sorting every link joined to its cities.
    city_a_name = models.CharField(max_length=100, default="", editable=False)
    city_b_name = models.CharField(max_length=100, default="", editable=False)

    objects = LinkQuerySet.as_manager()

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    # Not the names: the database writes them, after the instance was saved.
    history = HistoricalRecords(m2m_fields=[sources], excluded_fields=["city_a_name", "city_b_name"])

    class Meta:
        ordering = ["city_a_name", "city_b_name"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        indexes = [
            models.Index(fields=["is_published", "status"], name="link_published_status"),
            models.Index(fields=["city_b", "city_a"], name="link_city_b_a"),
            # The home page's featured links: a handful among tens of thousands.
            models.Index(fields=["is_published"], condition=Q(is_featured=True), name="link_featured"),
            # The network map's first 500 published links, in its order (it sorted all 50,000).
            models.Index(map_rank(), F("id"), condition=Q(is_published=True), name="link_map_order"),
            # The link list and the network map's table, in their order; and the list filtered by
            # status, by kind or by both, in the same order.
            models.Index(
                fields=["city_a_name", "city_b_name", "id"],
                condition=Q(is_published=True),
                name="link_list_order",
            ),
            models.Index(
                fields=["status", "city_a_name", "city_b_name", "id"],
                condition=Q(is_published=True),
                name="link_list_status",
            ),
            models.Index(
                fields=["kind", "city_a_name", "city_b_name", "id"],
                condition=Q(is_published=True),
                name="link_list_kind",
            ),
            models.Index(
                fields=["status", "kind", "city_a_name", "city_b_name", "id"],
                condition=Q(is_published=True),
                name="link_list_status_kind",
            ),
            # The admin's list, drafts included, in the same order.
            models.Index(fields=["city_a_name", "city_b_name", "id"], name="link_admin_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(city_a=F("city_b")),
                name="link_not_to_itself",
                violation_error_message=_("A city cannot be linked with itself."),
            ),
            models.CheckConstraint(
                condition=Q(city_a__lt=F("city_b")),
                name="link_pair_is_ordered",
                violation_error_message=_("The pair must be stored in canonical order."),
            ),
            models.UniqueConstraint(
                fields=["city_a", "city_b"],
                name="link_unique_pair",
                violation_error_message=_("These two cities are already linked."),
                violation_error_code="already_linked",
            ),
        ]

    def __str__(self):
        return f"{self.city_a}–{self.city_b}"

    def save(self, *args, **kwargs):
        self.normalise_pair()
        if not self.slug:
            self.slug = slugify(f"{self.city_a.name}-{self.city_b.name}")[:210]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partnerships:link-detail", kwargs={"slug": self.slug})

    @property
    def names(self):
        """ "Leeds–Kharkiv", from the names the database keeps on the link: right for a link read
        from the database, without reading its cities (not for one changed in memory)."""
        return f"{self.city_a_name}–{self.city_b_name}"

    def clean(self):
        super().clean()
        a, b = self.city_a_id, self.city_b_id
        if a is None or b is None:
            return
        if a == b:
            raise ValidationError(
                {"city_b": _("A city cannot be linked with itself. Choose a different partner city.")}
            )
        # Put the pair in canonical order now, so the database constraints check what will be stored.
        self.normalise_pair()
        existing = Link.objects.filter(city_a_id=min(a, b), city_b_id=max(a, b)).exclude(pk=self.pk).first()
        if existing:
            raise ValidationError(
                _(
                    "%(a)s and %(b)s are already linked (the link is recorded as %(link)s): edit that link instead."
                )
                % {"a": self.city_a, "b": self.city_b, "link": existing},
                code="already_linked",
            )

    def normalise_pair(self):
        """Store the pair in one order only, so A–B and B–A can never both exist."""
        if self.city_a_id and self.city_b_id and self.city_a_id > self.city_b_id:
            self.city_a, self.city_b = self.city_b, self.city_a

    def other(self, city):
        return self.city_b if city.pk == self.city_a_id else self.city_a

    @property
    def distance_km(self):
        return self.city_a.distance_km(self.city_b)

    @property
    def distance_miles(self):
        return self.distance_km / KM_PER_MILE

    @property
    def status_since_display(self):
        return dates.display(self.status_since, self.status_since_precision)

    @property
    def started_display(self):
        return dates.display(self.started_on, self.started_precision)

    def refresh_derived(self, *, save=True):
        """Derive the current status and the start date from the published events.

        Current status: the status set by the latest published event that sets one.
        Started: the earliest published event that made the link active.
        """
        events = list(
            self.events.filter(is_published=True).exclude(status="").order_by("date", "sort_order", "pk")
        )
        self.derive_from(events)
        if save and self.pk:
            Link.objects.filter(pk=self.pk).update(
                status=self.status,
                status_since=self.status_since,
                status_since_precision=self.status_since_precision,
                started_on=self.started_on,
                started_precision=self.started_precision,
            )

    def derive_from(self, events):
        """Set the derived fields from ``events``: the published events that set a status,
        ordered by date, sort order and primary key (refresh_derived and the importer)."""
        latest = events[-1] if events else None
        first_active = next((e for e in events if e.status == Link.Status.ACTIVE), None)
        self.status = latest.status if latest else ""
        self.status_since = latest.date if latest else None
        self.status_since_precision = latest.date_precision if latest else ""
        self.started_on = first_active.date if first_active else None
        self.started_precision = first_active.date_precision if first_active else ""


class Event(PartialDateMixin):
    """A dated step in a link's history, with or without a change of status."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="events", verbose_name=_("link"))
    title = models.CharField(_("what happened"), max_length=300)
    description = models.TextField(_("details"), max_length=4000, blank=True)
    status = models.CharField(
        _("status it moved the link to"),
        max_length=20,
        choices=Link.Status,
        blank=True,
        help_text=_("Leave empty for an event that changed no status (a letter, a flag flown)."),
    )
    decided_by = models.CharField(
        _("decided by"), max_length=200, blank=True, help_text=_("The body that decided it.")
    )
    sort_order = models.PositiveSmallIntegerField(
        _("order on the same date"), default=0, help_text=_("Orders events that share a date.")
    )
    # Required, as a statement's are: an event is a dated claim ("twinned in 1968"), and one
    # with no source would show on the timeline, and move the link's status, with nothing to cite.
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="events")
    is_published = models.BooleanField(_("published"), default=False)

    objects = PublishedQuerySet.as_manager()

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["date", "sort_order", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["link", "is_published", "date"], name="event_link_pub_date"),
            models.Index(fields=["is_published", "-date"], name="event_pub_recent"),
            # The admin list's order and its date hierarchy.
            models.Index(fields=["date", "sort_order", "id"], name="event_date_order"),
        ]
        constraints = [
            dates.precision_constraint("date", "event_date_precision"),
            dates.earliest_date_constraint("date", "event_date_from_1900"),
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    # The link's derived status and start date follow its events, however they change.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.link.refresh_derived()


class AlternativeClaim(Model):
    """What another source says about an event, where sources disagree.

    The event shows the claim staff chose; its alternatives stand beside it with their sources,
    and the page says that sources differ.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="alternatives", verbose_name=_("event")
    )
    claim = models.CharField(_("what the other source says"), max_length=500)
    date = models.DateField(_("date it gives"), null=True, blank=True)
    date_precision = models.CharField(
        _("date known to"), max_length=5, choices=Precision, default=Precision.YEAR
    )
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="alternative_claims")

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("alternative claim")
        verbose_name_plural = _("alternative claims")
        constraints = [dates.precision_constraint("date", "altclaim_date_precision")]

    def __str__(self):
        return self.claim

    @property
    def date_display(self):
        return dates.display(self.date, self.date_precision)

    def clean(self):
        super().clean()
        if self.date:
            self.date = dates.normalise(self.date, self.date_precision)
            _not_in_future(self.date, "date")


class Person(Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    native_name = models.CharField(_("native name"), max_length=150, blank=True)
    born_year = models.PositiveSmallIntegerField(_("born"), null=True, blank=True)
    died_year = models.PositiveSmallIntegerField(_("died"), null=True, blank=True)
    description = models.TextField(
        pgettext_lazy("a person's description", "about"), max_length=2000, blank=True
    )
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="people")

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name", "id"], name="person_name_id")]  # the people list's order
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(died_year__isnull=True)
                | Q(born_year__isnull=True)
                | Q(died_year__gte=F("born_year")),
                name="person_died_after_born",
                violation_error_message=_("A person cannot die before they were born."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:person-detail", kwargs={"slug": self.slug})


class Role(Model):
    """A role a person held, and when: James Lewis, Leader of Leeds City Council."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person")
    )
    title = models.CharField(
        _("role"), max_length=200, help_text=_("For example: Leader of Leeds City Council.")
    )
    city = models.ForeignKey(
        City,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("city"),
    )
    start = models.DateField(_("from"), null=True, blank=True)
    start_precision = models.CharField(
        _("from, known to"), max_length=5, choices=Precision, default=Precision.YEAR
    )
    end = models.DateField(_("until"), null=True, blank=True)
    end_precision = models.CharField(
        _("until, known to"), max_length=5, choices=Precision, default=Precision.YEAR
    )

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords()

    class Meta:
        ordering = ["person__name", "start"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            dates.precision_constraint("start", "role_start_precision"),
            dates.precision_constraint("end", "role_end_precision"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=F("start")),
                name="role_ends_after_start",
                violation_error_message=_("A role cannot end before it starts."),
            ),
        ]

    def __str__(self):
        span = self.span_display
        return f"{self.title} ({span})" if span else self.title

    @property
    def span_display(self):
        start = dates.display(self.start, self.start_precision)
        end = dates.display(self.end, self.end_precision)
        if start and end:
            return f"{start}–{end}"
        return start or end

    def clean(self):
        super().clean()
        if self.start:
            self.start = dates.normalise(self.start, self.start_precision)
        if self.end:
            self.end = dates.normalise(self.end, self.end_precision)
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A role cannot end before it starts.")})


class StatementQuerySet(PublishedQuerySet):
    def with_people(self):
        """With the speaker, the role, the link and the city. Not the link's cities: a link's
        name is read from the names kept on it (``Link.names``). Each joined table costs
        PostgreSQL planning time, and the list's eight were most of a filtered page's time."""
        return self.select_related("speaker", "role", "link", "city")


class Statement(PartialDateMixin):
    """What someone said, in their words, with the role they spoke in and the source."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        UKRAINIAN = "uk", _("Ukrainian")
        RUSSIAN = "ru", _("Russian")
        FRENCH = "fr", _("French")
        CZECH = "cs", _("Czech")

    quote = models.TextField(_("quote"), max_length=5000)
    speaker = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="statements", verbose_name=_("speaker")
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("role when speaking"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.ENGLISH)
    translation = models.TextField(_("translation"), max_length=5000, blank=True)
    link = models.ForeignKey(
        Link,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("about link"),
    )
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("about city"),
    )
    appeal = models.ForeignKey(
        "appeals.Appeal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("about appeal"),
    )
    context = models.CharField(
        _("context"), max_length=300, blank=True, help_text=_("Where or how it was said.")
    )
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="statements")
    is_published = models.BooleanField(_("published"), default=False)

    objects = StatementQuerySet.as_manager()

    # Every change, with who and when (django-simple-history); earlier versions can be restored.
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        indexes = [
            models.Index(fields=["is_published", "-date"], name="statement_pub_recent"),
            models.Index(fields=["speaker", "is_published"], name="statement_speaker_pub"),
            # The admin list's order (newest first, all statements).
            models.Index(fields=["-date", "-id"], name="statement_recent"),
        ]
        constraints = [
            dates.precision_constraint("date", "statement_date_precision"),
            dates.earliest_date_constraint("date", "statement_date_from_1900"),
            models.CheckConstraint(
                condition=Q(link__isnull=False) | Q(city__isnull=False) | Q(appeal__isnull=False),
                name="statement_is_about_something",
                violation_error_message=_("Say what the statement is about: a link, a city or an appeal."),
            ),
        ]

    def __str__(self):
        words = self.quote.split()
        short = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return f"{self.speaker}: “{short}”"

    def get_absolute_url(self):
        return reverse("partnerships:statement-detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        if self.role_id and self.speaker_id and self.role.person_id != self.speaker_id:
            raise ValidationError(
                {"role": _("This role belongs to someone else. Choose one of the speaker’s roles.")}
            )
        if not any(self._refers_to(name) for name in ("link", "city", "appeal")):
            raise ValidationError(_("Say what the statement is about: a link, a city or an appeal."))

    def _refers_to(self, name):
        # An inline on a new link's page refers to that link before it has a primary key.
        field = self._meta.get_field(name)
        return bool(getattr(self, field.attname)) or (
            field.is_cached(self) and getattr(self, name) is not None
        )


@receiver(post_delete, sender=Event, dispatch_uid="event_deleted_refresh_link")
def _event_deleted(sender, instance, **kwargs):
    # Also fires for bulk and cascading deletes; updating a link that is gone is a no-op.
    Link(pk=instance.link_id).refresh_derived()
