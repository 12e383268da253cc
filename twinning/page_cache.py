"""Whole public pages cached for anonymous visitors, shared by every worker, invalidated at once.

Each stored page carries the *content version* it was rendered at. The version is a number kept
in the cache itself; any save, delete or many-to-many change of a content model (the apps in
``PAGE_CACHE_CONTENT_APPS``) increments it, so every stored page becomes stale at once. With
Redis as the cache, every worker reads the same version, so a change made through one worker
(or a management command, or a shell) is seen by all of them at their next request. A request
fetches the version and its page in one round trip (``get_many``) and uses the page only if
the versions match.

Never cached: signed-in users (staff preview drafts; their responses are marked private),
methods other than GET and HEAD, requests carrying a messages cookie, the admin, and any
response that is not a plain 200, sets a cookie, uses a CSRF token, varies on cookies or says
it is private or not to be stored (the Donate redirect is ``never_cache``). The key includes the
scheme, host, language, full path with query string and today's date, because appeal pages say
whether an appeal is open today. See docs/adr/0060-page-cache-content-version.md.

A request that misses claims the render of its page at the current version; requests for the
same page meanwhile wait for that render's page instead of rendering it too. A page that the
render did not store is marked PASS for that version: later requests for it render at once
(docs/adr/0074-one-render-per-page.md).
"""

import hashlib
import logging
import time
import zlib

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, get_max_age, patch_cache_control, set_response_etag
from django.utils.translation import get_language

from appeals import clock

log = logging.getLogger(__name__)

VERSION_KEY = "page-cache:version"
HEADER = "X-Page-Cache"
MESSAGES_COOKIE = CookieStorage.cookie_name
_UNCACHEABLE_DIRECTIVES = {"private", "no-cache", "no-store"}
# In place of a stored page's status: the page was rendered at this version and not stored.
PASS = None


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _new_version():
    # Microseconds since the epoch: a version created after the key was lost (evicted, flushed)
    # is larger than any the site has used, so no page stored before can match it.
    return time.time_ns() // 1000


def current_version(cache=None):
    cache = cache or _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_version():
    """Make every stored page stale, for every worker sharing the cache."""
    cache = _cache()
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (first run, or evicted): any new one will do
            cache.add(VERSION_KEY, _new_version(), timeout=None)
    except Exception:  # the cache being down must not make saving content fail
        log.exception("Could not invalidate the page cache")


def content_changed(**kwargs):
    """Invalidate now, and again once the transaction commits.

    The immediate bump makes this process and the other workers stop serving the old page; the
    one after commit stops a worker that rendered the page between the first bump and the commit
    (and so stored the old content under the new version) from serving it any longer.
    """
    bump_version()
    transaction.on_commit(bump_version, robust=True)


def cached_for_content(name, compute, timeout=None):
    """``compute()``, worked out once per content version and shared by every worker.

    For data that depends on the content only (never on the request), such as the choices of a
    list's filters: it is recomputed after the next change of any content.
    """
    cache = _cache()
    try:
        key = f"page-cache:data:{name}:{current_version(cache)}"
        value = cache.get(key)
    except Exception:
        log.exception("The page cache cannot be read; computing %s", name)
        return compute()
    if value is None:
        value = compute()
        _write(cache, key, value, timeout or settings.PAGE_CACHE_TIMEOUT)
    return value


def _write(cache, key, value, timeout):
    """Store ``value``; a cache that cannot be written is logged, and the site goes on."""
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:
        log.exception("The page cache cannot be written")


def _is_content(model):
    return (
        model._meta.app_label in settings.PAGE_CACHE_CONTENT_APPS
        and model._meta.label not in settings.PAGE_CACHE_IGNORED_MODELS
    )


def _on_save_or_delete(sender, **kwargs):
    if _is_content(sender):
        content_changed()


def _on_m2m_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and _is_content(sender):
        content_changed()


