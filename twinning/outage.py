"""While the database is down, pages answer 503 with a friendly page, never a traceback.

Django turns an exception into a 500. An ``OperationalError`` or ``InterfaceError`` is not a
bug in a page but the database being away, so visitors are told the service is briefly
unavailable and when to try again (``Retry-After``), and proxies and monitors see a 503. The
connection is health-checked before reuse (``CONN_HEALTH_CHECKS``), so the first request after
the database returns reconnects by itself.

Two places catch it: the middleware for errors raised by views and templates, and
``server_error`` (the site's ``handler500``) for errors raised elsewhere, in other middleware.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("twinning.outage")

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable(request=None):
    """The 503 page. Rendered without a request context: nothing in it touches the database."""
    html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            logger.error("database unavailable: %s", type(exception).__name__, extra={"event": "db_down"})
            return database_unavailable(request)
        return None


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """Django's 500 handler, except that a database outage is a 503."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable(request)
    return HttpResponseServerError(loader.get_template(template_name).render())
