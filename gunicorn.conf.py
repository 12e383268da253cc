"""gunicorn's settings for `make serve`, the benchmark and the load check (gunicorn reads this
file from the directory it starts in; options on its command line win).

Threaded workers (gthread): each process serves several connections at once and keeps them
alive between requests, so a slow client or a burst of visitors does not queue behind one
request, and the reverse proxy can reuse its connections. Processes, not threads, spread the
rendering over the cores: one per core plus one, each with 8 threads for the time spent waiting
on PostgreSQL and Redis (measured against 2 x cores + 1 processes of 4 threads, and against sync
workers: docs/benchmarks.md). WEB_CONCURRENCY and GUNICORN_THREADS change the numbers;
GUNICORN_ACCESS_LOG="" turns the access log off. See docs/adr/0063-gunicorn-threaded-workers.md.

Each worker loads the site and freezes the objects it holds (post_worker_init): docs/adr/0069-gc-freeze-in-workers.md.
"""

import gc
import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
keepalive = 5
# The reverse proxy on this machine sets X-Forwarded-Proto; nobody else is believed.
forwarded_allow_ips = "127.0.0.1"
# Access log lines without the visitor's address or browser (gunicorn's default has both).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker):
    """Load what the site would otherwise load on its first requests, then move everything the
    worker holds out of the garbage collector's reach: a full collection then scans only what
    requests made, and stops the worker's threads for a few milliseconds instead of tens."""
    load_site()
    gc.collect()
    gc.freeze()


def load_site():
    """The URLconf with its views, reversed in every language, and the site's templates compiled:
    gunicorn has only imported the WSGI application, and these load on first use."""
    import logging
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import reverse
    from django.utils.translation import override

    for code, _name in settings.LANGUAGES:
        with override(code):
            reverse("home")
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            name = path.relative_to(directory).as_posix()
            try:
                get_template(name)
            except Exception:  # a template that fails must fail its page, not the worker
                logging.getLogger(__name__).exception("Could not load the template %s", name)
