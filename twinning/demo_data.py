"""Realistic volumes of made-up content, for measuring the site at the size of the real world.

``generate(sizes, seed=...)`` fills the database with cities, links, their dated events,
people, statements and appeals, in bulk. Everything it creates is marked as demo content
(slugs starting ``demo-``; sources carrying ``DEMO_NOTE``), so ``non_demo_counts()`` can tell
real content apart and ``delete_demo_data()`` can remove exactly what was generated.

Every database rule is kept: pairs are stored with the lower city id first, partial dates are
normalised to their precision, nothing is dated before 1900 or after today, statements are
about something and spoken in their speaker's own role, donation routes are https only. A
link's derived status and start date are computed here with the same rule as
``Link.refresh_derived()`` (bulk inserts send no signals), and a test checks they agree.
"""

import dataclasses
import datetime
import json
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from appeals.models import Appeal, AppealUpdate, Currency, DonationClick, DonationRoute, RaisedFigure
from partnerships import dates
from partnerships.dates import Precision
from partnerships.models import (
    AlternativeClaim,
    City,
    CityName,
    Event,
    Link,
    Person,
    Role,
    Source,
    Statement,
)
from twinning import page_cache

DEMO_PREFIX = "demo-"
DEMO_NOTE = "Generated demo data: not a real source."
MARKER_TITLE = "Demo data set"
BATCH = 2000

# The pages the benchmark and the query-budget tests visit, at fixed slugs.
HUB_CITY_SLUG = "demo-hub"
SHOWCASE_LINK_SLUG = "demo-showcase-link"
SHOWCASE_APPEAL_SLUG = "demo-showcase-appeal"
SHOWCASE_PERSON_SLUG = "demo-showcase-person"

# Dates end here (or today, if earlier), so a seed gives the same data whatever day it runs.
LATEST_DATE = datetime.date(2025, 6, 30)


