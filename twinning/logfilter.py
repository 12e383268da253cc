"""Keeps visitors' personal data out of log lines.

Django attaches the request to some records (``django.request``, ``django.security``); a JSON
formatter would write whatever it can of it. This filter replaces the request with its method
and path, so neither the address nor the browser of a visitor reaches the log.
"""

import logging


class NoVisitorData(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
        return True
