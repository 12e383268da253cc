"""Open data: the published record as CSV, JSON and GeoJSON, under CC BY 4.0.

Downloads stream. The rows are read as plain values (no model instance is built for a row) from
one cursor, ``CHUNK`` at a time; each chunk's related rows (sources, events, other names) are
read with one query per relation, and each source is read once per download and reused. So
memory stays flat and the number of queries grows with the number of chunks, never with the
number of rows. Only what the public may see is included (``Visibility(preview=False)``),
whoever asks.
"""

import csv
import itertools
import json
from collections import defaultdict

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from partnerships import dates
from partnerships.download_store import StoredDownload
from partnerships.models import City, CityName, Event, Link, Source, Statement
from partnerships.queries import Visibility

CHUNK = 2000
ROWS_PER_WRITE = 200
LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Twinning",
}
SOURCE_FIELDS = ("pk", "title", "publisher", "url", "published_on", "published_precision", "accessed_on")


# --- records ----------------------------------------------------------------------------------


def _date(value, precision):
    return dates.machine(value, precision) or None


def source_record(source):
    """A source as JSON; ``source`` is a dict of its SOURCE_FIELDS."""
    accessed = source["accessed_on"]
    return {
        "title": source["title"],
        "publisher": source["publisher"],
        "url": source["url"] or None,
        "published": _date(source["published_on"], source["published_precision"]),
        "accessed": accessed.isoformat() if accessed else None,
    }


def source_text(source):
    """One source in a CSV cell: "Publisher: Title <URL>"; ``source`` is a dict of its
    SOURCE_FIELDS."""
    text = f"{source['publisher']}: {source['title']}"
    return f"{text} <{source['url']}>" if source["url"] else text


class SourceCache:
    """The sources of one download: each is read from the database once, then reused."""

    def __init__(self):
        self._known = {}  # pk -> (sort key, JSON record, CSV text)

    def load(self, pks):
        missing = set(pks) - self._known.keys()
        if missing:
            for row in Source.objects.filter(pk__in=missing).values(*SOURCE_FIELDS):
                key = (row["publisher"], row["title"], row["pk"])
                self._known[row["pk"]] = (key, source_record(row), source_text(row))

    def text(self, pk):
        """The CSV text of a source already loaded, or None for no source."""
        return None if pk is None else self._known[pk][2]

    def of(self, model, pks):
        """{pk: ([records], [texts])} for rows of ``model`` (by its ``sources`` field), in the
        order publisher, title."""
        through = model.sources.through
        owner = model.sources.field.m2m_field_name() + "_id"
        pairs = list(through.objects.filter(**{f"{owner}__in": pks}).values_list(owner, "source_id"))
        self.load(source for _owner, source in pairs)
        grouped = defaultdict(list)
        for owner_pk, source_pk in pairs:
            grouped[owner_pk].append(self._known[source_pk])
        found = {}
        for owner_pk, items in grouped.items():
            items.sort(key=lambda item: item[0])
            found[owner_pk] = ([item[1] for item in items], [item[2] for item in items])
        return found


NO_SOURCES = ((), ())


