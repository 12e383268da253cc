"""The public pages: thin list and detail views over the querysets in ``queries``.

Each view asks ``self.visible`` (a ``Visibility``) for what the reader may see; staff see
drafts too, with a notice, and their responses are never cached.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q, Window
from django.utils.cache import add_never_cache_headers
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from appeals.models import Appeal
from partnerships import maps
from partnerships.citations import Footnotes
from partnerships.forms import CityFilterForm, LinkFilterForm, StatementFilterForm
from partnerships.models import City, Link, Person, map_rank
from partnerships.queries import Visibility, about_city, attach_sources, shared_partners, sources_of
from partnerships.templatetags.partnership_tags import partial_date
from twinning import page_cache
from twinning.expressions import InList
from twinning.pagination import KeysFirstPaginator, page_or_404

PAGE_SIZE = 25
# A city page lists this many of its links at a time (a hub has hundreds).
CITY_LINKS_PER_PAGE = 50


class PartnershipsMixin:
    """What every page shares: who may see drafts, the nav section, and no caching for staff."""

    section = ""
    paginator_class = KeysFirstPaginator

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.visible = Visibility(preview=request.user.is_staff)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if self.visible.preview:
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", self.section)
        kwargs.setdefault("preview", self.visible.preview)
        return super().get_context_data(**kwargs)


class FilteredListView(PartnershipsMixin, ListView):
    """A paginated list narrowed by a GET form. Filters that do not validate are ignored and
    the page says so; a page number that is not a page is a 404."""

    paginate_by = PAGE_SIZE
    form_class = None

    def get_form_kwargs(self):
        return {}

    def get_base_queryset(self):
        raise NotImplementedError

    def filter_queryset(self, queryset, filters):
        return queryset

    def get_queryset(self):
        self.form = self.form_class(self.request.GET, **self.get_form_kwargs())
        self.filters = self.form.usable()
        return self.filter_queryset(self.get_base_queryset(), self.filters)

    def get_context_data(self, **kwargs):
        query = urlencode(self.filters)
        return super().get_context_data(
            form=self.form,
            filters=self.filters,
            filters_invalid=bool(self.form.errors),
            page_query=f"{query}&" if query else "",
            **kwargs,
        )


class CityListView(FilteredListView):
    section = "cities"
    template_name = "partnerships/city_list.html"
    context_object_name = "cities"
    form_class = CityFilterForm

    def get_form_kwargs(self):
        # Every country with a city: a read of all cities, so worked out once per change of
        # content, as the statement list's choices are.
        return {"country_codes": page_cache.cached_for_content("city-filter-countries", self._country_codes)}

    @staticmethod
    def _country_codes():
        return list(City.objects.order_by().values_list("country", flat=True).distinct())

    def get_base_queryset(self):
        return self.visible.cities_with_link_counts()

    def filter_queryset(self, queryset, filters):
        if "country" in filters:
            queryset = queryset.filter(country=filters["country"])
        if "status" in filters:
            queryset = queryset.filter(self.visible.has_link_with_status(filters["status"]))
        return queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        # "Has a link that is ...": no index of the cities answers it, so a deep page would test
        # the links of every city it skips. The filtered list's keys are read once per change.
        return super().get_paginator(queryset, per_page, keep_keys="status" in self.filters, **kwargs)


class CityDetailView(PartnershipsMixin, DetailView):
    section = "cities"
    template_name = "partnerships/city_detail.html"
    context_object_name = "city"

    def get_queryset(self):
        return City.objects.select_related("population_source").prefetch_related("other_names")

    def map_and_page(self, city):
        """The map's links, as (status, partner) pairs, the number of links, and the page of
        the list asked for with its links.

        The map draws every link (up to MAP_MAX_LINKS) and the list shows a page of them, in the
        same order. One read of the links' own columns gives the map's links, their total and the
        page's ids; then the partners are read by id, and so are the page's links. Joining a
        hub's hundreds of links to their cities made PostgreSQL hash the whole city table.
        """
        visible_links = self.visible.city_links(city)
        rows = list(
            visible_links.annotate(total=Window(Count("pk"))).values_list(
                "total", "pk", "status", "city_a_id", "city_b_id"
            )[: maps.MAP_MAX_LINKS]
        )
        partner_ids = [b if a == city.pk else a for _total, _pk, _status, a, b in rows]
        partners = {}
        if partner_ids:
            partners = {
                row[0]: row
                for row in City.objects.filter(InList("pk", partner_ids)).values_list(*maps.CITY_COLUMNS)
            }
        drawn = [(row[2], partners[partner]) for row, partner in zip(rows, partner_ids, strict=True)]

        # Paginated by position: a page within the links read above is loaded by id, and put in
        # their order here (sorting by status again would cost more to build than to run).
        total = rows[0][0] if rows else 0
        page = page_or_404(Paginator(range(total), CITY_LINKS_PER_PAGE), self.request.GET.get("page"))
        positions = page.object_list
        if positions.stop <= len(rows):
            position = {rows[i][1]: i for i in positions}
            links = sorted(
                self.visible.links().filter(InList("pk", position)).with_cities(),
                key=lambda link: position[link.pk],
            )
        else:  # beyond the first MAP_MAX_LINKS links of a bigger hub
            links = list(visible_links[positions.start : positions.stop])
        return drawn, total, page, links

    def get_context_data(self, **kwargs):
        city = self.object
        statements = self.visible.city_statements(city)
        attach_sources([city, *statements])
        notes = Footnotes()
        city.population_refs = notes.cite([city.population_source] if city.population_source else [])
        city.refs = notes.cite(sources_of(city))

        drawn, total, page, links = self.map_and_page(city)
        groups = []
        countries = {}
        for link in links:
            link.partner = link.other(city)
            code = link.partner.country.code
            if code not in countries:
                countries[code] = link.partner.country.name
            link.partner_country = countries[code]
            link.when = _when(link)
            if not groups or groups[-1]["status"] != link.status:
                groups.append({"status": link.status, "label": link.get_status_display(), "links": []})
            groups[-1]["links"].append(link)
        if groups and not groups[-1]["status"]:
            groups[-1]["label"] = _("status not yet recorded")

        for statement in statements:
            statement.refs = notes.cite(sources_of(statement))
        return super().get_context_data(
            link_groups=groups,
            link_count=total,
            page_obj=page,
            map=maps.city_map(city, drawn),
            statements=statements,
            any_statements=bool(statements) or self.visible.statements_about_city(city).exists(),
            image=_image_or_none(city),
            open_appeals=Appeal.objects.open_for_city(city),
            footnotes=notes,
            **kwargs,
        )


def _when(link):
    """When a link on a city's list started, ended or came to its status, in a sentence, or "".

    Worked out here rather than by template tags for each of the list's 50 links, which were
    most of the page's render; the messages are the same.
    """
    if link.status == Link.Status.ENDED and link.status_since:
        text = gettext("Ended %(ended)s.") % {
            "ended": partial_date(link.status_since, link.status_since_precision)
        }
    elif link.started_on:
        text = gettext("Started %(started)s.") % {
            "started": partial_date(link.started_on, link.started_precision)
        }
    elif link.status_since:
        text = gettext("%(status)s since %(since)s.") % {
            "status": conditional_escape(capfirst(link.get_status_display())),
            "since": partial_date(link.status_since, link.status_since_precision),
        }
    else:
        return ""
    return mark_safe(text)  # noqa: S308 - the status is escaped, the dates are safe HTML


def _image_or_none(city):
    """The city's image with its size, or None when there is none or its file cannot be read.

    The model stores no width and height, so they are read from the file; a missing file
    must not take the page down.
    """
    if not city.image:
        return None
    try:
        return {"url": city.image.url, "width": city.image.width, "height": city.image.height}
    except (OSError, ValueError):
        return None


class LinkListView(FilteredListView):
    section = "links"
    template_name = "partnerships/link_list.html"
    context_object_name = "links"
    form_class = LinkFilterForm

    def get_base_queryset(self):
        return self.visible.links().with_cities().order_by("city_a_name", "city_b_name", "pk")

    def filter_queryset(self, queryset, filters):
        return queryset.filter(**{k: v for k, v in filters.items() if k in {"status", "kind"}})


class NetworkMapView(PartnershipsMixin, ListView):
    """Every visible link on one world map, and the paginated table of them all, which is the
    map's text alternative. The map draws at most ``MAP_MAX_LINKS`` links in one query: current
    links first, ended ones last (docs/adr/0030-server-drawn-svg-maps.md)."""

    section = "map"
    template_name = "partnerships/network_map.html"
    context_object_name = "links"
    paginate_by = 50

    def get_queryset(self):
        return self.visible.links().with_cities().order_by("city_a_name", "city_b_name", "pk")

    def map_links(self):
        return (
            self.visible.links()
            .values_list(*maps.LINK_COLUMNS)
            .order_by(map_rank(), "pk")[: maps.MAP_MAX_LINKS]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        drawn = list(self.map_links())
        context.update(map=maps.network_map(drawn), drawn_count=len(drawn))
        return context


class LinkDetailView(PartnershipsMixin, DetailView):
    section = "links"
    template_name = "partnerships/link_detail.html"
    context_object_name = "link"

    def get_queryset(self):
        return self.visible.links().with_cities()

    def get_context_data(self, **kwargs):
        link = self.object
        events = list(self.visible.timeline(link))
        statements = self.visible.link_statements(link)
        attach_sources(
            [link, *events, *(claim for event in events for claim in event.alternative_list), *statements]
        )
        notes = Footnotes()
        link.refs = notes.cite(sources_of(link))
        for event in events:
            event.refs = notes.cite(sources_of(event))
            for claim in event.alternative_list:
                claim.refs = notes.cite(sources_of(claim))
        for statement in statements:
            statement.refs = notes.cite(sources_of(statement))
        return super().get_context_data(
            events=events,
            statements=statements,
            distance_km=round(link.distance_km),
            distance_miles=round(link.distance_miles),
            shared_partners=list(shared_partners(link)),
            open_appeals=Appeal.objects.open_for_link(link),
            footnotes=notes,
            **kwargs,
        )


class StatementListView(FilteredListView):
    section = "statements"
    template_name = "partnerships/statement_list.html"
    context_object_name = "statements"
    form_class = StatementFilterForm

    def get_form_kwargs(self):
        # Every speaker, city and year with a statement: a scan of all statements, so worked
        # out once per change of content rather than on every request.
        return page_cache.cached_for_content(
            f"statement-filter-choices:{'preview' if self.visible.preview else 'public'}",
            self._filter_choices,
        )

    def _filter_choices(self):
        visible = self.visible.statements()
        speakers = Person.objects.filter(pk__in=visible.values("speaker")).order_by("name", "pk")
        cities = City.objects.filter(
            Q(pk__in=visible.values("city"))
            | Q(pk__in=visible.values("link__city_a"))
            | Q(pk__in=visible.values("link__city_b"))
        ).order_by("name", "pk")
        return {
            "speakers": list(speakers.values_list("slug", "name")),
            "cities": list(cities.values_list("slug", "name")),
            "years": [d.year for d in visible.order_by().dates("date", "year", order="DESC")],
        }

    def get_base_queryset(self):
        return self.visible.statements().with_people().order_by("-date", "-pk")

    def filter_queryset(self, queryset, filters):
        if "speaker" in filters:
            queryset = queryset.filter(speaker__slug=filters["speaker"])
        if "city" in filters:
            queryset = queryset.filter(about_city(City.objects.filter(slug=filters["city"]).values("pk")))
        if "year" in filters:
            queryset = queryset.filter(date__year=int(filters["year"]))
        return queryset


class StatementDetailView(PartnershipsMixin, DetailView):
    section = "statements"
    template_name = "partnerships/statement_detail.html"
    context_object_name = "statement"

    def get_queryset(self):
        return self.visible.statements_with_sources()

    def get_context_data(self, **kwargs):
        notes = Footnotes()
        self.object.refs = notes.cite(sources_of(self.object))
        return super().get_context_data(footnotes=notes, **kwargs)


class PersonListView(PartnershipsMixin, ListView):
    section = "people"
    template_name = "partnerships/person_list.html"
    context_object_name = "people"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Person.objects.order_by("name", "pk").prefetch_related("roles")


class PersonDetailView(PartnershipsMixin, DetailView):
    section = "people"
    template_name = "partnerships/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.all()

    def get_context_data(self, **kwargs):
        person = self.object
        statements = list(
            self.visible.statements().with_people().filter(speaker=person).order_by("-date", "-pk")
        )
        attach_sources([person, *statements])
        notes = Footnotes()
        person.refs = notes.cite(sources_of(person))
        for statement in statements:
            statement.refs = notes.cite(sources_of(statement))
        return super().get_context_data(
            roles=list(self.visible.person_roles(person)),
            statements=statements,
            footnotes=notes,
            **kwargs,
        )
