"""Open data: the published record as CSV, JSON and GeoJSON, under CC BY 4.0.

Downloads stream: the rows are read with ``.iterator(chunk_size=CHUNK)`` and their related rows
(sources, events, other names) are prefetched once per chunk, so memory stays flat and the number
of queries grows with the number of chunks, never with the number of rows. Only what the public
may see is included (``Visibility(preview=False)``), whoever asks.
"""

import csv
import json

from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from partnerships import dates
from partnerships.models import City, CityName, Source
from partnerships.queries import Visibility

CHUNK = 2000
ROWS_PER_WRITE = 200
LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "attribution": "Twinning",
}
# Prefetched into plain lists (to_attr): no related manager is built for each row.
SOURCES = Prefetch(
    "sources", queryset=Source.objects.order_by("publisher", "title", "pk"), to_attr="source_list"
)


# --- records ----------------------------------------------------------------------------------


def _date(value, precision):
    return dates.machine(value, precision) or None


def source_record(source):
    return {
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url or None,
        "published": _date(source.published_on, source.published_precision),
        "accessed": source.accessed_on.isoformat() if source.accessed_on else None,
    }


def source_text(source):
    """One source in a CSV cell: "Publisher: Title <URL>"."""
    text = f"{source.publisher}: {source.title}"
    return f"{text} <{source.url}>" if source.url else text


class Dataset:
    """One downloadable table: its queryset, its record and its CSV columns."""

    name = ""
    title = ""
    description = ""
    formats = ("csv", "json")
    columns = ()

    def __init__(self, absolute):
        self.absolute = absolute
        self.visible = Visibility(preview=False)
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

    def record(self, obj):
        raise NotImplementedError

    def csv_row(self, record):
        row = []
        for column in self.columns:
            value = record.get(column)
            if column == "sources":
                value = " | ".join(value_text for value_text in record["_source_texts"])
            elif isinstance(value, list):
                value = " | ".join(str(v) for v in value)
            row.append("" if value is None else value)
        return row

    def records(self):
        for obj in self.queryset().iterator(chunk_size=CHUNK):
            yield self.record(obj)

    def _sources(self, obj):
        sources = obj.source_list
        return [source_record(s) for s in sources], [source_text(s) for s in sources]


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

    def queryset(self):
        return (
            City.objects.order_by("pk")
            .select_related("population_source")
            .prefetch_related(
                Prefetch(
                    "other_names", queryset=CityName.objects.order_by("name"), to_attr="other_name_list"
                ),
                SOURCES,
            )
        )

    def record(self, city):
        sources, texts = self._sources(city)
        return {
            "id": city.pk,
            "slug": city.slug,
            "name": city.name,
            "native_name": city.native_name,
            "other_names": [n.name for n in city.other_name_list],
            "country": str(city.country),
            "latitude": float(city.latitude),
            "longitude": float(city.longitude),
            "population": city.population,
            "population_year": city.population_year,
            "population_note": city.population_note,
            "population_source": source_text(city.population_source) if city.population_source else None,
            "wikidata_id": city.wikidata_id or None,
            "url": self.url("partnerships:city-detail", slug=city.slug),
            "sources": sources,
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

    def queryset(self):
        events = self.visible.events().order_by("date", "sort_order", "pk").prefetch_related(SOURCES)
        return (
            self.visible.links()
            .with_cities()
            .order_by("pk")
            .prefetch_related(SOURCES, Prefetch("events", queryset=events, to_attr="public_events"))
        )

    def record(self, link):
        sources, texts = self._sources(link)
        return {
            "id": link.pk,
            "slug": link.slug,
            "city_a": link.city_a.slug,
            "city_a_name": link.city_a.name,
            "city_b": link.city_b.slug,
            "city_b_name": link.city_b.name,
            "kind": link.kind,
            "status": link.status or None,
            "status_since": _date(link.status_since, link.status_since_precision),
            "started": _date(link.started_on, link.started_precision),
            "run_by": link.run_by,
            "summary": link.summary,
            "url": self.url("partnerships:link-detail", slug=link.slug),
            "sources": sources,
            "events": [EventsDataset.event_record(e) for e in link.public_events],
            "_source_texts": texts,
            "_coordinates": [
                [float(link.city_a.longitude), float(link.city_a.latitude)],
                [float(link.city_b.longitude), float(link.city_b.latitude)],
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

    def queryset(self):
        return (
            self.visible.events()
            .select_related("link")
            .order_by("link_id", "date", "sort_order", "pk")
            .prefetch_related(SOURCES)
        )

    @staticmethod
    def event_record(event):
        sources = event.source_list
        return {
            "id": event.pk,
            "date": _date(event.date, event.date_precision),
            "date_precision": event.date_precision,
            "title": event.title,
            "description": event.description,
            "status": event.status or None,
            "decided_by": event.decided_by,
            "sources": [source_record(s) for s in sources],
            "_source_texts": [source_text(s) for s in sources],
        }

    def record(self, event):
        return {"link": event.link.slug, **self.event_record(event)}


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

    def queryset(self):
        return self.visible.statements().with_people().order_by("pk").prefetch_related(SOURCES)

    def record(self, statement):
        sources, texts = self._sources(statement)
        return {
            "id": statement.pk,
            "quote": statement.quote,
            "language": statement.language,
            "translation": statement.translation,
            "speaker": statement.speaker.slug,
            "speaker_name": statement.speaker.name,
            "role": statement.role.title if statement.role else None,
            "date": _date(statement.date, statement.date_precision),
            "context": statement.context,
            "about_link": statement.link.slug if statement.link else None,
            "about_city": statement.city.slug if statement.city else None,
            "url": self.url("partnerships:statement-detail", pk=statement.pk),
            "sources": sources,
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


@require_safe
def download(request, dataset, fmt):
    """/data/<dataset>.<format>: a streamed download of the published record."""
    if dataset not in DATASETS or fmt not in DATASETS[dataset].formats:
        raise Http404("No such download.")
    data = DATASETS[dataset](request.build_absolute_uri)
    about = request.build_absolute_uri(reverse("open-data"))
    if fmt == "csv":
        pieces = stream_csv(data)
    elif fmt == "json":
        pieces = stream_json(data, about)
    else:
        pieces = stream_geojson(data, about)
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in _batched(pieces)), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="twinning-{dataset}.{fmt}"'
    response["Link"] = f'<{LICENCE["url"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


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
                        (fmt, reverse("download", kwargs={"dataset": cls.name, "fmt": fmt}))
                        for fmt in cls.formats
                    ],
                }
            )
        return super().get_context_data(section="data", datasets=datasets, licence=LICENCE, **kwargs)
