"""The language switcher and the hreflang alternates: the same page in each language."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch
from django.utils.translation import get_language, get_language_info, override

from twinning import urlcache

register = template.Library()


# Only what the page accepted is carried into the switcher's links: its validated query
# (``page_query``, as its pagination links use it: a search's cleaned words, a list's usable
# filters) and a plain page number. Other values may be invalid or hostile, and a page must
# never echo back what it refused.
PAGE_NUMBER_DIGITS = 6


@register.simple_tag(takes_context=True)
def page_in_languages(context):
    """[{code, name, url, absolute_url, current}] for every language of the site.

    ``url`` (the switcher's link) is this page in that language: the request's own match
    reversed in that language (``urlcache.reverse``), as ``django.urls.translate_url`` does but
    without resolving the path again, and so also right under a script prefix;
    keeping the query the page accepted (``page_query``) and a plain page number, so a search or
    a filtered list stays searched or filtered. ``absolute_url`` (the hreflang alternate) is the
    page without its query string. Without a request, or on an address that resolves to no page, there is
    nothing to offer and the list is empty.
    """
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None:
        return []
    current = get_language()
    page = request.GET.get("page", "")
    query = str(context.get("page_query") or "")  # urlencoded by the view, ending with "&"
    if page.isascii() and page.isdigit() and len(page) <= PAGE_NUMBER_DIGITS:
        query += f"page={page}"
    query = query.rstrip("&")
    suffix = f"?{query}" if query else ""
    languages = []
    for code, _name in settings.LANGUAGES:
        path = _in_language(request, code)
        languages.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": path + suffix,
                "absolute_url": request.build_absolute_uri(path),
                "current": code == current,
            }
        )
    return languages


def _in_language(request, code):
    match = request.resolver_match
    if not match.url_name:
        return request.path
    with override(code):
        try:
            return urlcache.reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return request.path
