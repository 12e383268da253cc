from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from partnerships.queries import Visibility
from twinning.pagination import page_or_404
from twinning.precompiled import Precompiled
from twinning.search import MAX_QUERY_LENGTH, QueryProblem, Search, clean_query

# What the home page shows of a link (its name is its cities'), an event and a statement.
HOME_LINK_FIELDS = (
    "slug",
    "kind",
    "status",
    "status_since",
    "status_since_precision",
    "city_a__name",
    "city_b__name",
)
HOME_EVENT_FIELDS = (
    "date",
    "date_precision",
    "title",
    "link__slug",
    "link__city_a__name",
    "link__city_b__name",
)
HOME_STATEMENT_FIELDS = ("date", "date_precision", "quote", "language", "speaker__name")


# The home page's querysets take nothing from the request: their SQL is compiled once per
# connection (twinning/precompiled.py). Only the columns and joins the page shows: the planning
# and compiling of wider joins were most of the page's database time.
LATEST = 5
HOME_EVENTS = Precompiled(
    lambda: (
        Visibility(preview=False)
        .events()
        .select_related("link__city_a", "link__city_b")
        .only(*HOME_EVENT_FIELDS)
        .order_by("-date", "-sort_order", "-pk")[:LATEST]
    )
)
HOME_STATEMENTS = Precompiled(
    lambda: (
        Visibility(preview=False)
        .statements()
        .select_related("speaker")
        .only(*HOME_STATEMENT_FIELDS)
        .order_by("-date", "-pk")[:LATEST]
    )
)
HOME_FEATURED = Precompiled(
    lambda: Visibility(preview=False).links().filter(is_featured=True).with_cities().only(*HOME_LINK_FIELDS)
)


class HomeView(TemplateView):
    """What the site is, what happened lately and the featured links: what the public sees,
    for everyone (staff preview drafts on the pages themselves)."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section="home",
            events=HOME_EVENTS(),
            statements=HOME_STATEMENTS(),
            featured=HOME_FEATURED(),
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


class SearchView(TemplateView):
    """Ranked, paginated search over cities, links, statements, people and appeals.

    A query that cannot be searched for (empty, too long, NUL characters, punctuation only)
    gets the normal page with a message; a page number that is not a page is a 404.
    """

    template_name = "search.html"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.user.is_staff:
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("q", "")
        context = super().get_context_data(
            section="search", query=raw[:MAX_QUERY_LENGTH], max_length=MAX_QUERY_LENGTH, **kwargs
        )
        if "q" not in self.request.GET:
            return context
        try:
            query = clean_query(raw)
        except QueryProblem as problem:
            context["message"] = str(problem)
            return context
        search = Search(query, Visibility(preview=self.request.user.is_staff))
        paginator = Paginator(search.hits(), self.paginate_by)
        page = page_or_404(paginator, self.request.GET.get("page"))
        context.update(
            query=query,
            searched=True,
            terms=search.terms,
            page_obj=page,
            paginator=paginator,
            hits=search.load(page.object_list),
            page_query=urlencode({"q": query}) + "&",
        )
        return context


@require_safe
def robots_txt(request):
    """Crawlers may read every public page but not the admin or the counting Donate redirect."""
    disallowed = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name, kwargs in (("admin:index", {}), ("appeals:donate", {"route_id": 1})):
                try:
                    url = reverse(name, kwargs=kwargs)
                except NoReverseMatch:  # pragma: no cover - both are always configured
                    continue
                if name == "appeals:donate":
                    url = url.rsplit("/", 2)[0] + "/"
                if url not in disallowed:
                    disallowed.append(url)
    lines = ["User-agent: *", *(f"Disallow: {url}" for url in disallowed)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
