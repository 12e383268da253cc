"""Import twin-town pairs from a Wikidata P190 ("twinned administrative body") query result.

The file is CSV or TSV with one header row. Accepted headers (a leading "?" from a SPARQL
TSV export is ignored; names are case-sensitive as Wikidata's query service writes them):

    city, cityLabel, cityCountry          the first city: QID, name, country (required)
    coord  | cityLat + cityLon            its coordinates (required only if the city is new)
    twin, twinLabel, twinCountry          the partner city (required)
    twinCoord | twinLat + twinLon         its coordinates (required only if the city is new)
    start, end                            optional start and end times of the twinning

A QID is bare (Q39121) or an entity URI (http://www.wikidata.org/entity/Q39121). A country is an
ISO 3166-1 alpha-2 code (GB) or its English name (United Kingdom). Coordinates are WKT
"Point(longitude latitude)" or decimal degrees. Times are ISO dates or Wikidata timestamps
(1968-01-01T00:00:00Z); 1 January is taken as a year-only date, any other day as that day.
Cells as the query service's own TSV writes them (<URI>, "text"@en, "literal"^^<type>) are read too.

Cities are matched on their Wikidata ID, then on name and country (a match gains the ID); links
on the unordered pair, so the B–A row Wikidata lists beside A–B adds nothing. A start time
becomes an "active" event, an end time an "ended" one, each citing one Source for the import.
Imported links and events are published: Wikidata is a public source (ADR 0023).

Everything is checked before anything is written, and written in one transaction: a file with
bad rows imports nothing unless ``skip_bad`` is set (ADR 0023).
"""

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from partnerships.dates import Precision
from partnerships.models import EARLIEST_DATE, City, Event, Link, Source
from twinning import page_cache

CHUNK = 2000
QID = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]{0,11})$")
POINT = re.compile(r"^\s*point\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$", re.IGNORECASE)
TIME = re.compile(r"^\+?([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T00:00:00(?:Z|\+00:00)?)?$")
LITERAL = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?$', re.DOTALL)
SIX_PLACES = Decimal("0.000001")

REQUIRED = ("city", "cityLabel", "cityCountry", "twin", "twinLabel", "twinCountry")
COLUMNS = {
    "city": {"qid": "city", "label": "cityLabel", "country": "cityCountry", "coord": ("coord", "cityCoord")},
    "twin": {"qid": "twin", "label": "twinLabel", "country": "twinCountry", "coord": ("twinCoord",)},
}
LATLON = {"city": ("cityLat", "cityLon"), "twin": ("twinLat", "twinLon")}
START = ("start", "startTime")
END = ("end", "endTime")

EVENT_TITLES = {
    Link.Status.ACTIVE: "Twinned (recorded on Wikidata)",
    Link.Status.ENDED: "Twinning ended (recorded on Wikidata)",
}


class BadFile(ValueError):
    """The file as a whole cannot be read (encoding, missing headers)."""


@dataclass
class Place:
    qid: str
    name: str
    country: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass
class Row:
    line: int
    a: Place
    b: Place
    events: list = field(default_factory=list)  # [(status, date, precision)]


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    cities_created: int = 0
    cities_updated: int = 0
    bad: list = field(default_factory=list)  # [(line, message)]
    saved: bool = False


# --- reading ----------------------------------------------------------------------------------


def _cell(value):
    """A cell with the query service's TSV decoration removed: <URI>, "text"@en, "x"^^<type>."""
    value = (value or "").strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1].strip()
    match = LITERAL.match(value)
    if match:
        return match.group(1).replace('\\"', '"').replace("\\\\", "\\").strip()
    return value


def _dialect(path, first_line):
    lower = str(path).lower()
    if lower.endswith((".tsv", ".tab")):
        return "excel-tab"
    if lower.endswith(".csv"):
        return "excel"
    return "excel-tab" if "\t" in first_line else "excel"


