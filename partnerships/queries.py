"""What each reader may see, as querysets with their related rows already joined or prefetched.

The public sees published links, published events of published links, and published statements
(of a published link, when they are about one). Staff previewing the site see drafts as well.
Cities and people are always public.

Every function returns a queryset whose related objects are loaded by a fixed number of
queries, so a page costs the same number of queries with ten links as with a thousand.
"""

from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from partnerships.models import AlternativeClaim, City, Event, Link, Role, Source, Statement
from twinning.expressions import AmongIds

# Into a plain list (to_attr): a related manager per row, as Django builds for a prefetch into
# the manager's cache, costs more than the query itself on a page citing dozens of sources.
SOURCES = Prefetch(
    "sources", queryset=Source.objects.order_by("publisher", "title", "pk"), to_attr="source_list"
)


def sources_of(record):
    """A record's sources: the list SOURCES prefetched, or else read now."""
    prefetched = getattr(record, "source_list", None)
    return prefetched if prefetched is not None else list(record.sources.all())


def attach_sources(records):
    """Set ``source_list`` on each of ``records`` (of any models with ``sources``), as SOURCES
    would, in one query for them all.

    A page's records (a link, its events and their alternative claims, the statements about it)
    each had their sources prefetched by a query of their own; each query cost more in building,
    sending and waiting than in PostgreSQL's work. Here each model's part of the query selects
    its sources with the record they belong to, and the parts are joined by ``UNION ALL``.
    """
    by_model = {}
    for record in records:
        if record is not None:
            record.source_list = []
            by_model.setdefault(type(record), {}).setdefault(record.pk, []).append(record)
    parts = []
    for index, (model, found) in enumerate(by_model.items()):
        owner = model._meta.get_field("sources").related_query_name()
        parts.append(
            Source.objects.filter(**{f"{owner}__in": list(found)})
            .annotate(owner_model=Value(index), owner_pk=F(owner))
            .order_by()
        )
    if not parts:
        return
    owners = list(by_model.values())
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for source in query.order_by("publisher", "title", "id"):
        for record in owners[source.owner_model][source.owner_pk]:
            record.source_list.append(source)


def about_city(city_ids):
    """Q for statements about a city or about one of its links; ``city_ids`` is a queryset of the
    city's pk (``City.objects.filter(slug=...).values("pk")``). The city's id and its links' ids
    are each read once and looked up in the statements' indexes, rather than every statement
    joined with its link and three cities to compare them (130 ms on 20,000 statements; 2 ms)."""
    links = Link.objects.filter(AmongIds("city_a_id", city_ids) | AmongIds("city_b_id", city_ids))
    return AmongIds("city_id", city_ids) | AmongIds("link_id", links.values("pk"))


def involving(city_ref):
    """Q for links with ``city_ref`` (a city, a pk or an OuterRef) on either side."""
    return Q(city_a=city_ref) | Q(city_b=city_ref)


class Visibility:
    """The rows one reader may see: ``preview`` is true for staff, who also see drafts."""

    def __init__(self, *, preview=False):
        self.preview = preview

    def links(self):
        qs = Link.objects.all()
        return qs if self.preview else qs.filter(is_published=True)

    def events(self):
        qs = Event.objects.all()
        return qs if self.preview else qs.filter(is_published=True, link__is_published=True)

    def statements(self):
        qs = Statement.objects.all()
        if self.preview:
            return qs
        # "No link, or a published one" as "no unpublished link": the few unpublished links are
        # looked up by their index, where a join with the link (for its flag) read all 50,000
        # links to count the statements (19 ms against 11 ms).
        return qs.filter(
            ~Exists(Link.objects.filter(pk=OuterRef("link_id"), is_published=False)), is_published=True
        )

    # Pages' querysets

    def timeline(self, link):
        """The link's events in order, each with its ``alternative_list``; their sources are for
        the page to attach (``attach_sources``), with its other records'."""
        return (
            self.events()
            .filter(link=link)
            .order_by("date", "sort_order", "pk")
            .prefetch_related(
                Prefetch(
                    "alternatives",
                    queryset=AlternativeClaim.objects.order_by("pk"),
                    to_attr="alternative_list",
                ),
            )
        )

    def statements_with_sources(self):
        return self.statements().with_people().prefetch_related(SOURCES).order_by("-date", "-pk")

    def link_statements(self, link):
        """The statements about ``link``, for its page, as a list. Each one's ``link`` is set to
        ``link`` itself rather than joined again with both its cities."""
        return self._statements_of("link", link, "city")

    def city_statements(self, city):
        """The statements about ``city`` itself, for its page, as a list: as ``link_statements()``,
        each one's ``city`` is set to ``city`` rather than joined."""
        return self._statements_of("city", city, "link")

    def _statements_of(self, field, record, *related):
        """The statements whose ``field`` is ``record``, newest first, with their speakers, roles
        and ``related``; ``field`` is set to ``record`` on each instead of being joined. Each join
        costs PostgreSQL planning time, and on these pages the planning was most of it. Their
        sources are for the page to attach (``attach_sources``), with its other records'."""
        statements = list(
            self.statements()
            .filter(**{field: record})
            .select_related("speaker", "role", *related)
            .order_by("-date", "-pk")
        )
        for statement in statements:
            setattr(statement, field, record)
        return statements

    def statements_about_city(self, city):
        """Statements about the city itself or about one of its links."""
        return self.statements().filter(about_city(City.objects.filter(pk=city.pk).values("pk")))

    def city_links(self, city):
        """The links of ``city`` in the order of its page: grouped by status in the order of
        ``Link.Status`` (links with no status yet last), the latest start first."""
        order = Case(
            *(When(status=status, then=Value(rank)) for rank, status in enumerate(Link.Status.values)),
            default=Value(len(Link.Status.values)),
            output_field=IntegerField(),
        )
        return (
            self.links()
            .filter(involving(city))
            .with_cities()
            .order_by(order, F("started_on").desc(nulls_last=True), "pk")
        )

    def cities_with_link_counts(self):
        counts = (
            self.links()
            .filter(involving(OuterRef("pk")))
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        return City.objects.annotate(
            link_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        ).order_by("name", "pk")

    def has_link_with_status(self, status):
        return Exists(self.links().filter(involving(OuterRef("pk")), status=status))

    def person_roles(self, person):
        return (
            Role.objects.filter(person=person)
            .select_related("city")
            .order_by(F("start").asc(nulls_last=True), "pk")
        )


def partners_of(city_id):
    """The ids of the cities linked to ``city_id`` by published links, as a subquery.

    One indexed lookup per side (city_a, city_b) joined by UNION, so the database starts from
    the city's few partners instead of testing every city (see docs/adr/0062-indexes.md).
    """
    published = Link.objects.filter(is_published=True).order_by()
    return (
        published.filter(city_a_id=city_id)
        .values("city_b_id")
        .union(published.filter(city_b_id=city_id).values("city_a_id"))
    )


def shared_partners(link):
    """Cities linked by published links to both cities of ``link``, in one query.

    Leeds and Kharkiv share Lille and Brno: each is published-linked to both.
    """
    return (
        City.objects.filter(pk__in=partners_of(link.city_a_id))
        .filter(pk__in=partners_of(link.city_b_id))
        .exclude(pk__in=[link.city_a_id, link.city_b_id])
        .order_by("name", "pk")
    )
