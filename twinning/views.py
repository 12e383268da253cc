from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from partnerships.queries import Visibility


class HomeView(TemplateView):
    """What the site is, what happened lately and the featured links: what the public sees,
    for everyone (staff preview drafts on the pages themselves)."""

    template_name = "home.html"
    latest = 5

    def get_context_data(self, **kwargs):
        public = Visibility(preview=False)
        return super().get_context_data(
            section="home",
            events=public.events()
            .select_related("link__city_a", "link__city_b")
            .order_by("-date", "-sort_order", "-pk")[: self.latest],
            statements=public.statements().with_people().order_by("-date", "-pk")[: self.latest],
            featured=public.links().filter(is_featured=True).with_cities(),
            **kwargs,
        )


@never_cache
@require_safe
def healthz(request):
    """200 while every configured database answers a query, 503 while one does not. The cache
    is checked too: without it the site still serves (slower), so it is reported, not fatal."""
    try:
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    cache.set("healthz", "ok", 60)
    body = "ok\n" if cache.get("healthz") == "ok" else "ok; cache unavailable\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