@dataclasses.dataclass(frozen=True)
class Sizes:
    cities: int = 10_000
    links: int = 50_000
    events: int = 150_000
    statements: int = 20_000
    appeals: int = 500
    hub_links: int = 500  # one city, the "hub", has this many links

    @property
    def people(self):
        return max(5, self.statements // 10)

    @property
    def sources(self):
        return max(10, self.links // 25)

    def check(self):
        """Refuse sizes that cannot be generated, with a message that says why."""
        problems = []
        if self.cities < 3:
            problems.append("at least 3 cities are needed")
        if any(n < 0 for n in dataclasses.astuple(self)):
            problems.append("sizes cannot be negative")
        if self.hub_links > self.cities - 1:
            problems.append("the hub city cannot have more links than there are other cities")
        if self.links < self.hub_links:
            problems.append("there must be at least as many links as the hub has")
        others = self.cities - 1
        if self.links - self.hub_links > others * (others - 1) // 2:
            problems.append("more links than there are pairs of cities")
        if self.links and self.events < self.links:
            problems.append("at least one event per link is needed (events >= links)")
        if self.statements and not (self.links or self.cities):
            problems.append("statements need something to be about")
        return problems


FULL = Sizes()
SMALL = Sizes(cities=60, links=150, events=450, statements=100, appeals=10, hub_links=20)

# --- names ------------------------------------------------------------------------------------

_STARTS = [
    "Nor", "Bel", "Kras", "Vil", "Ost", "Mar", "San", "Lin", "Ber", "Dun", "Kal", "Pol", "Ros",
    "Tor", "Ven", "Zar", "Ash", "Brad", "Cam", "Hal", "Hud", "Kir", "Lud", "Mid", "New", "Ox",
    "Pres", "Sal", "Stan", "Wor", "Cher", "Dni", "Zhy", "Myko", "Pol", "Ter", "Uzh", "Luts",
]  # fmt: skip
_MIDS = ["", "", "a", "e", "o", "i", "en", "er", "an", "ov", "el"]
_ENDS = [
    "ton", "burg", "grad", "ville", "ov", "ice", "ham", "ford", "stad", "pil", "sk", "ino", "ia",
    "mouth", "by", "field", "iv", "ka", "hof", "heim", "dorf", "wick", "port", "bridge",
]  # fmt: skip
_COUNTRIES = ["GB", "UA", "FR", "DE", "PL", "CZ", "IT", "ES", "NL", "SE", "US", "JP", "CN", "LT", "GE"]
_FIRST = ["Olena", "Ihor", "James", "Mary", "Anna", "Petro", "Claire", "Jan", "Marta", "Tomas", "Sofia"]
_LAST = ["Kovalenko", "Smith", "Novak", "Dubois", "Schmidt", "Bondar", "Rossi", "Svoboda", "Evans"]
_PUBLISHERS = ["Demo Gazette", "Demo Evening Post", "Demo Council News", "Demo Broadcasting", "Demo Wire"]
_EVENT_TITLES = {
    Link.Status.PROPOSED: "Councillors propose a partnership",
    Link.Status.UNDER_NEGOTIATION: "Talks on a formal agreement begin",
    Link.Status.ACTIVE: "Partnership agreement signed",
    Link.Status.DORMANT: "Exchanges lapse",
    Link.Status.SUSPENDED: "Partnership suspended",
    Link.Status.ENDED: "Partnership ended",
    Link.Status.RENEWED: "Partnership renewed",
    "": "Delegation visits",
}
_NEXT_STATUS = {
    "": [Link.Status.PROPOSED, Link.Status.ACTIVE],  # the first event
    Link.Status.PROPOSED: [Link.Status.UNDER_NEGOTIATION, Link.Status.ACTIVE, ""],
    Link.Status.UNDER_NEGOTIATION: [Link.Status.ACTIVE, ""],
    Link.Status.ACTIVE: ["", "", Link.Status.DORMANT, Link.Status.RENEWED, Link.Status.SUSPENDED],
    Link.Status.DORMANT: [Link.Status.RENEWED, Link.Status.ENDED, ""],
    Link.Status.SUSPENDED: [Link.Status.ACTIVE, Link.Status.ENDED, ""],
    Link.Status.ENDED: [""],
    Link.Status.RENEWED: ["", Link.Status.DORMANT],
}


class Generator:
    def __init__(self, sizes: Sizes, seed: int, today: datetime.date):
        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible by design
        self.seed = seed
        self.end = min(LATEST_DATE, today)
        self.counts = {}

    # helpers

    def _date(self, start: datetime.date, end: datetime.date | None = None):
        end = end or self.end
        if start >= end:
            start = end
        day = start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))
        precision = self.rng.choices([Precision.YEAR, Precision.MONTH, Precision.DAY], [3, 3, 4])[0]
        return dates.normalise(day, precision), precision

    def _bulk(self, model, objs):
        created = model.objects.bulk_create(objs, batch_size=BATCH)
        self.counts[model._meta.verbose_name_plural] = self.counts.get(
            model._meta.verbose_name_plural, 0
        ) + len(created)
        return created

    def _through(self, field, rows):
        through = field.remote_field.through
        a_name, b_name = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        objs = [through(**{a_name: a, b_name: b}) for a, b in rows]
        through.objects.bulk_create(objs, batch_size=BATCH)

    def _city_name(self):
        rng = self.rng
        return rng.choice(_STARTS) + rng.choice(_MIDS) + rng.choice(_ENDS)

    # the record

    def run(self):
        s = self.sizes
        rng = self.rng
        self._bulk(
            Source,
            [
                Source(
                    title=f"{MARKER_TITLE} {description(s, self.seed)}",
                    publisher=_PUBLISHERS[0],
                    note=DEMO_NOTE,
                    published_on=None,
                )
            ],
        )
        sources = self._bulk(
            Source,
            [
                Source(
                    title=f"Report {i}: twinning news",
                    publisher=_PUBLISHERS[i % len(_PUBLISHERS)],
                    url=f"https://news.example.org/demo/{i}",
                    published_on=dates.normalise(self._date(datetime.date(1990, 1, 1))[0], Precision.DAY),
                    note=DEMO_NOTE,
                )
                for i in range(s.sources)
            ],
        )

        cities = self._bulk(City, [self._city(i) for i in range(s.cities)])
        hub = cities[0]
        self._bulk(
            CityName,
            [CityName(city=c, name=f"{c.name}-Old", kind=CityName.Kind.OLDER) for c in cities[::5]],
        )
        self._through(City.sources.field, [(c.pk, rng.choice(sources).pk) for c in cities[::3]])

        links = self._links(cities)
        # Histories are planned before the links are stored, so that each link is inserted with
        # its derived status and start date already set.
        events = self._plan_events(links)
        links = self._bulk(Link, links)
        showcase = links[0]
        self._through(Link.sources.field, [(lk.pk, rng.choice(sources).pk) for lk in links])
        self._store_events(events, showcase, sources)

        appeals = self._appeals(cities, links, hub, showcase, sources)
        self._statements(cities, links, appeals, hub, showcase, sources)
        return self.counts

    def _city(self, i):
        rng = self.rng
        name = "Centralia" if i == 0 else self._city_name()
        slug = HUB_CITY_SLUG if i == 0 else f"{DEMO_PREFIX}{slugify(name)}-{i}"
        has_population = rng.random() < 0.8
        return City(
            name=name,
            slug=slug,
            native_name=name if rng.random() < 0.3 else "",
            country=rng.choice(_COUNTRIES),
            latitude=Decimal(rng.uniform(-60, 70)).quantize(Decimal("0.000001")),
            longitude=Decimal(rng.uniform(-179, 179)).quantize(Decimal("0.000001")),
            population=rng.randint(5_000, 3_000_000) if has_population else None,
            population_year=rng.randint(2000, self.end.year) if has_population else None,
            description=f"{name} is a made-up city in the demo data set." if rng.random() < 0.5 else "",
        )

    def _links(self, cities):
        s, rng = self.sizes, self.rng
        hub, others = cities[0], cities[1:]
        pairs = {(hub.pk, c.pk) for c in rng.sample(others, s.hub_links)}
        while len(pairs) < s.links:
            a, b = rng.sample(others, 2)
            pairs.add((min(a.pk, b.pk), max(a.pk, b.pk)))
        by_pk = {c.pk: c for c in cities}
        ordered = sorted(pairs)
        rng.shuffle(ordered)
        # The hub's first link is the showcase: many events, statements, claims and appeals.
        first_hub = next(i for i, (a, _) in enumerate(ordered) if a == hub.pk)
        ordered[0], ordered[first_hub] = ordered[first_hub], ordered[0]
        links = []
        for i, (a, b) in enumerate(ordered):
            city_a, city_b = by_pk[a], by_pk[b]
            links.append(
                Link(
                    city_a=city_a,
                    city_b=city_b,
                    slug=SHOWCASE_LINK_SLUG
                    if i == 0
                    else f"{DEMO_PREFIX}{i}-{slugify(city_a.name)}-{slugify(city_b.name)}"[:210],
                    kind=rng.choice(Link.Kind.values),
                    run_by="The two councils" if rng.random() < 0.5 else "",
                    summary=f"A made-up partnership between {city_a.name} and {city_b.name}.",
                    is_published=i == 0 or rng.random() < 0.95,
                    is_featured=i < 6,
                )
            )
        return links

    def _plan_events(self, links):
        s, rng = self.sizes, self.rng
        per_link = [1] * len(links)
        extra = s.events - len(links)
        showcase_extra = min(extra, 40)
        per_link[0] += showcase_extra
        for _ in range(extra - showcase_extra):
            per_link[rng.randrange(len(links))] += 1
        events = []
        for link, n in zip(links, per_link, strict=True):
            day, precision = datetime.date(rng.randint(1950, 2020), 1, 1), Precision.YEAR
            current = ""
            history = []
            for k in range(n):
                status = rng.choice(_NEXT_STATUS[current])
                current = status or current
                next_day, next_precision = self._date(day, min(self.end, day + datetime.timedelta(days=900)))
                if next_day >= day:  # a coarser precision must not move the date back
                    day, precision = next_day, next_precision
                history.append(
                    Event(
                        link=link,
                        date=day,
                        date_precision=precision,
                        title=_EVENT_TITLES[status],
                        status=status,
                        decided_by="The city council" if status else "",
                        sort_order=k,
                        is_published=k == 0 or rng.random() < 0.95,
                    )
                )
            events.extend(history)
            _derive(link, history)
        return events

    def _store_events(self, events, showcase, sources):
        rng = self.rng
        events = self._bulk(Event, events)
        self._through(Event.sources.field, [(e.pk, rng.choice(sources).pk) for e in events])
        disputed = [e for e in events if e.link_id == showcase.pk][:5]
        disputed += rng.sample(events, max(0, len(events) // 100 - len(disputed)))
        claims = self._bulk(
            AlternativeClaim,
            [
                AlternativeClaim(
                    event=e,
                    claim="Another source gives a different year.",
                    date=datetime.date(max(1900, e.date.year - 1), 1, 1),
                    date_precision=Precision.YEAR,
                )
                for e in disputed
            ],
        )
        self._through(AlternativeClaim.sources.field, [(c.pk, rng.choice(sources).pk) for c in claims])

    def _appeals(self, cities, links, hub, showcase, sources):
        s, rng = self.sizes, self.rng
        if not s.appeals:
            return []
        appeals = []
        for i in range(s.appeals):
            launched, precision = self._date(datetime.date(2014, 1, 1))
            closes = None
            if i and rng.random() < 0.3:
                closes = launched + datetime.timedelta(days=rng.randint(30, 900))
            city = rng.choice(cities)
            has_target = i == 0 or rng.random() < 0.6
            appeals.append(
                Appeal(
                    title=f"{city.name} relief appeal {i}",
                    slug=SHOWCASE_APPEAL_SLUG if i == 0 else f"{DEMO_PREFIX}appeal-{i}",
                    summary="A made-up appeal in the demo data set.",
                    description="It collects money and goods for people displaced by war.",
                    kind=rng.choice(Appeal.Kind.values) if i else Appeal.Kind.MONEY,
                    organiser=f"{city.name} City Council",
                    administering_charity=f"{city.name} Community Foundation",
                    launched_on=launched,
                    launched_on_precision=precision,
                    closes_on=closes,
                    closed_early=bool(i) and rng.random() < 0.05,
                    target_amount=Decimal(rng.randint(10, 500) * 1000) if has_target else None,
                    target_currency=Currency.GBP,
                    is_published=i == 0 or rng.random() < 0.9,
                )
            )
        appeals = self._bulk(Appeal, appeals)
        hub_links = [lk for lk in links if hub.pk in (lk.city_a_id, lk.city_b_id)]
        city_rows, link_rows = set(), set()
        for i, appeal in enumerate(appeals):
            city_rows.add((appeal.pk, (hub if i < 5 else rng.choice(cities)).pk))
            link_rows.add((appeal.pk, (showcase if i < 5 else rng.choice(hub_links or links)).pk))
        self._through(Appeal.cities.field, sorted(city_rows))
        self._through(Appeal.links.field, sorted(link_rows))
        self._through(Appeal.sources.field, [(a.pk, rng.choice(sources).pk) for a in appeals])

        routes, figures, updates = [], [], []
        for i, appeal in enumerate(appeals):
            for j in range(8 if i == 0 else rng.randint(1, 3)):
                routes.append(
                    DonationRoute(
                        appeal=appeal,
                        label=f"Donation page {j + 1}",
                        url=f"https://donate.example.org/demo/{appeal.pk}/{j}",
                        sort_order=j,
                    )
                )
            day = appeal.launched_on
            amount = Decimal(0)
            for j in range(30 if i == 0 else rng.randint(2, 6)):
                day = min(self.end, day + datetime.timedelta(days=rng.randint(1, 30)))
                amount += Decimal(rng.randint(100, 20_000))
                figures.append(
                    RaisedFigure(
                        appeal=appeal,
                        part=RaisedFigure.Part.TOTAL if j % 3 else RaisedFigure.Part.ONLINE,
                        amount=amount,
                        as_of=day,
                        source=sources[(i * 40 + j) % len(sources)],
                    )
                )
            for j in range(20 if i == 0 else rng.randint(1, 5)):
                date, precision = self._date(appeal.launched_on)
                updates.append(
                    AppealUpdate(
                        appeal=appeal,
                        date=date,
                        date_precision=precision,
                        title=f"Update {j + 1}: the vans left",
                        body="Volunteers loaded the donated goods.",
                        is_published=rng.random() < 0.95,
                    )
                )
        routes = self._bulk(DonationRoute, routes)
        self._bulk(RaisedFigure, _unique_figures(figures))
        updates = self._bulk(AppealUpdate, updates)
        self._through(AppealUpdate.sources.field, [(u.pk, rng.choice(sources).pk) for u in updates])
        self._bulk(
            DonationClick,
            [
                DonationClick(route=r, day=self.end - datetime.timedelta(days=d), count=rng.randint(1, 50))
                for r in routes
                for d in range(3)
            ],
        )
        return appeals

    def _statements(self, cities, links, appeals, hub, showcase, sources):
        s, rng = self.sizes, self.rng
        if not s.statements:
            return
        people = self._bulk(
            Person,
            [
                Person(
                    name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                    slug=SHOWCASE_PERSON_SLUG if i == 0 else f"{DEMO_PREFIX}person-{i}",
                )
                for i in range(s.people)
            ],
        )
        roles = self._bulk(
            Role,
            [
                Role(
                    person=p,
                    title=f"Mayor of {city.name}",
                    city=city,
                    start=datetime.date(rng.randint(1990, self.end.year), 1, 1),
                    start_precision=Precision.YEAR,
                )
                for p in people
                for city in [rng.choice(cities)]
            ],
        )
        statements = []
        for i in range(s.statements):
            speaker_index = 0 if i < 20 else rng.randrange(len(people))
            about = rng.random()
            link = city = appeal = None
            if i < 20:
                link, city = (showcase, None) if i % 2 else (None, hub)
            elif appeals and about < 0.1:
                appeal = rng.choice(appeals)
            elif about < 0.55:
                link = rng.choice(links)
            else:
                city = rng.choice(cities)
            date, precision = self._date(datetime.date(1990, 1, 1))
            language = rng.choice(Statement.Language.values)
            statements.append(
                Statement(
                    quote="This partnership brings our two cities closer together. " * rng.randint(1, 3),
                    speaker=people[speaker_index],
                    role=roles[speaker_index] if rng.random() < 0.8 else None,
                    language=language,
                    translation="" if language == "en" else "This partnership brings our cities closer.",
                    date=date,
                    date_precision=precision,
                    link=link,
                    city=city,
                    appeal=appeal,
                    is_published=i < 20 or rng.random() < 0.95,
                )
            )
        statements = self._bulk(Statement, statements)
        self._through(Statement.sources.field, [(st.pk, rng.choice(sources).pk) for st in statements])


def _derive(link, history):
    """The rule of ``Link.refresh_derived()`` applied to events not yet saved (in date order)."""
    published = sorted(
        (e for e in history if e.is_published and e.status),
        key=lambda e: (e.date, e.sort_order),
    )
    latest = published[-1] if published else None
    first_active = next((e for e in published if e.status == Link.Status.ACTIVE), None)
    link.status = latest.status if latest else ""
    link.status_since = latest.date if latest else None
    link.status_since_precision = latest.date_precision if latest else ""
    link.started_on = first_active.date if first_active else None
    link.started_precision = first_active.date_precision if first_active else ""


def _unique_figures(figures):
    """One figure per (appeal, part, date, source): the database refuses duplicates."""
    seen, kept = set(), []
    for f in figures:
        key = (f.appeal_id, f.part, f.as_of, f.source_id)
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


# --- what is demo content, and removing it ---------------------------------------------------


def _demo(prefix="slug"):
    return {f"{prefix}__startswith": DEMO_PREFIX}


def non_demo_counts():
    """How many records of each kind are not demo content (a real site's data)."""
    counts = {
        "cities": City.objects.exclude(**_demo()).count(),
        "links": Link.objects.exclude(**_demo()).count(),
        "people": Person.objects.exclude(**_demo()).count(),
        "appeals": Appeal.objects.exclude(**_demo()).count(),
        "sources": Source.objects.exclude(note=DEMO_NOTE).count(),
    }
    return {name: n for name, n in counts.items() if n}


def existing_description():
    """The description (seed and sizes) of the generated data set present, or None."""
    row = Source.objects.filter(title__startswith=MARKER_TITLE, note=DEMO_NOTE).first()
    return row.title.removeprefix(MARKER_TITLE).strip() if row else None


def delete_demo_data():
    """Delete every generated record, children first, with plain DELETE statements.

    Bulk deletes send no signals, so this is as fast as generating; the page cache is
    invalidated once at the end.
    """
    demo_appeals = Appeal.objects.filter(**_demo())
    demo_links = Link.objects.filter(**_demo())
    demo_events = Event.objects.filter(link__in=demo_links)
    demo_claims = AlternativeClaim.objects.filter(event__in=demo_events)
    demo_updates = AppealUpdate.objects.filter(appeal__in=demo_appeals)
    demo_people = Person.objects.filter(**_demo())
    demo_statements = Statement.objects.filter(speaker__in=demo_people)
    demo_cities = City.objects.filter(**_demo())
    steps = [
        DonationClick.objects.filter(route__appeal__in=demo_appeals),
        AppealUpdate.sources.through.objects.filter(appealupdate__in=demo_updates),
        demo_updates,
        RaisedFigure.objects.filter(appeal__in=demo_appeals),
        DonationRoute.objects.filter(appeal__in=demo_appeals),
        Appeal.cities.through.objects.filter(appeal__in=demo_appeals),
        Appeal.links.through.objects.filter(appeal__in=demo_appeals),
        Appeal.sources.through.objects.filter(appeal__in=demo_appeals),
        Statement.sources.through.objects.filter(statement__in=demo_statements),
        demo_statements,
        demo_appeals,
        AlternativeClaim.sources.through.objects.filter(alternativeclaim__in=demo_claims),
        demo_claims,
        Event.sources.through.objects.filter(event__in=demo_events),
        demo_events,
        Link.sources.through.objects.filter(link__in=demo_links),
        demo_links,
        Role.objects.filter(person__in=demo_people),
        Person.sources.through.objects.filter(person__in=demo_people),
        demo_people,
        CityName.objects.filter(city__in=demo_cities),
        City.sources.through.objects.filter(city__in=demo_cities),
        demo_cities,
        Source.objects.filter(note=DEMO_NOTE),
    ]
    deleted = 0
    with transaction.atomic():
        for queryset in steps:
            deleted += _delete_rows(queryset)
    page_cache.content_changed()
    return deleted


def _delete_rows(queryset):
    model = queryset.model
    quote = connection.ops.quote_name
    ids_sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # The id list is wrapped in a derived table so that databases which refuse a subquery
        # on the table being deleted from accept it too.
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN "  # noqa: S608
            f"(SELECT * FROM ({ids_sql}) AS ids)",
            params,
        )
        return cursor.rowcount


def generate(sizes: Sizes = FULL, *, seed: int = 1, today: datetime.date | None = None):
    """Generate a data set (after deleting any earlier one); returns the counts created."""
    problems = sizes.check()
    if problems:
        raise ValueError("; ".join(problems))
    today = today or timezone.localdate()
    with transaction.atomic():
        delete_demo_data()
        counts = Generator(sizes, seed, today).run()
    page_cache.content_changed()
    return counts


def description(sizes: Sizes, seed: int) -> str:
    return json.dumps({"seed": seed, **dataclasses.asdict(sizes)}, sort_keys=True)
