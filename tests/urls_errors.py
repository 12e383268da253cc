"""The site's URLs plus views that fail on purpose, to test the error pages."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from twinning.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("deliberately malformed")


urlpatterns = [
    path("__test__/500", boom),
    path("__test__/403", forbidden),
    path("__test__/400", bad),
    *site_urlpatterns,
]
