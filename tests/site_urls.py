"""Every public URL and form of the site, in one place, for the header and hostile-input suites.

To add a page: append to PUBLIC_PAGES (a path, or a function of the ``site`` fixture's
namespace returning one). To add a GET form: append to LIST_FILTERS with its parameter names.
To add a POST form: append to PUBLIC_FORMS with its path and field names. The suites in
tests/test_security_headers.py and tests/test_hostile_input.py pick them up.
"""

PUBLIC_PAGES = [
    "/",
    "/cities/",
    "/links/",
    "/statements/",
    "/people/",
    "/appeals/",
    lambda s: s.leeds.get_absolute_url(),
    lambda s: s.kharkiv.get_absolute_url(),
    lambda s: s.leeds_kharkiv.get_absolute_url(),
    lambda s: s.lewis_said.get_absolute_url(),
    lambda s: s.terekhov_said.get_absolute_url(),
    lambda s: s.lewis.get_absolute_url(),
    lambda s: s.appeal.get_absolute_url(),
    lambda s: s.closed_appeal.get_absolute_url(),
    "/search/?q=Kharkiv",
    "/map/",
    "/data/",
    "/uk/",
    "/uk/cities/",
    lambda s: "/uk" + s.kharkiv.get_absolute_url(),
    lambda s: f"/corrections/new/city/{s.kharkiv.slug}/",
    lambda s: f"/corrections/new/link/{s.leeds_kharkiv.slug}/",
    lambda s: f"/corrections/new/statement/{s.lewis_said.pk}/",
    lambda s: f"/corrections/new/appeal/{s.appeal.slug}/",
]

# Pages that are not HTML for people (feeds, redirects, health checks): headers only.
OTHER_RESPONSES = [
    "/appeals/updates.atom",
    "/healthz",
    "/robots.txt",
    "/sitemap.xml",
    "/links/events.atom",
    "/statements/feed.atom",
    "/data/cities.csv",
    "/data/links.json",
    "/data/links.geojson",
    lambda s: s.route.get_absolute_url(),  # 302 to the donation page
    lambda s: s.closed_route.get_absolute_url(),  # 410 Gone page
]

# GET forms on list pages: path -> parameters a visitor can change.
LIST_FILTERS = {
    "/cities/": ["country", "status", "page"],
    "/links/": ["status", "kind", "page"],
    "/statements/": ["speaker", "city", "year", "page"],
    "/people/": ["page"],
    "/appeals/": ["city", "page"],
    "/search/": ["q", "page"],
    "/map/": ["page"],
}

# Detail URLs by pattern: a prefix to which hostile slugs and ids are appended.
SLUG_PREFIXES = [
    "/cities/",
    "/links/",
    "/people/",
    "/appeals/",
    "/uk/cities/",
    "/corrections/new/city/",
    "/corrections/new/link/",
    "/data/",
]
ID_PREFIXES = ["/statements/", "/appeals/donate/", "/corrections/new/statement/"]

# Public POST forms: path -> field names (the correction forms: see twinning/corrections/forms.py).
CORRECTION_FIELDS = ["what_is_wrong", "what_is_right", "source_url", "name", "email", "website", "started"]
PUBLIC_FORMS = {
    "/corrections/new/city/leeds/": CORRECTION_FIELDS,
    "/corrections/new/link/leeds-kharkiv/": CORRECTION_FIELDS,
}


def resolve(entry, site):
    return entry(site) if callable(entry) else entry
