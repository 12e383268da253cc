"""``reverse()``, remembered: a page names the same few dozen addresses on every request.

Django works each address out afresh, matching the name's candidate patterns and checking the
arguments against them: 20 to 50 microseconds an address, over a millisecond for a page with
its navigation, language links and list rows. The address depends on nothing but the name, the
arguments, the URLconf, the language (``i18n_patterns``' prefix), the script prefix and the
current application, so those are the key. Only names with plain integers and strings of up to
``MAX_ARGUMENT_LENGTH`` characters as arguments are remembered; anything else (a model instance,
a lazy string, a query string, a long slug typed into an address) is worked out each time. The
cache is bounded and emptied when a setting it depends on changes (tests do).
See docs/adr/0072-remembered-url-reversal.md.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

# Enough for the navigation and the addresses of a few thousand records per language.
KEPT = 8192
# The longest slug a record can have is 210 characters; an address that does not exist may be
# longer, and is not worth keeping.
MAX_ARGUMENT_LENGTH = 255


def _plain(value):
    return type(value) is int or (type(value) is str and len(value) <= MAX_ARGUMENT_LENGTH)


@lru_cache(maxsize=KEPT)
def _reverse(viewname, urlconf, args, kwargs, current_app, language, script_prefix):
    return django_reverse(viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


def reverse(viewname, urlconf=None, args=None, kwargs=None, current_app=None, *, query=None, fragment=None):
    """``django.urls.reverse()``, answered from memory when it has been asked before."""
    if query or fragment:
        return django_reverse(viewname, urlconf, args, kwargs, current_app, query=query, fragment=fragment)
    args = tuple(args or ())
    kwargs = tuple(sorted((kwargs or {}).items()))
    if not (
        isinstance(viewname, str)
        and all(_plain(arg) for arg in args)
        and all(_plain(value) for _key, value in kwargs)
    ):
        return django_reverse(viewname, urlconf, args or None, dict(kwargs) or None, current_app)
    urlconf = urlconf or get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, urlconf, args, kwargs, current_app, get_language(), get_script_prefix())


def forget():
    """Empty the cache. ``django.urls.clear_url_caches()`` does not; call this after it, or
    after changing a URLconf module in place."""
    _reverse.cache_clear()


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "USE_I18N", "FORCE_SCRIPT_NAME"}:
        forget()
