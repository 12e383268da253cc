"""One page per appeal: its routes, raised figures and updates as inlines.

Click counts and link-check results are shown read-only; nobody edits them by hand.
"""

import datetime

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from appeals import clock
from appeals.models import Appeal, AppealUpdate, DonationClick, DonationRoute, RaisedFigure
from twinning.staff_admin import StaffRulesAdmin, StaffRulesInline

RECENT_DAYS = 30


class DonationRouteInline(StaffRulesInline, admin.StackedInline):
    model = DonationRoute
    extra = 0
    fields = [
        ("label", "kind"),
        "url",
        ("currency", "gift_aid", "sort_order"),
        "details",
        ("clicks_total", "clicks_recent"),
        ("health", "checked_at"),
    ]
    readonly_fields = ["clicks_total", "clicks_recent", "health", "checked_at"]
    show_change_link = True  # an Editor changes a route of a published appeal on its own page

    def get_queryset(self, request):
        since = clock.today() - datetime.timedelta(days=RECENT_DAYS - 1)
        return (
            super()
            .get_queryset(request)
            .annotate(
                click_total=Coalesce(Sum("clicks__count"), 0),
                click_recent=Coalesce(Sum("clicks__count", filter=Q(clicks__day__gte=since)), 0),
            )
        )

    @admin.display(description=_("clicks, all time"))
    def clicks_total(self, obj):
        return getattr(obj, "click_total", 0)

    @admin.display(description=_("clicks, last 30 days"))
    def clicks_recent(self, obj):
        return getattr(obj, "click_recent", 0)

    @admin.display(description=_("link check"))
    def health(self, obj):
        if not obj.pk or not obj.checked_at:
            return _("not checked yet")
        verdict = _("BROKEN") if obj.is_broken else _("OK")
        return f"{verdict}: {obj.health_display}"


class RaisedFigureInline(StaffRulesInline, admin.StackedInline):
    model = RaisedFigure
    extra = 0
    # Stacked, a few fields to a line: as a table its nine columns made the appeal's page about
    # 2,200 px wide on a 1,280 px screen, with the source, the note and Delete out of sight.
    fields = [
        ("as_of", "as_of_precision"),
        ("part", "qualifier", "amount", "currency"),
        "in_words",
        "source",
        "note",
    ]
    # A search box, not a list of every source in each figure's row (2,000 sources and 30 figures
    # made the appeal's page 6 MB).
    autocomplete_fields = ["source"]


