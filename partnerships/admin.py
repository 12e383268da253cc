"""Staff edit the whole record here, without a developer.

A link is edited on one page with its events and statements as inlines; its current status
and start date are shown read-only because they are derived from the published events.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Count
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from partnerships.models import AlternativeClaim, City, CityName, Event, Link, Person, Role, Source, Statement
from twinning.staff_admin import StaffRulesAdmin, StaffRulesInline


class PublishActionsMixin:
    """Publish and unpublish in bulk; public records are unpublished rather than deleted."""

    actions = ["publish", "unpublish"]

    def _set_published(self, request, queryset, value):
        changed = 0
        for obj in queryset.exclude(is_published=value):
            obj.is_published = value
            obj.save(update_fields=["is_published"])
            changed += 1
        verb = _("published") if value else _("unpublished")
        self.message_user(
            request,
            ngettext("%(count)d record %(verb)s.", "%(count)d records %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish the selected records"))
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected records"))
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)


@admin.register(Source)
class SourceAdmin(StaffRulesAdmin, admin.ModelAdmin):
    list_display = ["title", "publisher", "published_display", "accessed_on", "has_url"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url", "note"]
    fieldsets = [
        (None, {"fields": ["title", "publisher", "url"]}),
        (_("Dates"), {"fields": [("published_on", "published_precision"), "accessed_on"]}),
        (None, {"fields": ["note"]}),
    ]

    @admin.display(description=_("published"), ordering="published_on")
    def published_display(self, obj):
        return obj.published_display or "—"

    @admin.display(description=_("URL"), boolean=True)
    def has_url(self, obj):
        return bool(obj.url)


class CityNameInline(StaffRulesInline, admin.TabularInline):
    model = CityName
    extra = 0


@admin.register(City)
class CityAdmin(StaffRulesAdmin, admin.ModelAdmin):
    council_paths = ("pk",)
    scoped_staff_may_add = False
    list_display = ["name", "native_name", "country_name", "population", "population_year", "wikidata_id"]
    list_filter = ["country"]
    search_fields = ["name", "native_name", "other_names__name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["population_source", "sources"]
    inlines = [CityNameInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "native_name", "country", "description"]}),
        (_("Where it is"), {"fields": [("latitude", "longitude")]}),
        (
            _("Population"),
            {"fields": [("population", "population_year"), "population_note", "population_source"]},
        ),
        (_("Image"), {"fields": ["image", "image_alt", "image_credit"], "classes": ["collapse"]}),
        (_("Identifiers and sources"), {"fields": ["wikidata_id", "sources"]}),
    ]

    # The country's name straight from its code: the admin's own display of a field with choices
    # went through all 250 countries for every row, which was most of the list's 170 ms.
    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj):
        return obj.country.name


class EventInline(StaffRulesInline, admin.StackedInline):
    model = Event
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [
        ("date", "date_precision"),
        "title",
        "status",
        "decided_by",
        "description",
        "sources",
        ("sort_order", "is_published"),
    ]
    show_change_link = True


class StatementInline(StaffRulesInline, admin.StackedInline):
    model = Statement
    fk_name = "link"
    extra = 0
    autocomplete_fields = ["speaker", "role", "city", "sources"]
    fields = [
        "quote",
        ("speaker", "role"),
        ("date", "date_precision"),
        ("language", "context"),
        "translation",
        "sources",
        "is_published",
    ]
    show_change_link = True


class LinkAdminForm(forms.ModelForm):
    class Meta:
        model = Link
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Leave empty to make one from the two city names.")

    def clean(self):
        cleaned = super().clean()
        city_a, city_b = cleaned.get("city_a"), cleaned.get("city_b")
        if not cleaned.get("slug") and city_a and city_b:
            first, second = sorted([city_a, city_b], key=lambda c: c.pk)
            cleaned["slug"] = slugify(f"{first.name}-{second.name}")[:210]
        return cleaned

    def _post_clean(self):
        # A pair that is already linked is said once, with the link to edit (Link.clean): the
        # pair's unique constraint says it again (the same code), and the address made from the
        # same names would clash too, against a Slug field the editor left empty.
        super()._post_clean()
        said = self._errors.get(NON_FIELD_ERRORS)
        if not said or not self.has_error(NON_FIELD_ERRORS, code="already_linked"):
            return
        first = next(e for e in said.as_data() if e.code == "already_linked")
        self._errors[NON_FIELD_ERRORS] = self.error_class(
            [e for e in said.as_data() if e.code != "already_linked" or e is first], error_class="nonfield"
        )
        if not self.data.get(self.add_prefix("slug")):
            self._errors.pop("slug", None)


@admin.register(Link)
class LinkAdmin(StaffRulesAdmin, PublishActionsMixin, admin.ModelAdmin):
    council_paths = ("city_a", "city_b")
    form = LinkAdminForm
    list_display = [
        "__str__",
        "kind",
        "status",
        "status_since_display",
        "started_display",
        "is_published",
        "is_featured",
    ]
    list_filter = ["status", "kind", "is_published", "is_featured"]
    list_select_related = ["city_a", "city_b"]
    name_select_related = ["city_a", "city_b"]
    # The model's order with the key last: without it the admin adds "-pk", which no index has,
    # and each page sorted every link joined to its cities (80 ms on 50,000).
    ordering = ["city_a_name", "city_b_name", "pk"]
    search_fields = [
        "city_a__name",
        "city_b__name",
        "city_a__native_name",
        "city_b__native_name",
        "slug",
        "run_by",
    ]
    autocomplete_fields = ["city_a", "city_b", "sources"]
    readonly_fields = ["status", "status_since_display", "started_display", "distance"]
    inlines = [EventInline, StatementInline]
    fieldsets = [
        (None, {"fields": [("city_a", "city_b"), "slug", "kind", "run_by", "summary", "sources"]}),
        (_("Publication"), {"fields": [("is_published", "is_featured")]}),
        (
            _("Derived from the published events"),
            {
                "fields": [("status", "status_since_display", "started_display"), "distance"],
                "description": _(
                    "The current status is the one set by the latest published event that sets a "
                    "status; the start is the first published event that made the link active. "
                    "To change them, add or edit an event below."
                ),
            },
        ),
    ]

    @admin.display(description=_("status since"), ordering="status_since")
    def status_since_display(self, obj):
        return obj.status_since_display or "—"

    @admin.display(description=_("started"), ordering="started_on")
    def started_display(self, obj):
        return obj.started_display or "—"

    @admin.display(description=_("distance (computed)"))
    def distance(self, obj):
        if not (obj.pk and obj.city_a_id and obj.city_b_id):
            return "—"
        return _("%(km)s km (%(mi)s miles)") % {
            "km": f"{obj.distance_km:,.0f}",
            "mi": f"{obj.distance_miles:,.0f}",
        }


class AlternativeClaimInline(StaffRulesInline, admin.StackedInline):
    model = AlternativeClaim
    extra = 0
    autocomplete_fields = ["sources"]
    fields = ["claim", ("date", "date_precision"), "sources"]


@admin.register(Event)
class EventAdmin(StaffRulesAdmin, PublishActionsMixin, admin.ModelAdmin):
    council_paths = ("link__city_a", "link__city_b")
    public_when = ("is_published", "link__is_published")  # a draft link's events are not shown
    list_display = ["title", "link", "date_display", "status", "is_published"]
    list_filter = ["status", "is_published", "date_precision"]
    list_select_related = ["link__city_a", "link__city_b"]
    search_fields = ["title", "description", "decided_by", "link__city_a__name", "link__city_b__name"]
    autocomplete_fields = ["link", "sources"]
    date_hierarchy = "date"
    inlines = [AlternativeClaimInline]
    fields = [
        "link",
        ("date", "date_precision"),
        "title",
        "status",
        "decided_by",
        "description",
        "sources",
        ("sort_order", "is_published"),
    ]

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, obj):
        return obj.date_display


class RoleInline(StaffRulesInline, admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["city"]
    fields = ["title", "city", "start", "start_precision", "end", "end_precision"]
    show_change_link = True  # an Editor changes a role of a published person on its own page


@admin.register(Person)
class PersonAdmin(StaffRulesAdmin, admin.ModelAdmin):
    list_display = ["name", "native_name", "born_year", "died_year", "statement_count"]
    search_fields = ["name", "native_name", "slug", "roles__title"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    inlines = [RoleInline]
    # Explicit: the Count annotation drops Meta.ordering, and the speaker autocomplete paginates.
    ordering = ["name", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(statement_total=Count("statements", distinct=True))

    @admin.display(description=_("statements"), ordering="statement_total")
    def statement_count(self, obj):
        return obj.statement_total


@admin.register(Role)
class RoleAdmin(StaffRulesAdmin, admin.ModelAdmin):
    # The role first (the link to its page), so a person's several roles read apart.
    list_display = ["title", "person", "city", "span_display"]
    list_select_related = ["person", "city"]
    search_fields = ["title", "person__name"]
    autocomplete_fields = ["person", "city"]

    @admin.display(description=_("when"))
    def span_display(self, obj):
        return obj.span_display or "—"


@admin.register(Statement)
class StatementAdmin(StaffRulesAdmin, PublishActionsMixin, admin.ModelAdmin):
    council_paths = ("city", "link__city_a", "link__city_b", "appeal__cities")
    list_display = ["__str__", "speaker", "date_display", "about", "language", "is_published"]
    list_filter = ["is_published", "language", "date_precision"]
    list_select_related = ["speaker", "link__city_a", "link__city_b", "city"]
    name_select_related = ["speaker"]
    search_fields = ["quote", "translation", "speaker__name", "context"]
    autocomplete_fields = ["speaker", "role", "link", "city", "sources"]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["quote", ("speaker", "role"), ("date", "date_precision"), "context"]}),
        (_("Language"), {"fields": ["language", "translation"]}),
        (_("What it is about"), {"fields": ["link", "city"]}),
        (_("Source and publication"), {"fields": ["sources", "is_published"]}),
    ]

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description=pgettext_lazy("what a statement is about", "about"))
    def about(self, obj):
        return obj.link or obj.city or "—"
