"""sitemap.xml: every page the public may see (django.contrib.sitemaps).

Items are plain rows without related objects, and each URL is built from the row itself, so
the sitemap costs one query per section however many records there are. Every page is listed
in English and in Ukrainian (/uk/…), each with its alternates (hreflang, and x-default for the
English one), as the pages' own <link rel="alternate"> say.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from appeals.models import Appeal
from partnerships.models import City, Person
from partnerships.queries import Visibility


class SiteSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


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


class CitySitemap(SiteSitemap):
    def items(self):
        return City.objects.order_by("pk").only("slug")


class LinkSitemap(SiteSitemap):
    def items(self):
        return Visibility(preview=False).links().order_by("pk").only("slug")


class StatementSitemap(SiteSitemap):
    def items(self):
        return Visibility(preview=False).statements().order_by("pk").only("pk")


class PersonSitemap(SiteSitemap):
    def items(self):
        return Person.objects.order_by("pk").only("slug")


class AppealSitemap(SiteSitemap):
    def items(self):
        return Appeal.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "cities": CitySitemap,
    "links": LinkSitemap,
    "statements": StatementSitemap,
    "people": PersonSitemap,
    "appeals": AppealSitemap,
}
