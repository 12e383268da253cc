"""Public appeal pages and the counting Donate redirect.

Every page asks ``clock.today()`` once per request and derives each appeal's status from it.
"""

from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from appeals import clock
from appeals.models import Appeal, DonationRoute
from appeals.services import record_click
from partnerships.forms import LargeSelect, filter_form_helper, listed_or_typed
from partnerships.models import City, Statement
from partnerships.queries import attach_sources, sources_of
from twinning.pagination import KeysFirstPaginator

APPEALS_PER_PAGE = 20
ROBOTS = "noindex, nofollow"


class CityFilterForm(forms.Form):
    """One of the cities that have appeals; anything else (NUL bytes, 100 KB, unknown slugs) is an
    invalid choice, reported in the error summary without echoing the value. Past
    MAX_LISTED_CHOICES cities it is a text box for the city's name, as on the statement list."""

    city = forms.ChoiceField(
        label=_("City"),
        required=False,
        widget=LargeSelect,
        error_messages={"invalid_choice": _("Choose a city from the list.")},
    )
    error_summary_intro = _("That is not a city with appeals. Showing all appeals.")

    def __init__(self, data, *, cities):
        super().__init__(data)
        self.fields["city"] = listed_or_typed(
            self.fields["city"],
            [(c.slug, c.name) for c in cities],
            _("All cities"),
            _("Type the city's name."),
        )
        self.helper = filter_form_helper()


class AppealListView(TemplateView):
    template_name = "appeals/appeal_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = clock.today()
        cities = list(
            City.objects.filter(appeals__in=Appeal.objects.published())
            .only("slug", "name")
            .distinct()
            .order_by("name", "pk")
        )
        appeals = Appeal.objects.published()
        form = CityFilterForm(self.request.GET, cities=cities)
        city = None
        if form.is_valid() and form.cleaned_data["city"]:
            city = next(c for c in cities if c.slug == form.cleaned_data["city"])
        if city is not None:
            appeals = appeals.for_city(city)
        page = KeysFirstPaginator(appeals.in_display_order(today).for_cards(), APPEALS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        for appeal in page.object_list:
            appeal.current_status = appeal.status_on(today)
        context.update(
            page=page,
            appeals=page.object_list,
            cities=cities,
            city=city,
            form=form,
            today=today,
            page_query=urlencode({"city": city.slug}) + "&" if city else "",
        )
        return context


class AppealDetailView(TemplateView):
    template_name = "appeals/appeal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = clock.today()
        appeals = Appeal.objects.for_detail()
        if not self.request.user.is_staff:
            appeals = appeals.published()
        appeal = get_object_or_404(appeals, slug=kwargs["slug"])
        appeal.current_status = appeal.status_on(today)
        figures = appeal.figure_list
        updates = appeal.update_list
        statements = list(Statement.objects.published().filter(appeal=appeal).with_people())
        attach_sources([appeal, *updates, *statements])
        latest_total = appeal.latest_total()
        give_instead = (
            appeal.give_instead if appeal.give_instead and appeal.give_instead.is_published else None
        )
        context.update(
            appeal=appeal,
            routes=appeal.route_list,
            figures=figures,
            latest_total=latest_total,
            latest_by_part=[f for f in appeal.latest_by_part() if f is not latest_total],
            progress=appeal.progress(latest_total),
            updates=updates,
            statements=statements,
            sources=_cited_sources(appeal, figures, updates, statements),
            give_instead=give_instead,
            today=today,
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not response.context_data["appeal"].is_published:
            # Staff previewing a draft: never let a cache keep it.
            response["Cache-Control"] = "private, no-store"
        return response


def _cited_sources(appeal, figures, updates, statements):
    """Every source the page cites, once each, in the order they first appear."""
    seen = {}
    for source in sources_of(appeal):
        seen.setdefault(source.pk, source)
    for figure in figures:
        seen.setdefault(figure.source_id, figure.source)
    for item in (*updates, *statements):
        for source in sources_of(item):
            seen.setdefault(source.pk, source)
    return list(seen.values())


def _is_prefetch(request):
    """Whether the browser fetches the address ahead of a click that may never come (a
    prefetch or prerender, as it says in Sec-Purpose, Purpose or X-Moz): not a click to count."""
    said = " ".join(request.headers.get(name, "") for name in ("Sec-Purpose", "Purpose", "X-Moz"))
    return "prefetch" in said.lower() or "prerender" in said.lower()


@never_cache
@require_safe
def donate(request, route_id):
    """Send the visitor to the route's stored address, counting the click.

    The target is only ever the address stored on the route: nothing in the request can change
    it. Only GET counts (HEAD from link checkers does not, nor a browser's prefetch). Nothing about the
    visitor is read or stored, and no cookie is set. A closed appeal answers 410 Gone with a page
    that says so and where to give instead; one not yet open answers 404.
    """
    route = get_object_or_404(
        DonationRoute.objects.select_related("appeal", "appeal__give_instead"),
        pk=route_id,
        appeal__is_published=True,
    )
    today = clock.today()
    appeal = route.appeal
    status = appeal.status_on(today)
    if status != Appeal.Status.OPEN:
        give_instead = appeal.give_instead
        if give_instead and not give_instead.is_published:
            give_instead = None
        response = render(
            request,
            "appeals/not_taking_donations.html",
            {"appeal": appeal, "status": status, "give_instead": give_instead, "today": today},
            status=410 if status == Appeal.Status.CLOSED else 404,
        )
        response["X-Robots-Tag"] = ROBOTS
        return response
    if not route.url.startswith("https://"):  # the database forbids it; never redirect anywhere else
        raise Http404
    if request.method == "GET" and not _is_prefetch(request):
        record_click(route_id=route.pk, day=today)
    response = HttpResponseRedirect(route.url)
    response["X-Robots-Tag"] = ROBOTS
    return response
