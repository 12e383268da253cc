"""python manage.py import_twinnings: good, repeated, dry-run and bad files."""

import datetime
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnerships.dates import Precision
from partnerships.models import City, Event, Link, Source
from tests.factories import CityFactory, EventFactory, LinkFactory

DATA = Path(__file__).parent / "data"
GOOD = DATA / "wikidata_p190_sample.csv"
TSV = DATA / "wikidata_p190_sample.tsv"
BAD = DATA / "wikidata_p190_bad.csv"


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_twinnings", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (City.objects.count(), Link.objects.count(), Event.objects.count(), Source.objects.count())


def test_a_good_file_imports_cities_links_and_events(db):
    out, err = run(GOOD, "--accessed", "2026-11-01")
    assert "5 created, 0 updated, 1 skipped, 0 bad; 7 cities created" in out
    assert err == ""
    leeds = City.objects.get(wikidata_id="Q39121")
    assert (leeds.name, str(leeds.country), leeds.latitude, leeds.longitude) == (
        "Leeds",
        "GB",
        Decimal("53.799720"),
        Decimal("-1.549170"),
    )
    lille = City.objects.get(wikidata_id="Q648")
    link = Link.objects.get(
        city_a=min(leeds, lille, key=lambda c: c.pk), city_b=max(leeds, lille, key=lambda c: c.pk)
    )
    assert link.is_published and link.kind == Link.Kind.TWIN_TOWN
    # The Lille–Leeds row is the same pair: one link, one event.
    assert link.events.count() == 1
    event = link.events.get()
    assert (event.date, event.date_precision, event.status) == (
        datetime.date(1968, 1, 1),
        Precision.YEAR,
        "active",
    )
    assert (link.status, link.started_on, link.started_precision) == (
        "active",
        datetime.date(1968, 1, 1),
        "year",
    )
    source = event.sources.get()
    assert (source.publisher, source.accessed_on) == ("Wikidata", datetime.date(2026, 11, 1))
    assert "P190" in source.title and source.url == "https://www.wikidata.org/wiki/Property:P190"
    assert list(link.sources.all()) == [source]
    assert list(leeds.sources.all()) == [source]
    # An end time ends the link; a mid-year date keeps its day.
    moscow = Link.objects.get(slug="kharkiv-moscow")
    assert (moscow.status, moscow.status_since) == ("ended", datetime.date(2022, 5, 11))
    assert moscow.events.get(status="active").date_precision == Precision.DAY
    # A row without times makes a link without events.
    brno = Link.objects.get(slug="leeds-brno")
    assert brno.events.count() == 0 and brno.status == ""


def test_a_second_run_creates_nothing(db):
    run(GOOD)
    before = snapshot()
    out, _ = run(GOOD)
    assert "0 created, 0 updated, 6 skipped, 0 bad; 0 cities created" in out
    assert snapshot() == before


def test_tsv_from_the_query_service(db):
    out, _ = run(TSV)
    assert "1 created" in out
    link = Link.objects.get()
    assert {link.city_a.name, link.city_b.name} == {"Odesa", "Liverpool"}
    assert link.started_on == datetime.date(1957, 1, 1)
    assert City.objects.get(wikidata_id="Q1563").latitude == Decimal("46.485722")


def test_dry_run_counts_and_saves_nothing(db):
    before = snapshot()
    out, _ = run(GOOD, "--dry-run")
    assert out.startswith("Dry run, nothing saved: 5 created, 0 updated, 1 skipped")
    assert snapshot() == before


def test_a_bad_file_imports_nothing_and_names_each_bad_line(db):
    before = snapshot()
    with pytest.raises(CommandError, match="6 bad row"):
        _, err = run(BAD)
    assert snapshot() == before
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_twinnings", str(BAD), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"wikidata_p190_bad.csv, line {n}" for n in (3, 4, 5, 6, 7, 8)
    ]
    assert "not-a-qid" in lines[0]
    assert "Narnia" in lines[1]
    assert "latitude 152.52 is out of range" in lines[2]
    assert "twinned with itself" in lines[3]
    assert "before start" in lines[4]
    assert "Brno (Q14960) is a new city and needs its coordinates" in lines[5]


