"""One rule for page numbers on every paginated page, and a paginator whose last pages cost what
its first does."""

import hashlib

from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from twinning import page_cache
from twinning.expressions import AmongIds


def page_or_404(paginator, number):
    """The page ``number`` (a GET value: missing means the first) of ``paginator``; a number
    that is not one of its pages ("abc", "0", "-1", "99999", NUL bytes) is a 404 saying why."""
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error


class KeysFirstPaginator(Paginator):
    """A paginator for querysets that finds a page's rows by their keys first.

    ``queryset[offset:offset + n]`` makes the database build every row it skips: their joins,
    their annotations (a city's count of links is a subquery per row) and all their columns, so
    page 300 of the cities cost 80 ms where page 1 cost 1. Here the page is one query with the
    skipping done in a subquery that selects the primary key alone, in the list's order, which an
    index on the ordering walks without reading the rows; only the page's rows are then built,
    found by their keys (``AmongIds``: with ``pk IN (subquery)`` PostgreSQL built every row
    of the statements before keeping the page's 25).
    The order must end with the primary key (every list's does), so the page's rows come back
    in the list's order. Lists that are not querysets, and querysets for which the page's rows
    alone would not give the same result (see ``_keys_first_is_exact``), are paged as by
    Django's paginator.

    The count of a queryset is counted once per content version and filter, and shared by every
    worker (``page_cache.cached_for_content``): counting is the one part of a list page whose
    cost grows with the data (the cities with an active link: 40 ms on 10,000 cities).

    ``keep_keys=True`` is for a list whose filter no index of its own table answers, such as
    the cities that have a link of some status: finding a deep page's keys tests every row it
    skips against the other table (page 150 of the cities with an ended link: 80 ms). The
    list's keys, in its order, are then read once per content version and shared the same way
    (a few tens of kilobytes for 10,000 cities); a page takes its slice of them, and the count
    is their number. Only for lists of at most some thousands of rows.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, keep_keys=False):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.keep_keys = keep_keys and isinstance(object_list, QuerySet) and _keys_first_is_exact(object_list)

    @cached_property
    def keys(self):
        """The list's primary keys in its order, once per content version (``keep_keys``)."""
        queryset = self.object_list
        return page_cache.cached_for_content(
            _content_key("keys", queryset), lambda: list(queryset.values_list("pk", flat=True))
        )

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if self.keep_keys:
            return len(self.keys)
        return page_cache.cached_for_content(_content_key("count", queryset), queryset.count)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if self.keep_keys:
            return self._get_page(queryset.filter(pk__in=self.keys[bottom:top]), number, self)
        if not isinstance(queryset, QuerySet) or bottom == 0 or not _keys_first_is_exact(queryset):
            return self._get_page(queryset[bottom:top], number, self)
        keys = queryset.values("pk")[bottom:top]
        return self._get_page(queryset.filter(AmongIds("pk", keys)), number, self)


def _content_key(kind, queryset):
    """The name a queryset's count or keys are kept under: its database and its SQL with the
    parameters, so that each filter, each reader's visibility and each day's appeals have their
    own."""
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    return f"{kind}:{queryset.model._meta.label_lower}:{digest}"


def _keys_first_is_exact(queryset):
    """Whether the page's rows, found by key, are what slicing the queryset would give: not for
    DISTINCT (its order would have to be selected too), a union or the like (which cannot be
    filtered), or a window function (which would then be computed over the page alone)."""
    query = queryset.query
    return not (
        query.distinct
        or query.combinator
        or any(getattr(a, "contains_over_clause", False) for a in query.annotations.values())
    )
