from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from twinning import views

admin.site.site_header = _("Twinning administration")
admin.site.site_title = _("Twinning admin")
admin.site.index_title = _("Cities, links, statements and appeals")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("", include("partnerships.urls")),
    path("appeals/", include("appeals.urls")),
    path("corrections/", include("twinning.corrections.urls")),
    prefix_default_language=False,
)
