"""The downloads: they parse, they match the database, drafts stay out, and they stream with a
query count that grows with chunks of rows, never with rows."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships import opendata
from partnerships.dates import Precision
from partnerships.models import City, Event, Link, Source, Statement
from tests.html_checks import assert_sound_html

ORIGIN = "http://testserver"


def body(response):
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def download(client, dataset, fmt):
    return client.get(reverse("download", kwargs={"dataset": dataset, "fmt": fmt}))


def rows(client, dataset):
    return list(csv.DictReader(io.StringIO(body(download(client, dataset, "csv")))))


def test_the_open_data_page_documents_every_download_and_the_licence(client, db):
    response = client.get("/data/")
    assert_sound_html(response)
    text = response.content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in text
    for dataset, formats in {
        "cities": ("csv", "json"),
        "links": ("csv", "json", "geojson"),
        "events": ("csv", "json"),
        "statements": ("csv", "json"),
    }.items():
        for fmt in formats:
            assert f'href="/data/{dataset}.{fmt}"' in text


def test_the_download_links_are_named_in_the_pages_language(client, db):
    def names(path):
        text = client.get(path).content.decode()
        return [" ".join(n.split()) for n in re.findall(r"<a href=\"[^\"]+\" download>(.*?)</a>", text, re.S)]

    assert names("/data/")[:5] == [
        "Cities as CSV",
        "Cities as JSON",
        "Links as CSV",
        "Links as JSON",
        "Links as GeoJSON",
    ]
    assert names("/uk/data/")[:2] == ["Міста у форматі CSV", "Міста у форматі JSON"]


def test_cities_csv_matches_the_database(client, world):
    got = rows(client, "cities")
    assert [r["slug"] for r in got] == list(City.objects.order_by("pk").values_list("slug", flat=True))
    kharkiv = next(r for r in got if r["slug"] == "kharkiv")
    assert kharkiv["native_name"] == "Харків"
    assert kharkiv["other_names"] == "Kharkov"
    assert (Decimal(kharkiv["latitude"]), Decimal(kharkiv["longitude"])) == (
        Decimal("49.9925"),
        Decimal("36.2311"),
    )
    assert kharkiv["population"] == "1421125" and kharkiv["population_year"] == "2022"
    infobox = f"Wikipedia: City infoboxes <{world.infobox.url}>"
    assert kharkiv["population_source"] == infobox
    assert kharkiv["sources"] == infobox
    assert kharkiv["url"] == f"{ORIGIN}/cities/kharkiv/"


def test_links_csv_has_only_published_links(client, world):
    got = rows(client, "links")
    assert {r["slug"] for r in got} == set(
        Link.objects.filter(is_published=True).values_list("slug", flat=True)
    )
    assert "kharkiv-odesa" not in {r["slug"] for r in got}
    lk = next(r for r in got if r["slug"] == "leeds-kharkiv")
    assert (lk["status"], lk["status_since"], lk["kind"]) == (
        "under_negotiation",
        "2023-12-06",
        "friendship_oath",
    )
    assert lk["sources"] == "Leeds City Council: Partner cities page"
    assert next(r for r in got if r["slug"] == "leeds-lille")["started"] == "1968"


def test_events_csv_is_the_published_history(client, world):
    got = rows(client, "events")
    expected = Event.objects.filter(is_published=True, link__is_published=True)
    assert {int(r["id"]) for r in got} == set(expected.values_list("pk", flat=True))
    titles = {r["title"] for r in got}
    assert "Unpublished event" not in titles and "Draft link event" not in titles
    oath = next(r for r in got if r["title"] == "Friendship Oath signed in Prague")
    assert (
        oath["link"] == "leeds-kharkiv"
        and oath["date"] == "2023-12-06"
        and oath["status"] == "under_negotiation"
    )
    assert "Council news on the Leeds–Kharkiv Friendship Oath" in oath["sources"]


def test_links_json_nests_the_status_history_with_sources(client, world):
    data = json.loads(body(download(client, "links", "json")))
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    records = {r["slug"]: r for r in data["records"]}
    assert set(records) == set(Link.objects.filter(is_published=True).values_list("slug", flat=True))
    history = records["leeds-kharkiv"]["events"]
    assert [e["title"] for e in history] == [
        "Kharkiv approaches Leeds",
        "Councillors agree to explore a partnership",
        "Friendship Oath signed in Prague",
    ]
    assert history[1]["date"] == "2022-07" and history[1]["status"] == "proposed"
    assert {s["publisher"] for s in history[1]["sources"]} == {"BBC News", "Leeds City Council"}
    assert "_source_texts" not in json.dumps(data)


def test_links_geojson_is_a_feature_collection_of_lines(client, world):
    response = download(client, "links", "geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(body(response))
    assert data["type"] == "FeatureCollection"
    features = {f["properties"]["slug"]: f for f in data["features"]}
    assert "kharkiv-odesa" not in features
    line = features["leeds-kharkiv"]["geometry"]
    assert line == {"type": "LineString", "coordinates": [[-1.54917, 53.79972], [36.2311, 49.9925]]}
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert len(feature["geometry"]["coordinates"]) == 2
        for lon, lat in feature["geometry"]["coordinates"]:
            assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_statements_exclude_drafts_and_statements_about_draft_links(client, world):
    got = rows(client, "statements")
    ids = {int(r["id"]) for r in got}
    assert ids == {world.lewis_said.pk, world.terekhov_said.pk, world.about_kharkiv.pk}
    said = next(r for r in got if int(r["id"]) == world.terekhov_said.pk)
    assert said["quote"] == "Ми пишаємося новими стосунками з Лідсом."
    assert said["translation"] == "We are proud of the new relationship with Leeds."
    assert (said["speaker"], said["role"], said["date"], said["about_link"]) == (
        "ihor-terekhov",
        "Mayor of Kharkiv",
        "2022-07",
        "leeds-kharkiv",
    )
    data = json.loads(body(download(client, "statements", "json")))
    assert {r["id"] for r in data["records"]} == ids
    assert data["records"][0]["sources"][0]["publisher"]


def test_staff_get_the_public_data_too(staff_client, world):
    assert "kharkiv-odesa" not in {r["slug"] for r in rows(staff_client, "links")}


def test_download_headers(client, world):
    response = download(client, "cities", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="twinning-cities.csv"'
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


@pytest.mark.parametrize(
    "path", ["/data/cities.geojson", "/data/nothing.csv", "/data/links.xml", "/data/links.csv.json"]
)
def test_unknown_downloads_are_404(client_no_raise, db, path):
    assert client_no_raise.get(path).status_code == 404


def _many_links(n):
    source = Source.objects.create(title="Bulk", publisher="Example")
    cities = City.objects.bulk_create(
        [
            City(
                name=f"Town {i}",
                slug=f"town-{i}",
                country="FR",
                latitude=Decimal("48.1"),
                longitude=Decimal("2.2"),
            )
            for i in range(n + 1)
        ]
    )
    links = Link.objects.bulk_create(
        [
            Link(city_a=cities[0], city_b=c, slug=f"l-{c.pk}", kind="twin_town", is_published=True)
            for c in cities[1:]
        ]
    )
    events = Event.objects.bulk_create(
        [
            Event(
                link=lk,
                date=datetime.date(1990, 1, 1),
                date_precision=Precision.YEAR,
                title="Twinned",
                status="active",
                is_published=True,
            )
            for lk in links
        ]
    )
    Link.sources.through.objects.bulk_create([Link.sources.through(link=lk, source=source) for lk in links])
    Event.sources.through.objects.bulk_create([Event.sources.through(event=e, source=source) for e in events])
    City.sources.through.objects.bulk_create([City.sources.through(city=c, source=source) for c in cities])
    speaker = __import__("tests.factories", fromlist=["PersonFactory"]).PersonFactory()
    statements = Statement.objects.bulk_create(
        [
            Statement(
                quote=f"Said {i}",
                speaker=speaker,
                date=datetime.date(2000, 1, 1),
                link=links[i],
                is_published=True,
            )
            for i in range(n)
        ]
    )
    Statement.sources.through.objects.bulk_create(
        [Statement.sources.through(statement=s, source=source) for s in statements]
    )


@pytest.mark.parametrize(
    ("dataset", "fmt", "per_chunk"),
    [
        ("cities", "csv", 3),  # rows, other names, sources
        ("cities", "json", 3),
        ("links", "csv", 4),  # rows, sources, events, their sources
        ("links", "json", 4),
        ("links", "geojson", 4),
        ("events", "csv", 2),
        ("statements", "json", 2),
    ],
)
def test_downloads_stream_in_chunks_with_a_bounded_query_count(
    client, db, django_assert_max_num_queries, monkeypatch, dataset, fmt, per_chunk
):
    monkeypatch.setattr(opendata, "CHUNK", 500)
    _many_links(2400)  # five chunks of 500
    with django_assert_max_num_queries(5 * per_chunk + 1) as captured:
        text = body(download(client, dataset, fmt))
    expected = {"cities": 2401, "links": 2400, "events": 2400, "statements": 2400}[dataset]
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == expected
    else:
        data = json.loads(text)
        assert len(data.get("records", data.get("features"))) == expected
    assert len(captured) <= 5 * per_chunk + 1
