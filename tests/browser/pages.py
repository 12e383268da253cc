"""The public pages every front-end check walks: one list, built from the URLconf and the content.

``public_pages()`` is the single place to extend when a page is added (a search page, a map,
a correction form): add its path below. ``uncovered_routes()`` lists the named public URL
patterns that no page in the list exercises, and a test fails while that list is not empty,
so a new page cannot silently escape the accessibility, HTML and budget checks.

Every language in ``settings.LANGUAGES`` other than the default is checked too: the same paths
under ``/<code>/`` (the site's i18n_patterns use no prefix for the default language).
"""

import contextlib

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from appeals.models import Appeal, DonationRoute
from partnerships.models import City, Person, Statement
from partnerships.queries import Visibility

# Named routes that are not pages a person reads: the admin, machine endpoints, redirects.
NOT_PAGES = {
    "healthz",
    "appeals:updates-feed",
    "appeals:donate",
    "partnerships:events-feed",
    "partnerships:statements-feed",
    "download",
    "robots-txt",
    "sitemap",
    "sitemap-section",
}
NOT_PAGES_PREFIXES = ("admin:",)

# A path no page will ever have, for the 404 page.
MISSING = "/no-such-page-here/"


def _paths():
    """(label, path) for every public page of the default language, from what the database holds."""
    pages = [
        ("home", "/"),
        ("city list", "/cities/"),
        ("city list, filtered", "/cities/?country=UA"),
        ("city list, invalid filter", "/cities/?country=nowhere"),
        ("link list", "/links/"),
        ("link list, filtered", "/links/?status=active"),
        ("statement list", "/statements/"),
        ("person list", "/people/"),
        ("appeal list", "/appeals/"),
        ("appeal list, by city", "/appeals/?city=leeds"),
        ("404 page", MISSING),
        ("search", "/search/?q=Kharkiv"),
        ("search, nothing found", "/search/?q=zzzzqqq"),
        ("network map", "/map/"),
        ("open data", "/data/"),
        ("correction form, city", "/corrections/new/city/kharkiv/"),
        ("correction form, link", "/corrections/new/link/leeds-kharkiv/"),
        ("correction form, appeal", "/corrections/new/appeal/leeds-together-for-ukraine/"),
        ("correction sent, city", "/corrections/new/city/kharkiv/sent/"),
        ("correction sent, link", "/corrections/new/link/leeds-kharkiv/sent/"),
        ("correction sent, appeal", "/corrections/new/appeal/leeds-together-for-ukraine/sent/"),
    ]
    pages += [(f"city {c.slug}", c.get_absolute_url()) for c in City.objects.order_by("slug")]
    pages += [
        (f"link {x.slug}", x.get_absolute_url()) for x in Visibility(preview=False).links().order_by("slug")
    ]
    pages += [
        (f"statement {s.pk}", s.get_absolute_url())
        for s in Statement.objects.filter(pk__in=_public_statement_ids()).order_by("pk")
    ]
    first_statement = Statement.objects.filter(pk__in=_public_statement_ids()).order_by("pk").first()
    if first_statement:
        pages += [
            ("correction form, statement", f"/corrections/new/statement/{first_statement.pk}/"),
            ("correction sent, statement", f"/corrections/new/statement/{first_statement.pk}/sent/"),
        ]
    pages += [(f"person {p.slug}", p.get_absolute_url()) for p in Person.objects.order_by("slug")]
    pages += [(f"appeal {a.slug}", a.get_absolute_url()) for a in Appeal.objects.published().order_by("slug")]
    # The page a Donate button of a closed appeal leads to (410 Gone), if there is one.
    closed = [
        r
        for r in DonationRoute.objects.filter(appeal__is_published=True).select_related("appeal")
        if r.appeal.status == Appeal.Status.CLOSED
    ][:1]
    pages += [("closed appeal's donate page", r.get_absolute_url()) for r in closed]
    return pages


def _public_statement_ids():
    return Visibility(preview=False).statements().values("pk")


def other_languages():
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def public_pages():
    """(label, path) for every public page in every language. Call it after loading content."""
    pages = _paths()
    for code in other_languages():
        pages += [(f"{label} [{code}]", f"/{code}{path}") for label, path in _paths()]
    return pages


def expected_status(path):
    if path.split("?")[0].rstrip("/").endswith(MISSING.rstrip("/")):
        return 404
    if "/appeals/donate/" in path:
        return 410
    return 200


def _named_routes(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_routes(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def uncovered_routes(pages):
    """Named public URL patterns that none of ``pages`` resolves to."""
    seen = set()
    for _label, path in pages:
        with contextlib.suppress(Resolver404):
            seen.add(resolve(path.split("?")[0]).view_name)
    return sorted(
        name
        for name in set(_named_routes())
        if name not in seen and name not in NOT_PAGES and not name.startswith(NOT_PAGES_PREFIXES)
    )
