"""Each open-data download built once per content version and kept on disk, compressed.

Building ``/data/links.json`` on the benchmark's data (50,000 links with their 150,000 events)
takes about 5 s of a core and sends 75 MB; every request built it again, so a few people
downloading at once could hold the server's cores. Now the first request after a change of
content builds it into a gzipped file, at the database's pace whatever the visitor's, and every
request is served that file (gzipped to clients that accept it, about a tenth of the size;
unpacked as it is sent to the others), with an ``ETag`` for a conditional GET.

The file's name holds the content version (``twinning.page_cache``): a change of content makes
every stored download stale at once, on every worker, and the next request builds a new one; a
file older than ``OPEN_DATA_MAX_AGE`` is built again too, as the page cache's pages expire. It
also holds a key of the scheme, host and language, because the records carry absolute addresses
in the language of the request. One request at a time builds a given download (a lock file);
requests meanwhile wait for its file (``OPEN_DATA_WAIT`` seconds at most, then they stream their
own copy, as every request used to). A build that fails leaves no file. A store that cannot be
written (no directory, a full disk), or no content version to name the file by (the cache is
down), only means the download is streamed as it is built, for each request. See
docs/adr/0083-stored-open-data-downloads.md.
"""

import contextlib
import fcntl
import gzip
import hashlib
import logging
import os
import re
import threading
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import get_language

from twinning import page_cache

log = logging.getLogger(__name__)

READ_SIZE = 256 * 1024
COMPRESS_LEVEL = 6
WAIT_STEP = 0.1  # seconds between looks at another request's build
ABANDONED_AFTER = 60 * 60  # seconds after which an unfinished build's part file is removed
_QUALITY = re.compile(r";\s*q\s*=\s*([^;\s]*)", re.IGNORECASE)


class StoredDownload:
    """One download (``dataset`` in ``fmt``) at one content version, for one origin and language."""

    def __init__(self, root, dataset, fmt, version, origin):
        self.root = Path(root)
        self.version = version
        key = hashlib.sha256(f"{origin}|{get_language()}".encode()).hexdigest()[:12]
        self.stem = f"{dataset}.{fmt}.{key}"
        self.path = self.root / f"{self.stem}.{version}.gz"
        self.lock_path = self.root / f".{self.stem}.{version}.lock"
        self.etag = f'"{version}-{key}"'

    @classmethod
    def for_request(cls, request, dataset, fmt):
        """The stored download for this request, or None when downloads are not stored (no
        ``OPEN_DATA_ROOT``) or the content version cannot be read (the cache is down)."""
        root = settings.OPEN_DATA_ROOT
        if not root:
            return None
        try:
            version = page_cache.current_version()
        except Exception:
            log.exception("The content version cannot be read; the download is built for this request")
            return None
        if not isinstance(version, int):  # the cache is down (it answers with nothing)
            return None
        return cls(root, dataset, fmt, version, f"{request.scheme}://{request.get_host()}")

    def response(self, request, content_type):
        """The stored file as a response, or None if there is none (yet, or any longer)."""
        packed = accepts_gzip(request.headers.get("Accept-Encoding", ""))
        if not self._is_fresh():  # none yet, or too old: built again, as after a change
            return None
        try:
            # Opened here: a file replaced by a newer version meanwhile is still read whole.
            stored = self.path.open("rb") if packed else _Unpacked(self.path)
        except OSError:  # none yet, or none any longer; or no store to read
            return None
        response = FileResponse(stored, content_type=content_type)
        response.block_size = READ_SIZE
        if packed:
            response["Content-Encoding"] = "gzip"
            response["ETag"] = self.etag[:-1] + '-gzip"'
        else:
            response["ETag"] = self.etag
        return response

    def ensure_built(self, chunks):
        """Build the file from ``chunks()`` (bytes) unless it is there, holding the build's lock,
        or wait while another request builds it (``OPEN_DATA_WAIT`` seconds at most). Afterwards
        ``response()`` has the file, unless the store cannot be written or the other build took
        too long."""
        deadline = time.monotonic() + settings.OPEN_DATA_WAIT
        while True:
            try:
                lock = _claim(self.lock_path)
            except OSError:
                log.exception("The open data store cannot be written; the download is not stored")
                return
            if lock is not None:
                break
            if time.monotonic() >= deadline:
                return
            time.sleep(WAIT_STEP)
        try:
            if not self._is_fresh():  # not built by the request this one waited for
                self._write(chunks())
        finally:
            lock.close()  # releases the lock

    def _is_fresh(self):
        """Whether the file is there and younger than ``OPEN_DATA_MAX_AGE``."""
        try:
            return time.time() - self.path.stat().st_mtime <= settings.OPEN_DATA_MAX_AGE
        except OSError:
            return False

    def _write(self, chunks):
        """Gzip ``chunks`` into the store; the file appears, whole, only once they are all
        written. A store that cannot be written is logged; an error building the chunks (the
        database) is raised, as a streamed download would have raised it."""
        part = self.root / f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.part"
        try:
            with part.open("wb") as raw:
                with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0) as packed:
                    for chunk in chunks:
                        packed.write(chunk)
                raw.flush()
                os.fsync(raw.fileno())  # whole on disk before it is moved into place
            os.replace(part, self.path)
            self._remove_older()
        except OSError:
            log.exception("The open data store cannot be written; the download is not stored")
        finally:
            with contextlib.suppress(OSError):
                part.unlink()  # gone once moved into place

    def _remove_older(self):
        """Delete the stored downloads, and their lock files, of earlier content versions (of
        any download), and parts of builds abandoned long ago (a worker killed while building)."""
        for path in [*self.root.glob("*.gz"), *self.root.glob(".*.lock")]:
            try:
                version = int(path.name.rsplit(".", 2)[-2])
            except (ValueError, IndexError):
                continue
            if version < self.version:
                with contextlib.suppress(OSError):
                    path.unlink()
        for path in self.root.glob(".*.part"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > ABANDONED_AFTER:
                    path.unlink()


def accepts_gzip(header):
    """Whether an Accept-Encoding header accepts gzip: named (or ``*`` when gzip is not named)
    with a quality above 0. ``gzip;q=0`` refuses it (RFC 9110, 12.5.3), which a search for the
    word "gzip" would take for a yes."""
    named = {}
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = _QUALITY.search(";" + params) if params else None
        try:
            value = float(quality.group(1)) if quality else 1.0
        except ValueError:
            value = 0.0
        named[coding] = value if 0 <= value <= 1 else 0.0  # a malformed quality is not a yes
    for coding in ("gzip", "x-gzip"):
        if coding in named:
            return named[coding] > 0
    return named.get("*", 0.0) > 0


def _claim(path):
    """An exclusive lock on ``path`` (a file held open), or None when another build has it.
    OSError: the store cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


class _Unpacked:
    """A stored file read unpacked, for a client that does not accept gzip. It has no length to
    tell (FileResponse would unpack it all to find one)."""

    def __init__(self, path):
        self._file = gzip.open(path, "rb")  # noqa: SIM115 - closed by the response, via close()
        self._file.peek(1)  # a missing or unreadable file fails here, not in the middle of a response

    def read(self, size=-1):
        return self._file.read(size)

    def close(self):
        self._file.close()
