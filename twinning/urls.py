from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from twinning import views

admin.site.site_header = "Twinning administration"
admin.site.site_title = "Twinning admin"
admin.site.index_title = "Cities, links, statements and appeals"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("", include("partnerships.urls")),
    path("appeals/", include("appeals.urls")),
    prefix_default_language=False,
)

# A database outage is a 503 with a friendly page, whichever layer first meets it (twinning/outage.py).
handler500 = "twinning.outage.server_error"
