"""What every page needs to be shared well: its canonical address and the site's name.

The canonical URL is absolute, built from the request (so it follows the host the site is
served on), and carries no query string except a page number above 1, the one parameter that
changes what a list shows as a distinct page. Filters, search terms and tracking parameters are
left off, so every shared variant of a page points search engines to one address.
"""

SITE_NAME = "Twinning"
MAX_PAGE_DIGITS = 6


def canonical_url(request):
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isascii() and page.isdigit() and len(page) <= MAX_PAGE_DIGITS and int(page) > 1:
        url += f"?page={int(page)}"
    return url


def sharing(request):
    """Context processor: ``canonical_url`` and ``site_name``."""
    return {"canonical_url": canonical_url(request), "site_name": SITE_NAME}
