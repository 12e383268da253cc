"""The site's URLs plus views that each do one thing the page cache must notice."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.vary import vary_on_cookie

from twinning.urls import urlpatterns as site_urlpatterns

counter = {"n": 0}


def _render(request, extra=""):
    counter["n"] += 1
    return HttpResponse(f"<p>render {counter['n']}{extra}</p>")


def plain(request):
    return _render(request)


def sets_cookie(request):
    response = _render(request)
    response.set_cookie("seen", "1")
    return response


def uses_csrf_token(request):
    return _render(request, get_token(request))


@vary_on_cookie
def varies_on_cookie(request):
    return _render(request)


urlpatterns = [
    path("__test__/plain", plain),
    path("__test__/cookie", sets_cookie),
    path("__test__/csrf", uses_csrf_token),
    path("__test__/vary", varies_on_cookie),
    *site_urlpatterns,
]