def _chunks(rows, size):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Dataset:
    """One downloadable table: its rows (plain values), its records and its CSV columns."""

    name = ""
    title = ""
    description = ""
    formats = ("csv", "json")
    columns = ()
    fields = ()  # what is read for a row

    def __init__(self, absolute, fmt="csv"):
        self.absolute = absolute
        self.fmt = fmt
        self.visible = Visibility(preview=False)
        self.sources = SourceCache()
        self._url_patterns = {}

    def url(self, name, **kwargs):
        """The absolute URL of a record, reversing the pattern once rather than once per row."""
        ((key, value),) = kwargs.items()
        if name not in self._url_patterns:
            marker = "0" if key == "pk" else "slug-marker"
            self._url_patterns[name] = (self.absolute(reverse(name, kwargs={key: marker})), marker)
        pattern, marker = self._url_patterns[name]
        return pattern.replace(f"/{marker}/", f"/{value}/")

    def queryset(self):
        raise NotImplementedError

    def related(self, chunk):
        """What the records of one chunk of rows need besides the rows: read once per chunk."""
        return {}

    def record(self, row, related):
        raise NotImplementedError

    def csv_row(self, record):
        row = []
        for column in self.columns:
            value = record.get(column)
            if column == "sources":
                value = " | ".join(record["_source_texts"])
            elif isinstance(value, list):
                value = " | ".join(str(v) for v in value)
            row.append("" if value is None else value)
        return row

    def records(self):
        rows = self.queryset().values(*self.fields).iterator(chunk_size=CHUNK)
        for chunk in _chunks(rows, CHUNK):
            related = self.related(chunk)
            for row in chunk:
                yield self.record(row, related)


class CitiesDataset(Dataset):
    name = "cities"
    title = _("Cities")
    description = _(
        "Every city: names (native and other), country, coordinates, population with its year, sources."
    )
    columns = (
        "id",
        "slug",
        "name",
        "native_name",
        "other_names",
        "country",
        "latitude",
        "longitude",
        "population",
        "population_year",
        "population_note",
        "population_source",
        "wikidata_id",
        "url",
        "sources",
    )
    fields = (
        "pk",
        "slug",
        "name",
        "native_name",
        "country",
        "latitude",
        "longitude",
        "population",
        "population_year",
        "population_note",
        "population_source_id",
        "wikidata_id",
    )

    def queryset(self):
        return City.objects.order_by("pk")

    def related(self, chunk):
        pks = [row["pk"] for row in chunk]
        names = defaultdict(list)
        for city, name in CityName.objects.filter(city__in=pks).order_by("name").values_list("city", "name"):
            names[city].append(name)
        population_sources = {row["population_source_id"] for row in chunk} - {None}
        self.sources.load(population_sources)
        return {"names": names, "sources": self.sources.of(City, pks)}

    def record(self, city, related):
        sources, texts = related["sources"].get(city["pk"], NO_SOURCES)
        population_source = self.sources.text(city["population_source_id"])
        return {
            "id": city["pk"],
            "slug": city["slug"],
            "name": city["name"],
            "native_name": city["native_name"],
            "other_names": related["names"].get(city["pk"], []),
            "country": city["country"],
            "latitude": float(city["latitude"]),
            "longitude": float(city["longitude"]),
            "population": city["population"],
            "population_year": city["population_year"],
            "population_note": city["population_note"],
            "population_source": population_source,
            "wikidata_id": city["wikidata_id"] or None,
            "url": self.url("partnerships:city-detail", slug=city["slug"]),
            "sources": list(sources),
            "_source_texts": texts,
        }


