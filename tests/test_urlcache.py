"""Remembered URL reversal (twinning/urlcache.py): the same addresses as Django's reverse(), in
every language, for every URLconf, through {% url %} and the records' get_absolute_url()."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve, set_script_prefix, translate_url
from django.urls import reverse as django_reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from twinning import urlcache
from twinning.templatetags.languages import page_in_languages

CASES = [
    ("home", {}),
    ("partnerships:city-list", {}),
    ("partnerships:city-detail", {"slug": "leeds"}),
    ("partnerships:link-detail", {"slug": "leeds-kharkiv"}),
    ("partnerships:statement-detail", {"pk": 7}),
    ("appeals:detail", {"slug": "kharkiv-appeal"}),
    ("appeals:donate", {"route_id": 3}),
    ("healthz", {}),
]


@pytest.fixture(autouse=True)
def _empty_cache():
    urlcache.forget()
    yield
    urlcache.forget()


@pytest.mark.parametrize("language", ["en", "uk"])
def test_same_address_as_django_in_each_language_asked_twice(language):
    with translation.override(language):
        for name, kwargs in CASES:
            expected = django_reverse(name, kwargs=kwargs)
            assert urlcache.reverse(name, kwargs=kwargs) == expected
            assert urlcache.reverse(name, kwargs=kwargs) == expected
    assert urlcache._reverse.cache_info().hits == len(CASES)


def test_language_is_part_of_the_key():
    with translation.override("en"):
        english = urlcache.reverse("partnerships:city-list")
    with translation.override("uk"):
        ukrainian = urlcache.reverse("partnerships:city-list")
    assert (english, ukrainian) == ("/cities/", "/uk/cities/")


def test_positional_arguments_and_keyword_order():
    assert urlcache.reverse("partnerships:city-detail", args=["york"]) == "/cities/york/"
    a = urlcache.reverse("appeals:donate", kwargs={"route_id": 5})
    assert a == django_reverse("appeals:donate", args=[5])


def test_a_changed_urlconf_is_followed():
    assert urlcache.reverse("healthz") == "/healthz"
    with override_settings(ROOT_URLCONF="tests.urls_moved"):
        assert urlcache.reverse("healthz") == "/elsewhere/healthz"
    assert urlcache.reverse("healthz") == "/healthz"


def test_script_prefix_is_part_of_the_key():
    with override_settings(FORCE_SCRIPT_NAME="/twinning/"):
        set_script_prefix("/twinning/")
        try:
            assert urlcache.reverse("home") == "/twinning/"
        finally:
            set_script_prefix("/")
    assert urlcache.reverse("home") == "/"


def test_other_arguments_are_worked_out_each_time():
    slug = mark_safe("leeds")  # a str subclass: not remembered
    assert urlcache.reverse("partnerships:city-detail", kwargs={"slug": slug}) == "/cities/leeds/"
    assert urlcache._reverse.cache_info().currsize == 0


def test_a_name_that_is_not_one_still_fails_and_is_not_kept():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            urlcache.reverse("partnerships:no-such-page")
    assert urlcache._reverse.cache_info().currsize == 0


def test_url_tag_is_the_remembering_one():
    template = Template(
        "{% url 'partnerships:city-detail' slug=slug %}|{% url 'no-such' as missing %}[{{ missing }}]"
    )
    assert template.render(Context({"slug": "leeds"})) == "/cities/leeds/|[]"
    assert urlcache._reverse.cache_info().currsize == 1
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no-such' %}").render(Context())
    # Escaped like Django's own tag.
    assert Template("{% url 'search' %}?q={{ q }}").render(Context({"q": "<b>"})) == "/search/?q=&lt;b&gt;"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/cities/", "/cities/leeds/", "/uk/links/leeds-kharkiv/", "/statements/7/", "/no-such-page/"],
)
def test_language_switcher_matches_translate_url(path, client):
    request = RequestFactory().get(path)
    try:
        request.resolver_match = resolve(path)
    except Resolver404:
        request.resolver_match = None
    with translation.override("uk" if path.startswith("/uk/") else "en"):
        languages = page_in_languages({"request": request})
    if request.resolver_match is None:
        assert languages == []
        return
    assert [language["url"] for language in languages] == [translate_url(path, code) for code in ("en", "uk")]


def test_long_arguments_are_not_kept():
    # An address typed into the browser can carry any slug; only a record's can be kept.
    slug = "x" * (urlcache.MAX_ARGUMENT_LENGTH + 1)
    assert urlcache.reverse("partnerships:city-detail", kwargs={"slug": slug}) == f"/cities/{slug}/"
    assert urlcache._reverse.cache_info().currsize == 0
    urlcache.reverse("partnerships:city-detail", kwargs={"slug": slug[:-1]})
    assert urlcache._reverse.cache_info().currsize == 1


def test_query_and_fragment_as_django_gives_them():
    assert (
        urlcache.reverse("partnerships:city-list", query={"page": 2}, fragment="top") == "/cities/?page=2#top"
    )


def test_language_switcher_under_a_script_prefix():
    # translate_url() cannot resolve a path that carries the prefix; the request's match can.
    request = RequestFactory().get("/cities/leeds/")
    request.resolver_match = resolve("/cities/leeds/")
    set_script_prefix("/twinning/")
    try:
        languages = page_in_languages({"request": request})
    finally:
        set_script_prefix("/")
    assert [language["url"] for language in languages] == [
        "/twinning/cities/leeds/",
        "/twinning/uk/cities/leeds/",
    ]
