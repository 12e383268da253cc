"""Template context the whole site's pages share."""

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CONTENT_LANG_ATTRIBUTE = mark_safe(f' lang="{settings.CONTENT_LANGUAGE}"')  # noqa: S308 - a setting


def content_lang_attribute():
    """`` lang="en"`` on a page in another language than the content's, else ""."""
    return "" if get_language() == settings.CONTENT_LANGUAGE else CONTENT_LANG_ATTRIBUTE


def content_language(request):
    """``content_lang``: the attribute that marks an element holding the site's content, which
    staff write in ``CONTENT_LANGUAGE`` (English), on a page in another language (WCAG 3.1.2,
    language of parts): ``<div class="city-description"{{ content_lang }}>``. Empty on pages in
    the content's own language."""
    return {"content_lang": content_lang_attribute()}
