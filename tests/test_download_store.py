"""Each download is built once per change of content, stored gzipped, and served from the store
(partnerships/download_store.py): the same bytes, no query, a conditional GET, gzip to those who
accept it; a build that does not finish stores nothing."""

import gzip
import json
import os
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from partnerships import download_store, opendata
from partnerships.download_store import accepts_gzip
from partnerships.models import City
from twinning import page_cache

pytestmark = pytest.mark.django_db


def url(dataset, fmt, language="en"):
    with translation.override(language):  # a request to /uk/ leaves Ukrainian active
        return reverse("download", kwargs={"dataset": dataset, "fmt": fmt})


def fetch(client, address, **headers):
    response = client.get(address, **headers)
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content)


def stored_files(settings):
    return sorted(p.name for p in Path(settings.OPEN_DATA_ROOT).glob("*.gz"))


def test_the_second_download_is_the_stored_file_without_a_query(
    client, world, settings, django_assert_num_queries
):
    first, built = fetch(client, url("links", "json"))
    assert len(stored_files(settings)) == 1
    assert first["ETag"]  # built into the store, then served from it
    with django_assert_num_queries(0):
        second, served = fetch(client, url("links", "json"))
    assert served == built
    assert json.loads(served)["records"]
    assert second["Content-Type"] == "application/json"
    assert second["Content-Disposition"] == 'attachment; filename="twinning-links.json"'
    assert second["Cache-Control"] == "public, max-age=60"
    assert "Accept-Encoding" in second["Vary"]
    again = client.get(url("links", "json"), HTTP_IF_NONE_MATCH=second["ETag"])
    assert again.status_code == 304