class AppealUpdateInline(StaffRulesInline, admin.StackedInline):
    model = AppealUpdate
    extra = 0
    fields = [("date", "date_precision"), "title", "body", "sources", "conflicts_with", "is_published"]
    autocomplete_fields = ["sources"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "conflicts_with":
            appeal_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = AppealUpdate.objects.filter(appeal_id=appeal_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StatusFilter(admin.SimpleListFilter):
    title = _("status today")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Appeal.Status.choices

    def queryset(self, request, queryset):
        if self.value() not in Appeal.Status.values:
            return queryset
        rank = {Appeal.Status.OPEN: 0, Appeal.Status.UPCOMING: 1, Appeal.Status.CLOSED: 2}[self.value()]
        return queryset.with_status_rank(clock.today()).filter(status_rank=rank)


class BrokenRoutesFilter(admin.SimpleListFilter):
    title = _("donation links")
    parameter_name = "routes"

    def lookups(self, request, model_admin):
        return [("broken", _("has a broken link")), ("none", _("has no donation route"))]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.filter(routes__is_broken=True).distinct()
        if self.value() == "none":
            return queryset.filter(routes__isnull=True)
        return queryset


@admin.register(Appeal)
class AppealAdmin(StaffRulesAdmin, admin.ModelAdmin):
    council_paths = ("cities", "links__city_a", "links__city_b")
    list_display = [
        "title",
        "status_today",
        "kind",
        "is_published",
        "latest_figure",
        "clicks_total",
        "clicks_recent",
        "broken_routes",
    ]
    list_filter = [StatusFilter, "kind", "is_published", BrokenRoutesFilter]
    search_fields = ["title", "slug", "organiser", "administering_charity", "sponsor"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cities", "links", "sources", "give_instead"]
    inlines = [DonationRouteInline, RaisedFigureInline, AppealUpdateInline]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "kind", "is_published"]}),
        (
            _("Who runs it and who holds the money"),
            {
                "fields": [
                    "organiser",
                    "administering_charity",
                    ("charity_number", "charity_register_url"),
                    "sponsor",
                    "beneficiaries",
                    "use_of_funds",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    ("launched_on", "launched_on_precision"),
                    "closes_on",
                    "closed_early",
                    "closing_note",
                    "give_instead",
                ]
            },
        ),
        (_("Target"), {"fields": [("target_amount", "target_currency")]}),
        (_("Related"), {"fields": ["cities", "links", "sources", "updated_at"]}),
    ]

    def get_queryset(self, request):
        since = clock.today() - datetime.timedelta(days=RECENT_DAYS - 1)
        latest = RaisedFigure.objects.filter(appeal=OuterRef("pk"), part=RaisedFigure.Part.TOTAL).order_by(
            "-as_of", "-pk"
        )
        clicks = DonationClick.objects.filter(route__appeal=OuterRef("pk")).values("route__appeal")
        recent = clicks.filter(day__gte=since)
        broken = DonationRoute.objects.filter(appeal=OuterRef("pk"), is_broken=True).values("appeal")
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_figure_id=Subquery(latest.values("pk")[:1]),
                click_total=Coalesce(
                    Subquery(clicks.annotate(n=Sum("count")).values("n")[:1]), 0, output_field=IntegerField()
                ),
                click_recent=Coalesce(
                    Subquery(recent.annotate(n=Sum("count")).values("n")[:1]), 0, output_field=IntegerField()
                ),
                broken_count=Coalesce(
                    Subquery(broken.annotate(n=Count("pk")).values("n")[:1]), 0, output_field=IntegerField()
                ),
            )
        )

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The latest figures of the page's appeals, in one query, for latest_figure().
        ids = [a.latest_figure_id for a in changelist.result_list if a.latest_figure_id]
        figures = RaisedFigure.objects.in_bulk(ids)
        for appeal in changelist.result_list:
            appeal.latest_figure_obj = figures.get(appeal.latest_figure_id)
        return changelist

    @admin.display(description=_("status today"))
    def status_today(self, obj):
        return obj.status_on(clock.today()).label

    @admin.display(description=_("latest total"))
    def latest_figure(self, obj):
        figure = getattr(obj, "latest_figure_obj", None)
        if figure is None:
            return "—"
        return f"{figure.display} ({figure.as_of_display})"

    @admin.display(description=_("clicks, all time"), ordering="click_total")
    def clicks_total(self, obj):
        return obj.click_total

    @admin.display(description=_("clicks, last 30 days"), ordering="click_recent")
    def clicks_recent(self, obj):
        return obj.click_recent

    @admin.display(description=_("broken links"), ordering="broken_count")
    def broken_routes(self, obj):
        return obj.broken_count


@admin.register(DonationRoute)
class DonationRouteAdmin(StaffRulesAdmin, admin.ModelAdmin):
    """Every donation link with its last check, for finding broken ones; edited on the appeal."""

    list_display = ["label", "appeal", "url", "is_broken", "check_status", "check_error", "checked_at"]
    list_filter = ["is_broken", "kind", "appeal__is_published"]
    list_select_related = ["appeal"]
    search_fields = ["label", "url", "appeal__title"]
    readonly_fields = ["appeal", "is_broken", "check_status", "check_error", "checked_at"]
    fields = ["appeal", "label", "kind", "url", "currency", "gift_aid", "details", *readonly_fields[1:]]
    council_paths = ("appeal__cities", "appeal__links__city_a", "appeal__links__city_b")
    public_when = ("appeal__is_published",)

    def has_add_permission(self, request):
        return False
