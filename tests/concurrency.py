"""Running a test's work in several threads at once, each on its own database connection."""

import threading

from django.db import connections


def at_once(work, n, *, timeout=60):
    """Call ``work(i)`` for i in 0..n-1, each in its own thread, all released together; each
    thread closes the database connections it opened. Returns when every thread has ended (or
    after ``timeout`` seconds for each)."""
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait(timeout=timeout)
            work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