class LinksDataset(Dataset):
    name = "links"
    title = _("Links")
    description = _(
        "Every published link between two cities: kind, current status and since when, when it started, "
        "who runs it, sources, and (in JSON and GeoJSON) its dated history of published events."
    )
    formats = ("csv", "json", "geojson")
    columns = (
        "id",
        "slug",
        "city_a",
        "city_a_name",
        "city_b",
        "city_b_name",
        "kind",
        "status",
        "status_since",
        "started",
        "run_by",
        "summary",
        "url",
        "sources",
    )
    fields = (
        "pk",
        "slug",
        "city_a__slug",
        "city_a__name",
        "city_a__latitude",
        "city_a__longitude",
        "city_b__slug",
        "city_b__name",
        "city_b__latitude",
        "city_b__longitude",
        "kind",
        "status",
        "status_since",
        "status_since_precision",
        "started_on",
        "started_precision",
        "run_by",
        "summary",
    )

    def queryset(self):
        return self.visible.links().order_by("pk")

    def related(self, chunk):
        pks = [row["pk"] for row in chunk]
        related = {"sources": self.sources.of(Link, pks), "events": defaultdict(list)}
        if self.fmt == "csv":  # the CSV has no events: the events download is their table
            return related
        events = list(
            self.visible.events()
            .filter(link__in=pks)
            .order_by("link_id", "date", "sort_order", "pk")
            .values(*EventsDataset.fields)
        )
        event_sources = self.sources.of(Event, [e["pk"] for e in events])
        for event in events:
            related["events"][event["link"]].append(EventsDataset.event_record(event, event_sources))
        return related

    def record(self, link, related):
        sources, texts = related["sources"].get(link["pk"], NO_SOURCES)
        return {
            "id": link["pk"],
            "slug": link["slug"],
            "city_a": link["city_a__slug"],
            "city_a_name": link["city_a__name"],
            "city_b": link["city_b__slug"],
            "city_b_name": link["city_b__name"],
            "kind": link["kind"],
            "status": link["status"] or None,
            "status_since": _date(link["status_since"], link["status_since_precision"]),
            "started": _date(link["started_on"], link["started_precision"]),
            "run_by": link["run_by"],
            "summary": link["summary"],
            "url": self.url("partnerships:link-detail", slug=link["slug"]),
            "sources": list(sources),
            "events": related["events"].get(link["pk"], []),
            "_source_texts": texts,
            "_coordinates": [
                [float(link["city_a__longitude"]), float(link["city_a__latitude"])],
                [float(link["city_b__longitude"]), float(link["city_b__latitude"])],
            ],
        }


class EventsDataset(Dataset):
    name = "events"
    title = _("Link histories")
    description = _(
        "Every published event of a published link, one row each: the status histories of the links."
    )
    columns = (
        "id",
        "link",
        "date",
        "date_precision",
        "title",
        "description",
        "status",
        "decided_by",
        "sources",
    )
    fields = (
        "pk",
        "link",
        "link__slug",
        "date",
        "date_precision",
        "title",
        "description",
        "status",
        "decided_by",
    )

    def queryset(self):
        return self.visible.events().order_by("link_id", "date", "sort_order", "pk")

    def related(self, chunk):
        return {"sources": self.sources.of(Event, [row["pk"] for row in chunk])}

    @staticmethod
    def event_record(event, sources):
        records, texts = sources.get(event["pk"], NO_SOURCES)
        return {
            "id": event["pk"],
            "date": _date(event["date"], event["date_precision"]),
            "date_precision": event["date_precision"],
            "title": event["title"],
            "description": event["description"],
            "status": event["status"] or None,
            "decided_by": event["decided_by"],
            "sources": list(records),
            "_source_texts": texts,
        }

    def record(self, event, related):
        return {"link": event["link__slug"], **self.event_record(event, related["sources"])}


class StatementsDataset(Dataset):
    name = "statements"
    title = _("Statements")
    description = _(
        "Every published statement: the quote in its language, any translation, speaker, role, date, "
        "what it is about, sources."
    )
    columns = (
        "id",
        "quote",
        "language",
        "translation",
        "speaker",
        "speaker_name",
        "role",
        "date",
        "context",
        "about_link",
        "about_city",
        "url",
        "sources",
    )
    fields = (
        "pk",
        "quote",
        "language",
        "translation",
        "speaker__slug",
        "speaker__name",
        "role__title",
        "date",
        "date_precision",
        "context",
        "link__slug",
        "city__slug",
    )

    def queryset(self):
        return self.visible.statements().order_by("pk")

    def related(self, chunk):
        return {"sources": self.sources.of(Statement, [row["pk"] for row in chunk])}

    def record(self, statement, related):
        sources, texts = related["sources"].get(statement["pk"], NO_SOURCES)
        return {
            "id": statement["pk"],
            "quote": statement["quote"],
            "language": statement["language"],
            "translation": statement["translation"],
            "speaker": statement["speaker__slug"],
            "speaker_name": statement["speaker__name"],
            "role": statement["role__title"],
            "date": _date(statement["date"], statement["date_precision"]),
            "context": statement["context"],
            "about_link": statement["link__slug"],
            "about_city": statement["city__slug"],
            "url": self.url("partnerships:statement-detail", pk=statement["pk"]),
            "sources": list(sources),
            "_source_texts": texts,
        }


