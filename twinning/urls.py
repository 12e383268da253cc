from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from partnerships import opendata
from twinning import views
from twinning.sitemaps import SITEMAPS

admin.site.site_header = _("Twinning administration")
admin.site.site_title = _("Twinning admin")
admin.site.index_title = _("Cities, links, statements and appeals")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # An index of the sections' sitemaps, each in pages of SiteSitemap.limit addresses.
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("search/", views.SearchView.as_view(), name="search"),
    path("data/", opendata.OpenDataView.as_view(), name="open-data"),
    path("data/<slug:dataset>.<slug:fmt>", opendata.download, name="download"),
    path("", include("partnerships.urls")),
    path("appeals/", include("appeals.urls")),
    path("corrections/", include("twinning.corrections.urls")),
    prefix_default_language=False,
)

# A database outage is a 503 with a friendly page, whichever layer first meets it (twinning/outage.py).
handler500 = "twinning.outage.server_error"
