"""sitemap.xml: every page the public may see (django.contrib.sitemaps).

``/sitemap.xml`` is an index of the sections' sitemaps (``/sitemap-cities.xml``,
``/sitemap-links.xml?p=2``, …), each page at most ``SiteSitemap.limit`` addresses. Every page is
listed in English and in Ukrainian (/uk/…), each with its alternates (hreflang, and x-default for
the English one), as the pages' own <link rel="alternate"> say.

Items are plain values (a slug, a key), read a page at a time: Django's multilingual sitemaps
build every (item, language) pair before taking a page of them, and one sitemap of every page
listed 113,000 addresses (the protocol allows 50,000) in 17 s on the benchmark's data. A page
of a section now costs two queries and what it writes, however many records there are.
Addresses are worked out with Django's own ``reverse()``, not the remembered one
(``twinning.urlcache``), whose few thousand places are for the addresses pages name again and
again.
"""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language

from appeals.models import Appeal
from partnerships.models import City, Person
from partnerships.queries import Visibility


class InEveryLanguage(Sequence):
    """``(row, language)`` for every row of ``queryset`` and every language, in that order, as
    Django's multilingual sitemaps page them; a slice reads only its own rows."""

    def __init__(self, queryset, languages):
        self.queryset = queryset
        self.languages = list(languages)
        self._rows = None

    def __len__(self):
        if self._rows is None:
            self._rows = self.queryset.count()
        return self._rows * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("A sitemap is read a page at a time.")
        if start >= stop:
            return []
        per_row = len(self.languages)
        first = start // per_row
        rows = self.queryset[first : -(-stop // per_row)]
        pairs = [(row, language) for row in rows for language in self.languages]
        return pairs[start - first * per_row : stop - first * per_row]


class SiteSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # Addresses per page, each language counted: a page takes about a third of a second to write.
    limit = 2000


class RowSitemap(SiteSitemap):
    """A section whose items are the values of ``rows()`` (ordered by key), read a page at a
    time, each an address of the view ``view_name`` with the value as its ``argument``."""

    view_name = ""
    argument = "slug"

    def rows(self):
        raise NotImplementedError

    def items(self):
        return self.rows()

    @property
    def paginator(self):
        return Paginator(InEveryLanguage(self.rows(), self._languages()), self.limit)

    def location(self, item):
        # Django asks for each address four times (as itself and as each alternate), in the
        # language it is in; a sitemap is made for one request, so it remembers them.
        key = (item, get_language())
        if key not in self._addresses:
            self._addresses[key] = reverse(self.view_name, kwargs={self.argument: item})
        return self._addresses[key]

    @cached_property
    def _addresses(self):
        return {}


class PagesSitemap(SiteSitemap):
    """The home page, the lists and the open data page."""

    def items(self):
        return [
            "home",
            "partnerships:city-list",
            "partnerships:link-list",
            "partnerships:statement-list",
            "partnerships:person-list",
            "appeals:list",
            "open-data",
        ]

    def location(self, item):
        return reverse(item)


class CitySitemap(RowSitemap):
    view_name = "partnerships:city-detail"

    def rows(self):
        return City.objects.order_by("pk").values_list("slug", flat=True)


class LinkSitemap(RowSitemap):
    view_name = "partnerships:link-detail"

    def rows(self):
        return Visibility(preview=False).links().order_by("pk").values_list("slug", flat=True)


class StatementSitemap(RowSitemap):
    view_name = "partnerships:statement-detail"
    argument = "pk"

    def rows(self):
        return Visibility(preview=False).statements().order_by("pk").values_list("pk", flat=True)


class PersonSitemap(RowSitemap):
    view_name = "partnerships:person-detail"

    def rows(self):
        return Person.objects.order_by("pk").values_list("slug", flat=True)


class AppealSitemap(RowSitemap):
    view_name = "appeals:detail"

    def rows(self):
        return Appeal.objects.published().order_by("pk").values_list("slug", "updated_at")

    def location(self, item):
        return super().location(item[0])

    def lastmod(self, item):
        return item[1]


SITEMAPS = {
    "pages": PagesSitemap,
    "cities": CitySitemap,
    "links": LinkSitemap,
    "statements": StatementSitemap,
    "people": PersonSitemap,
    "appeals": AppealSitemap,
}