DATASETS = {d.name: d for d in (CitiesDataset, LinksDataset, EventsDataset, StatementsDataset)}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
}


# --- streaming ---------------------------------------------------------------------------------


class _Line:
    """A file-like object whose write() returns what was written, for csv.writer."""

    def write(self, value):
        return value


def _public(record):
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _public_deep(record):
    out = _public(record)
    if "events" in out:
        out["events"] = [_public(e) for e in out["events"]]
    return out


def _batched(pieces):
    batch = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def stream_csv(dataset):
    writer = csv.writer(_Line())
    yield writer.writerow(dataset.columns)
    for record in dataset.records():
        yield writer.writerow(dataset.csv_row(record))


def _json_array(items):
    first = True
    for item in items:
        yield ("" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False


def stream_json(dataset, about):
    head = {"licence": LICENCE, "about": about, "dataset": dataset.name}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n'
    yield from _json_array(_public_deep(r) for r in dataset.records())
    yield "\n]}\n"


def stream_geojson(dataset, about):
    def feature(record):
        return {
            "type": "Feature",
            "id": record["id"],
            "geometry": {"type": "LineString", "coordinates": record["_coordinates"]},
            "properties": _public_deep(record),
        }

    head = {"type": "FeatureCollection", "licence": LICENCE, "about": about}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    yield from _json_array(feature(r) for r in dataset.records())
    yield "\n]}\n"


def _built(request, dataset, fmt):
    """The download's bytes, built from the database as they are sent."""
    data = DATASETS[dataset](request.build_absolute_uri, fmt)
    about = request.build_absolute_uri(reverse("open-data"))
    if fmt == "csv":
        pieces = stream_csv(data)
    elif fmt == "json":
        pieces = stream_json(data, about)
    else:
        pieces = stream_geojson(data, about)
    return (chunk.encode() for chunk in _batched(pieces))


@require_safe
def download(request, dataset, fmt):
    """/data/<dataset>.<format>: the published record, built once per change of content and
    stored (``download_store``); without a store, streamed as it is built."""
    if dataset not in DATASETS or fmt not in DATASETS[dataset].formats:
        raise Http404("No such download.")
    stored = StoredDownload.for_request(request, dataset, fmt)
    response = None
    if stored:
        response = stored.response(request, CONTENT_TYPES[fmt])
        if response is None:
            stored.ensure_built(lambda: _built(request, dataset, fmt))
            response = stored.response(request, CONTENT_TYPES[fmt])
    if response is None:  # no store, or another request's build took too long
        response = StreamingHttpResponse(_built(request, dataset, fmt), content_type=CONTENT_TYPES[fmt])
    # Served gzipped or not by what the client accepts; public, like the pages.
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
    response["Content-Disposition"] = f'attachment; filename="twinning-{dataset}.{fmt}"'
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# How each format is written in a sentence ("Links as GeoJSON").
FORMAT_NAMES = {"csv": "CSV", "json": "JSON", "geojson": "GeoJSON"}


class OpenDataView(TemplateView):
    """The page that documents the downloads, their formats and their licence."""

    template_name = "open_data.html"

    def get_context_data(self, **kwargs):
        datasets = []
        for cls in DATASETS.values():
            datasets.append(
                {
                    "name": cls.name,
                    "title": cls.title,
                    "description": cls.description,
                    "columns": cls.columns,
                    "downloads": [
                        (FORMAT_NAMES[fmt], reverse("download", kwargs={"dataset": cls.name, "fmt": fmt}))
                        for fmt in cls.formats
                    ],
                }
            )
        return super().get_context_data(section="data", datasets=datasets, licence=LICENCE, **kwargs)