def connect_signals():
    post_save.connect(_on_save_or_delete, dispatch_uid="page_cache_post_save")
    post_delete.connect(_on_save_or_delete, dispatch_uid="page_cache_post_delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="page_cache_m2m_changed")


def page_key(request):
    parts = [
        request.scheme,
        request.get_host(),
        getattr(request, "LANGUAGE_CODE", None) or get_language() or "",
        clock.today().isoformat(),
        request.get_full_path(),
    ]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"page-cache:page:{digest}"


class PageCacheMiddleware:
    """Serve and store anonymous visitors' pages; put it last in MIDDLEWARE.

    Being innermost, it stores the view's own response; the middleware around it (security
    headers, language, clickjacking, conditional GET) process every response, hit or miss.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_ENABLED or not self._request_may_use_cache(request):
            response = self.get_response(request)
            if request.user.is_authenticated and not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        cache = _cache()
        key = page_key(request)
        try:
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or current_version(cache)
        except Exception:
            log.exception("The page cache cannot be read; serving without it")
            return self.get_response(request)

        entry = found.get(key)
        if entry is not None and entry[0] == version:
            if entry[1] is PASS:  # this page was not stored at this version: nobody waits for it
                return self._render_and_store(request, cache, key, version, claimed=False)
            return self._rebuild(entry)

        # One render per page and version: the first request to miss claims it; the others
        # wait for its page rather than render the same page all at once (a crowd on a page
        # just after an edit would otherwise render it once per thread).
        claim = f"{key}:rendering:{version}"
        if not self._claim(cache, claim):
            entry = self._wait_for(cache, key, claim, version)
            if entry is not None:
                response = self._rebuild(entry)
                response[HEADER] = "wait"
                return response
            claim = None  # the page was not stored or took too long: render it here
        try:
            return self._render_and_store(request, cache, key, version, claimed=bool(claim))
        finally:
            if claim:
                self._release(cache, claim)

    def _render_and_store(self, request, cache, key, version, claimed):
        """Render the page and store it if it may be. A claimed GET whose page may not be stored
        (never_cache, a 404, a cookie) leaves a PASS mark for this version instead, so that the
        next requests for it render at once rather than claim and wait (ADR 0074)."""
        response = self.get_response(request)
        if request.method == "GET" and self._response_may_be_stored(request, response):
            set_response_etag(response)
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
            entry = (
                version,
                response.status_code,
                list(response.items()),
                zlib.compress(response.content, 1),
            )
            _write(cache, key, entry, settings.PAGE_CACHE_TIMEOUT)
            response[HEADER] = "miss"
        else:
            if claimed and request.method == "GET":
                _write(cache, key, (version, PASS, [], b""), settings.PAGE_CACHE_PASS_TIMEOUT)
            response[HEADER] = "skip"
        return response

    @staticmethod
    def _claim(cache, claim):
        """True if this request is to render the page: no other request is rendering it."""
        try:
            return cache.add(claim, 1, timeout=settings.PAGE_CACHE_RENDER_TIMEOUT)
        except Exception:
            log.exception("The page cache cannot be written; rendering without waiting")
            return True

    @staticmethod
    def _release(cache, claim):
        try:
            cache.delete(claim)
        except Exception:
            log.exception("The page cache cannot be written")

    @staticmethod
    def _wait_for(cache, key, claim, version):
        """The stored page of ``version`` once the request rendering it has stored it, or None
        if that request finished without storing it or PAGE_CACHE_WAIT went by first."""
        deadline = time.monotonic() + settings.PAGE_CACHE_WAIT
        pause = 0.005
        while time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            try:
                found = cache.get_many([key, claim])
            except Exception:
                log.exception("The page cache cannot be read; rendering without waiting")
                return None
            entry = found.get(key)
            if entry is not None and entry[0] == version:
                return None if entry[1] is PASS else entry
            if claim not in found:
                return None
        return None

    @staticmethod
    def _request_may_use_cache(request):
        return (
            request.method in {"GET", "HEAD"}
            and MESSAGES_COOKIE not in request.COOKIES
            and not request.user.is_authenticated
        )

    @staticmethod
    def _response_may_be_stored(request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a visitor's CSRF token
            return False
        match = request.resolver_match
        if match is None or match.app_name == "admin":
            return False
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
        if vary & {"cookie", "*"}:
            return False
        control = {
            d.split("=")[0].strip().lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        return not (control & _UNCACHEABLE_DIRECTIVES) and get_max_age(response) != 0

    @staticmethod
    def _rebuild(entry):
        _version, status, headers, body = entry
        response = HttpResponse(zlib.decompress(body), status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response
