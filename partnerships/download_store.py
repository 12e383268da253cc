"""Each open-data download built once per content version and kept on disk, compressed.

Building ``/data/links.json`` on the benchmark's data (50,000 links with their 150,000 events)
takes about 5 s of a core and sends 75 MB; every request built it again, so a few people
downloading at once could hold the server's cores. Now the first request after a change of
content builds it as before, streaming it to that visitor while it is gzipped into a file; the
requests after it are served that file (gzipped to clients that accept it, about a tenth of the
size; unpacked as it is sent to the others), with an ``ETag`` for a conditional GET.

The file's name holds the content version (``twinning.page_cache``): a change of content makes
every stored download stale at once, on every worker, and the next request builds a new one. It
also holds a key of the scheme, host and language, because the records carry absolute addresses
in the language of the request. One request at a time builds a given download (a lock file);
requests meanwhile wait for its file (``OPEN_DATA_WAIT`` seconds at most, then they stream their
own copy, as every request used to). A build that does not finish (the visitor left, an error)
leaves no file. A store that cannot be written (no directory, a full
disk) only means the download is built for each request. See
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
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


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
        return cls(root, dataset, fmt, version, f"{request.scheme}://{request.get_host()}")

    def response(self, request, content_type):
        """The stored file as a response, or None if there is none (yet, or any longer)."""
        packed = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
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

    def wait_for_build(self):
        """While another request builds this download, wait for it (up to ``OPEN_DATA_WAIT``
        seconds) rather than build it too. True if a build was under way: its file may be there
        now."""
        deadline = time.monotonic() + settings.OPEN_DATA_WAIT
        waited = False
        while True:
            try:
                lock = _claim(self.lock_path)
            except OSError:  # no store to build into, so no build to wait for
                return False
            if lock is not None:
                lock.close()
                return waited
            if time.monotonic() >= deadline:
                return waited
            waited = True
            time.sleep(WAIT_STEP)

    def build(self, chunks):
        """Pass ``chunks`` (bytes) on, gzipping them into the store; the file appears only once
        they have all been written. Another build of the same download under way (it outlasted
        ``wait_for_build``), or no store to write: pass them on only."""
        try:
            lock = _claim(self.lock_path)
        except OSError:
            log.exception("The open data store cannot be written; the download is not stored")
            lock = None
        if lock is None:
            yield from chunks
            return
        part = self.root / f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.part"
        stored = False
        try:
            with _Packer(part) as packer:
                for chunk in chunks:
                    packer.write(chunk)
                    yield chunk
            if packer.ok:
                try:
                    os.replace(part, self.path)
                except OSError:  # the visitor has it all; only the store missed it
                    log.exception("The open data store cannot be written; the download is not stored")
                else:
                    stored = True
                    self._remove_older()
        finally:
            if not stored:
                with contextlib.suppress(OSError):
                    part.unlink()
            lock.close()  # releases the lock

    def _remove_older(self):
        """Delete the stored downloads, and their lock files, of earlier content versions (of
        any download)."""
        for path in [*self.root.glob("*.gz"), *self.root.glob(".*.lock")]:
            try:
                version = int(path.name.rsplit(".", 2)[-2])
            except (ValueError, IndexError):
                continue
            if version < self.version:
                with contextlib.suppress(OSError):
                    path.unlink()


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


class _Packer:
    """Gzips what is written into ``path``; a failure to write stops the packing, never the
    download (``ok`` says whether the file is whole)."""

    def __init__(self, path):
        self.path = path
        self.ok = True
        self._raw = self._gzip = None

    def __enter__(self):
        try:
            self._raw = self.path.open("wb")
            self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0)
        except OSError:
            self._fail()
        return self

    def write(self, chunk):
        if self.ok:
            try:
                self._gzip.write(chunk)
            except OSError:
                self._fail()

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            self.ok = False
        try:
            if self._gzip is not None:
                self._gzip.close()
            if self._raw is not None:
                self._raw.close()
        except OSError:
            self._fail()
        return False

    def _fail(self):
        if self.ok:
            log.exception("The open data store cannot be written; the download is not stored")
        self.ok = False


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
