"""One rule for page numbers on every paginated page."""

from django.core.paginator import InvalidPage
from django.http import Http404


def page_or_404(paginator, number):
    """The page ``number`` (a GET value: missing means the first) of ``paginator``; a number
    that is not one of its pages ("abc", "0", "-1", "99999", NUL bytes) is a 404 saying why."""
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(str(error)) from error