def read(path):
    """(rows, bad): the parsed rows and the bad ones as (line number, message)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise BadFile(f"The file is not UTF-8 text ({error.reason} at byte {error.start}).") from error
    if "\x00" in text:
        raise BadFile("The file contains NUL characters: it is not a CSV or TSV text file.")
    dialect = _dialect(path, text.split("\n", 1)[0])
    # The query service's TSV does not quote cells: its quotes belong to the values ("Leeds"@en).
    options = {"quoting": csv.QUOTE_NONE} if dialect == "excel-tab" else {}
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect, **options)
    try:
        header = next(reader)
    except StopIteration:
        raise BadFile("The file is empty: it needs a header row and at least one pair.") from None
    names = [h.strip().lstrip("?") for h in header]
    index = {name: i for i, name in enumerate(names) if name}
    missing = [h for h in REQUIRED if h not in index]
    if missing:
        raise BadFile(
            f"The header row lacks {', '.join(missing)}. Expected at least: {', '.join(REQUIRED)} "
            "(see the README for the optional columns)."
        )
    rows, bad = [], []
    previous_end = reader.line_num
    today = timezone.localdate()
    country_of = _Countries()
    for cells in reader:
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        values = {name: _cell(cells[i]) if i < len(cells) else "" for name, i in index.items()}
        try:
            rows.append(_row(line, values, today, country_of))
        except ValueError as error:
            bad.append((line, str(error)))
    return rows, bad


def _first(values, names):
    return next((values[n] for n in names if values.get(n)), "")


def _degrees(text, low, high, what):
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a number") from None
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(f"{what} {text} is out of range ({low} to {high})")
    return value.quantize(SIX_PLACES)


def _place(side, values, country_of):
    cols = COLUMNS[side]
    match = QID.match(values.get(cols["qid"], ""))
    if not match:
        raise ValueError(
            f"{cols['qid']} {values.get(cols['qid'], '')!r} is not a Wikidata item (Q123 or its URI)"
        )
    name = values.get(cols["label"], "")
    if not name or len(name) > 100:
        raise ValueError(f"{cols['label']} must be a name of 1 to 100 characters")
    if QID.match(name):
        raise ValueError(f"{cols['label']} is {name!r}: Wikidata has no English label for it")
    country = country_of(values.get(cols["country"], ""), cols["country"])
    latitude = longitude = None
    wkt = _first(values, cols["coord"])
    lat_name, lon_name = LATLON[side]
    if wkt:
        point = POINT.match(wkt)
        if not point:
            raise ValueError(f"{cols['coord'][0]} {wkt!r} is not a WKT point like Point(-1.549 53.800)")
        longitude = _degrees(point.group(1), -180, 180, "longitude")
        latitude = _degrees(point.group(2), -90, 90, "latitude")
    elif values.get(lat_name) or values.get(lon_name):
        latitude = _degrees(values.get(lat_name, ""), -90, 90, lat_name)
        longitude = _degrees(values.get(lon_name, ""), -180, 180, lon_name)
    return Place(match.group(1), name, country, latitude, longitude)


class _Countries:
    """Country codes and English names, looked up once per import rather than once per row."""

    def __init__(self):
        self.cache = {}

    def __call__(self, text, column):
        if text not in self.cache:
            self.cache[text] = _country(text, column)
        return self.cache[text]


def _country(text, column):
    if len(text) == 2 and countries.alpha2(text.upper()):
        return text.upper()
    code = countries.by_name(text) if text else ""
    if not code:
        raise ValueError(f"{column} {text!r} is not a country: use an ISO 3166 code (GB) or its English name")
    return code


def _time(text, column, today):
    match = TIME.match(text)
    if not match:
        raise ValueError(f"{column} {text!r} is not a date like 1968-01-01 or 1968-01-01T00:00:00Z")
    try:
        day = datetime.date(*map(int, match.groups()))
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a real date") from None
    if day < EARLIEST_DATE:
        raise ValueError(f"{column} {text} is before 1900, the earliest date the site records")
    if day > today:
        raise ValueError(f"{column} {text} is in the future")
    precision = Precision.YEAR if (day.month, day.day) == (1, 1) else Precision.DAY
    return day, precision


def _row(line, values, today, country_of):
    a, b = _place("city", values, country_of), _place("twin", values, country_of)
    if a.qid == b.qid:
        raise ValueError(f"both cities are {a.qid}: a city cannot be twinned with itself")
    row = Row(line, a, b)
    start = _first(values, START)
    end = _first(values, END)
    start_date = end_date = None
    if start:
        start_date, precision = _time(start, "start", today)
        row.events.append((Link.Status.ACTIVE, start_date, precision))
    if end:
        end_date, precision = _time(end, "end", today)
        row.events.append((Link.Status.ENDED, end_date, precision))
    if start_date and end_date and end_date < start_date:
        raise ValueError(f"end {end} is before start {start}")
    return row


# --- writing ----------------------------------------------------------------------------------


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _taken_slugs(model, candidates):
    taken = set()
    for chunk in _chunks(set(candidates)):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    return taken


def _unique_slugs(wanted, model, max_length):
    """{key: slug} for {key: [candidate, ...]}: the first free candidate of each, the last one
    (which must be unique by construction) otherwise."""
    taken = _taken_slugs(model, [c for options in wanted.values() for c in options])
    chosen = {}
    for key, options in wanted.items():
        options = [o[:max_length] for o in options if o]
        slug = next((o for o in options if o not in taken), options[-1])
        taken.add(slug)
        chosen[key] = slug
    return chosen


class Importer:
    def __init__(self, *, accessed=None, note=""):
        self.accessed = accessed or timezone.localdate()
        self.note = note[:300]

    def run(self, path, *, dry_run=False, skip_bad=False):
        rows, bad = read(path)
        result = Result(bad=bad)
        with transaction.atomic():
            cities, more_bad = self._resolve_cities(rows)
            result.bad = sorted(bad + more_bad)
            if result.bad and not skip_bad:
                return result
            bad_lines = {line for line, _ in more_bad}
            self._write(
                [r for r in rows if r.line not in bad_lines],
                cities,
                result,
            )
            if dry_run:
                transaction.set_rollback(True)
            else:
                result.saved = True
                # Rows written in bulk send no signals: say that the content changed, so that
                # the page cache and the stored downloads are built again (twinning/page_cache.py).
                page_cache.content_changed()
        return result

    # Cities: matched on Wikidata ID, then on name and country; otherwise created.

    def _resolve_cities(self, rows):
        places = {}
        for row in rows:
            for place in (row.a, row.b):
                places.setdefault(place.qid, place)
        by_qid = {}
        for chunk in _chunks(places):
            for city in City.objects.filter(wikidata_id__in=chunk):
                by_qid[city.wikidata_id] = city
        unmatched = [p for q, p in places.items() if q not in by_qid]
        by_name = defaultdict(list)
        for chunk in _chunks({p.name for p in unmatched}):
            for city in City.objects.filter(name__in=chunk, wikidata_id=""):
                by_name[(city.name.casefold(), str(city.country))].append(city)
        problems = {}
        claimed = set()  # cities given a QID from this file: one QID each
        for place in unmatched:
            candidates = by_name.get((place.name.casefold(), place.country), [])
            if len(candidates) == 1 and candidates[0].pk not in claimed:
                city = candidates[0]
                claimed.add(city.pk)
                city.wikidata_id = place.qid
                city._import_updated = True
                by_qid[place.qid] = city
            elif len(candidates) > 1:
                problems[place.qid] = (
                    f"{len(candidates)} cities are called {place.name} in {place.country}: "
                    f"give the right one the Wikidata ID {place.qid} in the admin first"
                )
            elif place.latitude is None or place.longitude is None:
                problems[place.qid] = f"{place.name} ({place.qid}) is a new city and needs its coordinates"
            else:
                city = City(
                    name=place.name,
                    country=place.country,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    wikidata_id=place.qid,
                    slug="pending",
                )
                try:
                    # The country was checked against the list once per distinct value above;
                    # the field's own check walks the whole list for every city.
                    city.full_clean(exclude=["country"], validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                    problems[place.qid] = f"{place.name} ({place.qid}): {messages}"
                    continue
                city.slug = ""
                by_qid[place.qid] = city
        bad = []
        for row in rows:
            for place in (row.a, row.b):
                if place.qid in problems:
                    bad.append((row.line, problems[place.qid]))
                    break
        return by_qid, bad

    def _write(self, rows, cities, result):
        source = self._source()
        needed = {q for r in rows for q in (r.a.qid, r.b.qid)}
        new = {q: c for q, c in cities.items() if q in needed and c.pk is None}
        wanted = {}
        for qid, city in new.items():
            base = slugify(city.name)[:80] or qid.lower()
            wanted[qid] = [base, f"{base}-{str(city.country).lower()}", f"{base}-{qid.lower()}"]
        slugs = _unique_slugs(wanted, City, 100)
        for qid, city in new.items():
            city.slug = slugs[qid]
        City.objects.bulk_create(new.values(), batch_size=CHUNK)
        result.cities_created = len(new)
        changed = [c for q, c in cities.items() if q in needed and getattr(c, "_import_updated", False)]
        City.objects.bulk_update(changed, ["wikidata_id"], batch_size=CHUNK)
        result.cities_updated = len(changed)
        City.sources.through.objects.bulk_create(
            [City.sources.through(city_id=c.pk, source_id=source.pk) for c in new.values()],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
        changed_qids = {c.wikidata_id for c in changed}

        # Links: one per unordered pair; the rows of one pair are merged.
        pairs = {}
        row_pair = []
        for row in rows:
            a, b = cities[row.a.qid], cities[row.b.qid]
            key = (min(a.pk, b.pk), max(a.pk, b.pk))
            row_pair.append((row, key))
            pairs.setdefault(key, (a, b) if a.pk < b.pk else (b, a))
        existing = {}
        old_ids = [c.pk for q, c in cities.items() if q in needed and q not in new]
        for chunk in _chunks(old_ids):
            for link in Link.objects.filter(city_a_id__in=chunk).only("pk", "city_a_id", "city_b_id", "slug"):
                if (link.city_a_id, link.city_b_id) in pairs:
                    existing[(link.city_a_id, link.city_b_id)] = link
        old_events = defaultdict(list)
        for chunk in _chunks([link.pk for link in existing.values()]):
            for event in (
                Event.objects.filter(link_id__in=chunk)
                .only("pk", "link_id", "date", "date_precision", "status", "sort_order", "is_published")
                .order_by("date", "sort_order", "pk")
            ):
                old_events[event.link_id].append(event)
        have = {
            (lk.city_a_id, lk.city_b_id, e.status, e.date)
            for lk in existing.values()
            for e in old_events[lk.pk]
        }

        new_keys = [k for k in pairs if k not in existing]
        wanted = {}
        for key in new_keys:
            a, b = pairs[key]
            base = slugify(f"{a.name}-{b.name}")[:180] or f"{a.slug}-{b.slug}"[:180]
            wanted[key] = [base, f"{a.slug}-{b.slug}", f"{base}-{a.wikidata_id}-{b.wikidata_id}".lower()]
        link_slugs = _unique_slugs(wanted, Link, 210)
        new_links = {}
        for key in new_keys:
            a, b = pairs[key]
            new_links[key] = Link(
                city_a=a, city_b=b, slug=link_slugs[key], kind=Link.Kind.TWIN_TOWN, is_published=True
            )

        # Events: one per (pair, status, date) not already recorded.
        events_by_key = defaultdict(list)
        seen_pairs = set()
        for row, key in row_pair:
            added = False
            for status, day, precision in row.events:
                if (*key, status, day) in have:
                    continue
                have.add((*key, status, day))
                events_by_key[key].append(
                    Event(
                        date=day,
                        date_precision=precision,
                        title=EVENT_TITLES[status],
                        status=status,
                        sort_order=0 if status == Link.Status.ACTIVE else 1,
                        is_published=True,
                    )
                )
                added = True
            city_gained_id = row.a.qid in changed_qids or row.b.qid in changed_qids
            if key in new_links and key not in seen_pairs:
                result.created += 1
            elif added or (city_gained_id and key not in seen_pairs):
                result.updated += 1
            else:
                result.skipped += 1
            seen_pairs.add(key)

        for key, link in new_links.items():
            ordered = sorted(events_by_key[key], key=lambda e: (e.date, e.sort_order))
            link.derive_from([e for e in ordered if e.status])
        Link.objects.bulk_create(new_links.values(), batch_size=CHUNK)
        links = {**existing, **new_links}
        events = []
        for key, items in events_by_key.items():
            for event in items:
                event.link = links[key]
                events.append(event)
        Event.objects.bulk_create(events, batch_size=CHUNK)
        Event.sources.through.objects.bulk_create(
            [Event.sources.through(event_id=e.pk, source_id=source.pk) for e in events], batch_size=CHUNK
        )
        touched = {links[k].pk for k in events_by_key} | {link.pk for link in new_links.values()}
        Link.sources.through.objects.bulk_create(
            [Link.sources.through(link_id=pk, source_id=source.pk) for pk in touched],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )

        # Existing links that gained events: derive their status again from all their events.
        refreshed = []
        for key, link in existing.items():
            if not events_by_key.get(key):
                continue
            merged = [e for e in old_events[link.pk] if e.is_published and e.status]
            merged += [e for e in events_by_key[key] if e.status]
            merged.sort(key=lambda e: (e.date, e.sort_order, e.pk))
            link.derive_from(merged)
            refreshed.append(link)
        Link.objects.bulk_update(
            refreshed,
            ["status", "status_since", "status_since_precision", "started_on", "started_precision"],
            batch_size=CHUNK,
        )

    def _source(self):
        source, _ = Source.objects.get_or_create(
            title=f"Twinned administrative body (P190), accessed {self.accessed.isoformat()}",
            publisher="Wikidata",
            defaults={
                "url": "https://www.wikidata.org/wiki/Property:P190",
                "accessed_on": self.accessed,
                "note": self.note,
            },
        )
        return source