def test_a_client_that_accepts_gzip_gets_the_stored_file_as_it_is(client, world):
    _, built = fetch(client, url("links", "geojson"))
    packed, sent = fetch(client, url("links", "geojson"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(sent) < len(built)
    assert gzip.decompress(sent) == built
    plain, _ = fetch(client, url("links", "geojson"))
    assert packed["ETag"] != plain["ETag"]  # two representations
    assert (
        client.get(
            url("links", "geojson"), HTTP_IF_NONE_MATCH=packed["ETag"], HTTP_ACCEPT_ENCODING="gzip"
        ).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, deflate", False),
        ("*;q=0.5, gzip;q=0", False),
        ("*;q=0", False),
        ("deflate, br", False),
        ("identity", False),
        ("gzip;q=oops", False),
        ("notgzip", False),
        ("", False),
    ],
)
def test_which_accept_encoding_headers_accept_gzip(header, accepted):
    assert accepts_gzip(header) is accepted


def test_a_client_that_refuses_gzip_gets_it_unpacked(client, world):
    _, built = fetch(client, url("links", "geojson"))
    plain, sent = fetch(client, url("links", "geojson"), HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in plain
    assert sent == built


def test_a_change_of_content_builds_it_again_and_drops_the_old_file(client, world, settings):
    _, before = fetch(client, url("cities", "csv"))
    old = stored_files(settings)
    City.objects.filter(pk=world.kharkiv.pk).update(name="Kharkiv (renamed)")  # no signal: not yet stale
    assert fetch(client, url("cities", "csv"))[1] == before
    world.kharkiv.refresh_from_db()
    world.kharkiv.save()  # a save through the model, as the admin makes: the content version moves on
    _, after = fetch(client, url("cities", "csv"))
    assert b"Kharkiv (renamed)" in after and after != before
    assert len(stored_files(settings)) == 1 and stored_files(settings) != old


def test_each_language_has_its_own_file_with_its_own_addresses(client, world, settings):
    _, english = fetch(client, url("links", "csv"))
    _, ukrainian = fetch(client, url("links", "csv", language="uk"))
    assert b"http://testserver/uk/links/" in ukrainian
    assert b"http://testserver/uk/" not in english
    assert len(stored_files(settings)) == 2
    assert fetch(client, url("links", "csv"))[1] == english
    assert fetch(client, url("links", "csv", language="uk"))[1] == ukrainian


def test_a_build_that_fails_stores_nothing_and_releases_its_lock(client, world, settings, monkeypatch):
    def failing(request, dataset, fmt):
        yield b'{"records": ['
        raise RuntimeError("the database went away")

    monkeypatch.setattr(opendata, "_built", failing)
    with pytest.raises(RuntimeError):
        client.get(url("links", "json"))
    assert stored_files(settings) == []
    assert not list(Path(settings.OPEN_DATA_ROOT).glob(".*.part"))
    monkeypatch.undo()
    response, built = fetch(client, url("links", "json"))  # the lock was released: this one stores
    assert response["ETag"] and len(stored_files(settings)) == 1
    assert json.loads(built)["records"]


def test_a_file_older_than_the_longest_age_is_built_again(client, world, settings):
    _, before = fetch(client, url("cities", "csv"))
    (stored,) = Path(settings.OPEN_DATA_ROOT).glob("*.gz")
    City.objects.filter(pk=world.kharkiv.pk).update(name="Kharkiv (renamed)")  # no signal
    assert fetch(client, url("cities", "csv"))[1] == before
    old = time.time() - settings.OPEN_DATA_MAX_AGE - 60
    os.utime(stored, (old, old))
    _, after = fetch(client, url("cities", "csv"))
    assert b"Kharkiv (renamed)" in after


def test_with_the_cache_down_a_download_is_streamed_and_nothing_stored(client, world, settings):
    # A real cache backend with no server behind it: it answers every read with nothing, so
    # there is no content version to name a file by.
    settings.CACHES = {
        "default": {"BACKEND": "twinning.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    response, built = fetch(client, url("statements", "csv"))
    assert "ETag" not in response
    assert built.startswith(b"id,quote")
    assert not Path(settings.OPEN_DATA_ROOT).exists() or stored_files(settings) == []


def held_build(settings, dataset, fmt):
    """The download as the request will look for it, and its build's lock, taken as another
    request building it would hold it."""
    held = download_store.StoredDownload(
        settings.OPEN_DATA_ROOT, dataset, fmt, page_cache.current_version(), "http://testserver"
    )
    lock = download_store._claim(held.lock_path)
    assert lock is not None
    return held, lock


def test_a_request_while_another_builds_it_waits_for_that_file(client, world, settings):
    held, lock = held_build(settings, "statements", "json")

    def finish_the_build():
        time.sleep(0.3)
        held.path.write_bytes(gzip.compress(b'{"records": ["built by the other request"]}'))
        lock.close()

    other = threading.Thread(target=finish_the_build)
    other.start()
    try:
        response, served = fetch(client, url("statements", "json"))
    finally:
        other.join()
    assert served == b'{"records": ["built by the other request"]}'
    assert response["ETag"] == held.etag


def test_a_build_that_outlasts_the_wait_is_not_waited_for_any_longer(client, world, settings):
    settings.OPEN_DATA_WAIT = 0.2
    _held, lock = held_build(settings, "statements", "json")
    try:
        response, built = fetch(client, url("statements", "json"))
    finally:
        lock.close()
    assert json.loads(built)["records"]
    assert "ETag" not in response  # built for this request
    assert stored_files(settings) == []  # and not stored: the other build has the lock


def test_a_store_that_cannot_be_written_only_means_each_download_is_built(client, world, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.OPEN_DATA_ROOT = str(blocker / "open-data")
    _, first = fetch(client, url("events", "csv"))
    response, second = fetch(client, url("events", "csv"))
    assert first == second and b"Unpublished event" not in second
    assert "ETag" not in response


def test_no_store_configured_builds_each_download(client, world, settings):
    settings.OPEN_DATA_ROOT = ""
    _, first = fetch(client, url("cities", "json"))
    response, second = fetch(client, url("cities", "json"))
    assert first == second
    assert "ETag" not in response