def test_a_new_city_without_coordinates_is_a_bad_row(db, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text(
        "city,cityLabel,cityCountry,coord,twin,twinLabel,twinCountry,twinCoord\n"
        "Q42716,Kharkiv,UA,Point(36.2311 49.9925),Q14960,Brno,CZ,\n"
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_twinnings", str(path), stdout=StringIO(), stderr=err)
    assert "line 2: Brno (Q14960) is a new city and needs its coordinates" in err.getvalue()
    assert City.objects.count() == 0


def test_skip_bad_imports_the_good_rows(db):
    out, err = run(BAD, "--skip-bad")
    assert "1 created, 0 updated, 0 skipped, 6 bad" in out
    assert err.count("line ") == 6
    assert Link.objects.count() == 1 and City.objects.count() == 2


def test_cities_are_matched_on_wikidata_id_then_on_name_and_country(db):
    leeds = CityFactory(name="Leeds", slug="leeds", country="GB", wikidata_id="")
    lille = CityFactory(name="Lille", slug="lille", country="FR", wikidata_id="Q648")
    CityFactory(name="Brno", slug="brno-elsewhere", country="US")  # same name, other country
    out, _ = run(GOOD)
    leeds.refresh_from_db()
    assert leeds.wikidata_id == "Q39121"
    assert City.objects.filter(name="Leeds").count() == 1
    assert City.objects.filter(name="Lille").get() == lille
    assert City.objects.filter(name="Brno").count() == 2
    assert City.objects.get(wikidata_id="Q14960").slug == "brno"
    assert "5 created" in out and "1 given their Wikidata ID" in out


def test_an_existing_link_gains_only_the_events_it_lacks(db):
    leeds = CityFactory(name="Leeds", slug="leeds", country="GB", wikidata_id="Q39121")
    lille = CityFactory(name="Lille", slug="lille", country="FR", wikidata_id="Q648")
    kharkiv = CityFactory(name="Kharkiv", slug="kharkiv", country="UA", wikidata_id="Q42716")
    moscow = CityFactory(name="Moscow", slug="moscow", country="RU", wikidata_id="Q649")
    EventFactory(
        link=LinkFactory(city_a=leeds, city_b=lille, slug="leeds-lille"), date=datetime.date(1968, 1, 1)
    )
    existing = LinkFactory(city_a=kharkiv, city_b=moscow, slug="kharkiv-moscow")
    EventFactory(
        link=existing, date=datetime.date(1997, 5, 23), date_precision=Precision.DAY, status="active"
    )
    out, _ = run(GOOD)
    assert "3 created, 1 updated, 2 skipped" in out
    existing.refresh_from_db()
    assert existing.events.count() == 2
    assert (existing.status, existing.status_since, existing.started_on) == (
        "ended",
        datetime.date(2022, 5, 11),
        datetime.date(1997, 5, 23),
    )
    assert Link.objects.get(slug="leeds-lille").events.count() == 1


def test_slugs_do_not_collide(db, tmp_path):
    CityFactory(name="Springfield", slug="springfield", country="US")
    path = tmp_path / "pairs.tsv"
    path.write_text(
        "city\tcityLabel\tcityCountry\tcityLat\tcityLon\ttwin\ttwinLabel\ttwinCountry\ttwinLat\ttwinLon\n"
        "Q1\tSpringfield\tGB\t51\t0\tQ2\tSpringfield\tFR\t48\t2\n"
        "Q3\tSpringfield\tDE\t50\t8\tQ4\tSpringfield\tIE\t53\t-7\n"
        "Q5\tКиїв\tUA\t50.45\t30.52\tQ4\tSpringfield\tIE\t53\t-7\n"
    )
    out, _ = run(path)
    assert "3 created" in out
    slugs = set(City.objects.values_list("slug", flat=True))
    assert {"springfield", "springfield-gb", "springfield-fr", "springfield-de", "springfield-ie"} <= slugs
    assert len(set(Link.objects.values_list("slug", flat=True))) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("a,b,c\n1,2,3\n", "lacks city, cityLabel"),
        ("city,cityLabel\x00\n", "NUL"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(db, tmp_path, content, message):
    path = tmp_path / "pairs.csv"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run(path)


def test_a_file_that_is_not_utf8_or_missing(db, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_bytes(b"city,cityLabel\n\xff\xfe\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        run(path)
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv")


def test_the_separator_is_sniffed_without_an_extension(db, tmp_path):
    path = tmp_path / "pairs"
    shutil.copy(TSV, path)
    assert "1 created" in run(path)[0]


def test_an_import_tells_the_page_cache_and_the_downloads_that_the_content_changed(client, db, tmp_path):
    """The import writes in bulk, which sends no signals; a second import the same day reuses
    its source, so nothing else would say that the content changed."""
    run(GOOD, "--accessed", "2026-11-01")
    links = client.get("/links/")
    assert links["X-Page-Cache"] == "miss"
    assert client.get("/links/")["X-Page-Cache"] == "hit"
    path = tmp_path / "pairs.csv"
    path.write_text(
        "city,cityLabel,cityCountry,coord,twin,twinLabel,twinCountry,twinCoord\n"
        "Q99999001,Abbotsgrad,UA,Point(30.5 50.4),Q99999002,Abbotsville,CZ,Point(16.6 49.2)\n"
    )
    run(path, "--accessed", "2026-11-01")
    again = client.get("/links/")
    assert again["X-Page-Cache"] == "miss"
    assert "Abbotsgrad" in again.content.decode() and "Abbotsgrad" not in links.content.decode()
