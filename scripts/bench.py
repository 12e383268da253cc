#!/usr/bin/env python3
"""The benchmark behind `make bench`: the site against its floor, on PostgreSQL with demo data.

1. Makes sure wrk is installed, the PostgreSQL database exists (DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/twinning_bench) and holds the demo data set
   (`generate_demo_data --if-missing`: 10,000 cities, 50,000 links, 150,000 events, ...).
2. Counts each page's queries and prints the PostgreSQL plan of every one of them, flagging
   sequential scans of big tables (`--inspect`, run in a subprocess with the site's settings).
3. Times the import of 25,000 pairs, when this branch has the `import_twinnings` command.
4. Serves the site as `make serve` does (gunicorn, DEBUG off, whitenoise, Redis cache) and
   measures with wrk a static file and each page, each right after a run of the floor
   (/healthz) to which it is compared, warm from the cache;
   then again with a server whose page cache is switched off (PAGE_CACHE=false), uncached.
5. Writes docs/benchmarks.md with the machine, the date, the versions and the results
   against the targets, and prints it.

Nothing here lets a request bypass the cache of a normal server: the uncached numbers come
from a separate server started with the cache off.
"""

import argparse
import datetime
import json
import os
import platform
import re
import runpy
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/twinning_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
REPORT = ROOT / "docs" / "benchmarks.md"
PLANS = ROOT / "reports" / "bench-plans.txt"
# Each server's own log (its errors, with their tracebacks), kept for a look after the run.
SERVER_LOG = ROOT / "reports" / "bench-server-{label}.log"
BIG_TABLE_ROWS = 5000  # a sequential scan of a table larger than this is flagged
IMPORT_PAIRS = 25_000

# Targets (issue 8): cached pages >= 80% of the floor's requests per second; uncached pages
# within 5x of the floor; p99 under 100 ms at 32 connections; no errors.
CACHED_MIN_RATIO = 0.8
UNCACHED_MIN_RATIO = 0.2
P99_MAX_MS = 100.0


def say(message):
    print(f"\n==> {message}", flush=True)


# --- setup ------------------------------------------------------------------------------------


def ensure_wrk():
    if shutil.which("wrk"):
        return
    say("wrk is not installed; installing the Debian package")
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*prefix, "apt-get", "install", "-y", "wrk"], check=True)


def ensure_database(url):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {parts.scheme}://")
    name = parts.path.lstrip("/")
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "") or None,
        "password": urllib.parse.unquote(parts.password or "") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            say(f"Creating the database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
        version = conn.execute("SHOW server_version").fetchone()[0]
    return version


def site_env(database_url, redis_url, prefix, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="twinning.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # No access log: a line per request measures the disk, not the site.
        GUNICORN_ACCESS_LOG="",
    )
    env.update(extra)
    return env


def manage(env, *args, check=True):
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


# --- the inspection (runs inside Django) --------------------------------------------------------


def inspect():
    """Query counts and plans of each page, as JSON on the last line of stdout."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from appeals.models import Appeal, DonationRoute
    from partnerships.models import City, Event, Link, Statement
    from twinning import demo_data

    settings.PAGE_CACHE_ENABLED = False
    pages = page_paths()
    link = Link.objects.get(slug=demo_data.SHOWCASE_LINK_SLUG)
    hub = City.objects.get(slug=demo_data.HUB_CITY_SLUG)
    route = DonationRoute.objects.filter(appeal__slug=demo_data.SHOWCASE_APPEAL_SLUG).first()
    extra = {
        "city list": "/cities/",
        "link list": "/links/",
        "statement list": "/statements/",
        "statement list, filtered": f"/statements/?city={demo_data.HUB_CITY_SLUG}",
        "person list": "/people/",
        "appeal list": "/appeals/",
        "appeal updates feed": "/appeals/updates.atom",
        "statement": link.statements.filter(is_published=True).first().get_absolute_url(),
        "person": f"/people/{demo_data.SHOWCASE_PERSON_SLUG}/",
        "donate redirect": f"/appeals/donate/{route.pk}/",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
        sizes = dict(cursor.fetchall())
    client = Client()
    results = {}
    for name, path in {**pages, **extra}.items():
        if path is None:
            continue
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        plans = []
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                plans.append(
                    {"sql": sql, "plan": "(not a SELECT: not explained)", "seq_scans": [], "ms": None}
                )
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            scans = sorted(
                {
                    match.group(1)
                    for line in plan.splitlines()
                    # A scan the plan held in reserve and never ran read nothing.
                    if (match := re.search(r"Seq Scan on (\w+)", line)) and "never executed" not in line
                    if sizes.get(match.group(1), 0) > BIG_TABLE_ROWS
                }
            )
            ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
            plans.append(
                {"sql": sql, "plan": plan, "seq_scans": scans, "ms": float(ms.group(1)) if ms else None}
            )
        results[name] = {"path": path, "status": response.status_code, "queries": len(plans), "plans": plans}
    counts = {
        "cities": City.objects.count(),
        "links": Link.objects.count(),
        "events": Event.objects.count(),
        "statements": Statement.objects.count(),
        "appeals": Appeal.objects.count(),
    }
    data = (
        ", ".join(f"{n:,} {name}" for name, n in counts.items())
        + f"; the city page has {Link.objects.involving(hub).count():,} links"
        + f" (seed and sizes: `{demo_data.existing_description()}`)"
    )
    print(json.dumps({"results": results, "table_rows": sizes, "data": data}))


BREAKDOWN_ROUNDS = 4
BREAKDOWN_REQUESTS = 10  # per page and round, after as many to warm up


def breakdown():
    """Where each uncached page's time goes, measured in the process (Django's test client, the
    page cache off), as JSON on the last line of stdout.

    For each page: the whole request; compiling its querysets into SQL (the outermost compile
    of each, so a subquery is not counted twice); executing its queries, which is waiting for
    PostgreSQL; and its template rendered again with the view's context, which is the template
    engine's own cost: the context is ready, so no query runs (the number that did is reported,
    and is 0). The pages are measured in interleaved rounds, since this machine's speed drifts.
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models.sql.compiler import SQLCompiler
    from django.template import loader
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_ENABLED = False
    spent = {}
    compiling = threading.local()
    original_as_sql = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        if getattr(compiling, "busy", False):
            return original_as_sql(self, *args, **kwargs)
        compiling.busy = True
        started = time.perf_counter()
        try:
            return original_as_sql(self, *args, **kwargs)
        finally:
            compiling.busy = False
            spent["compile"] += time.perf_counter() - started

    def execute(run, sql, params, many, context):
        started = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            spent["database"] += time.perf_counter() - started

    SQLCompiler.as_sql = as_sql
    pages = {"floor (/healthz)": "/healthz", **{k: v for k, v in page_paths().items() if v}}
    client = Client()
    samples = {name: {"total": [], "compile": [], "database": [], "template": []} for name in pages}
    queries = {}
    template_queries = {}
    for _ in range(BREAKDOWN_ROUNDS):
        for name, path in pages.items():
            for _ in range(BREAKDOWN_REQUESTS):
                response = client.get(path)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries[name] = len(captured.captured_queries)
            for _ in range(BREAKDOWN_REQUESTS):
                spent.update(compile=0.0, database=0.0)
                with connection.execute_wrapper(execute):
                    started = time.perf_counter()
                    response = client.get(path)
                    total = time.perf_counter() - started
                samples[name]["total"].append(total)
                samples[name]["compile"].append(spent["compile"])
                samples[name]["database"].append(spent["database"])
            if getattr(response, "template_name", None):
                template = loader.select_template(
                    [response.template_name]
                    if isinstance(response.template_name, str)
                    else response.template_name
                )
                request, context = response.wsgi_request, response.context_data
                with CaptureQueriesContext(connection) as captured:
                    for _ in range(BREAKDOWN_REQUESTS):
                        started = time.perf_counter()
                        template.render(context, request)
                        samples[name]["template"].append(time.perf_counter() - started)
                template_queries[name] = len(captured.captured_queries)
    results = {}
    for name, path in pages.items():
        ms = {
            part: statistics.median(values) * 1000 if values else 0.0
            for part, values in samples[name].items()
        }
        ms["rest"] = ms["total"] - ms["compile"] - ms["database"] - ms["template"]
        results[name] = {
            "path": path,
            "queries": queries[name],
            "template_queries": template_queries.get(name, 0),
            "ms": ms,
        }
    print(json.dumps({"results": results, "requests": BREAKDOWN_ROUNDS * BREAKDOWN_REQUESTS}))


def page_paths():
    """The benchmarked pages; the search page only when this branch has it."""
    from django.urls import Resolver404, resolve

    from twinning import demo_data

    pages = {
        "home": "/",
        "city with 500 links": f"/cities/{demo_data.HUB_CITY_SLUG}/",
        "link": f"/links/{demo_data.SHOWCASE_LINK_SLUG}/",
        "search": "/search/?q=Centralia",
        "appeal": f"/appeals/{demo_data.SHOWCASE_APPEAL_SLUG}/",
    }
    try:
        resolve("/search/")
    except Resolver404:
        pages["search"] = None
    return pages


# --- serving and measuring --------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env, port, workers, worker_class, threads, log_path):
        self.port = port
        self.log_path = log_path
        args = [
            PYTHON,
            "-m",
            "gunicorn",
            "twinning.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
        ]  # the rest (trusted proxy, keep-alive) from gunicorn.conf.py, as for make serve
        if worker_class == "gthread":
            args += ["--threads", str(threads)]
        # To a file, not a pipe nobody reads: a full pipe would stop the workers that log.
        log_path.parent.mkdir(exist_ok=True)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("gunicorn exited: " + log_path.read_text(encoding="utf-8", errors="replace"))
            try:
                if fetch(self.url("/healthz"))[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        sys.exit("gunicorn did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, headers=None):
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local server only
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url, duration, connections, threads):
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def ms(label):
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": errors,
        "requests": requests,
        "raw": out,
    }


FLOOR = "floor (/healthz)"
SETTLE_SECONDS = 2


def run_page(server, name, path, args, label):
    url = server.url(path)
    for _ in range(3):  # warm: the page is rendered once and then served from the cache
        status, headers, _body = fetch(url, {"Accept-Encoding": "gzip"})
    cache_state = headers.get("X-Page-Cache", "")
    say(f"{label}: {name} ({path}) status {status} {cache_state}")
    result = wrk(url, args.duration, args.connections, args.threads)
    print(result["raw"])
    # wrk stops, but the server still works through the requests it had accepted: the next
    # run (the floor, say) would be measured on a busy server.
    time.sleep(SETTLE_SECONDS)
    return {"name": name, "path": path, "status": status, "cache": cache_state, **result}


def measure(server, targets, args, label):
    """Every page in rounds, each time right after a run of the floor, compared with that run.

    The machine's speed changes within a minute; a page compared with a floor measured just
    before it is compared with the machine as it was, and the median over rounds leaves out a
    round that a pause of the host spoiled. Every run starts on an idle server (SETTLE_SECONDS
    after the one before). The floor's row sums up all its runs.
    """
    floors = []
    samples = {name: [] for name, _path in targets}
    for _round in range(args.rounds):
        for name, path in targets:
            floor = run_page(server, FLOOR, "/healthz", args, label)
            floors.append((floor, floor["rps"]))
            samples[name].append((run_page(server, name, path, args, label), floor["rps"]))
    return [summarise(floors)] + [summarise(samples[name]) for name, _path in targets]


EDIT_EVERY_SECONDS = 1.0
EDITED_PAGES = ("appeal", "city with 500 links")


def measure_while_editing(server, pages, args, redis_url, prefix):
    """The cached pages a crowd would be on, while the content changes every second.

    Each change empties the page cache (the content version is incremented in Redis, as a save
    in the admin does). The row shows what a crowd sees across the changes: the requests that
    miss wait for one render of the page (docs/adr/0074-one-render-per-page.md).
    """
    import threading

    import redis

    client = redis.Redis.from_url(redis_url)
    key = f"{prefix}:1:page-cache:version"
    rows = []
    for name in EDITED_PAGES:
        if name not in pages:
            continue
        samples = []
        for _round in range(args.rounds):
            floor = run_page(server, FLOOR, "/healthz", args, "cached, edited")
            stop = threading.Event()
            edits = []

            def edit(stop=stop, edits=edits):
                while not stop.wait(EDIT_EVERY_SECONDS):
                    client.incr(key)
                    edits.append(1)

            editor = threading.Thread(target=edit)
            editor.start()
            try:
                page = run_page(
                    server, name, pages[name], args, f"cached, edited every {EDIT_EVERY_SECONDS:g} s"
                )
            finally:
                stop.set()
                editor.join()
            print(f"{len(edits)} changes during the run")
            samples.append((page, floor["rps"]))
        rows.append(summarise(samples))
    return rows


def summarise(runs):
    """One row from runs of a page, each with the floor's requests/s just before it."""
    pages = [page for page, _floor in runs]
    ratios = [page["rps"] / floor for page, floor in runs if floor]

    def median(key):
        values = [page[key] for page in pages if page[key] is not None]
        return statistics.median(values) if values else None

    return {
        "name": pages[0]["name"],
        "path": pages[0]["path"],
        "status": max(page["status"] for page in pages),
        "cache": pages[0]["cache"],
        "rps": median("rps"),
        "p50": median("p50"),
        "p99": median("p99"),
        "errors": sum(page["errors"] for page in pages),
        "floor_rps": statistics.median(floor for _page, floor in runs),
        "ratio": statistics.median(ratios) if ratios else 0,
        "ratios": ratios,
        "rps_each": [page["rps"] for page in pages],
    }


def time_import(database_url, redis_url):
    """Import 25,000 pairs into a database of their own, when the command exists."""
    env = site_env(database_url, redis_url, "bench-import")
    if manage(env, "help", "import_twinnings", check=False).returncode != 0:
        return {"note": "`import_twinnings` is not in this branch: the import of 25,000 pairs was not timed."}
    parts = urllib.parse.urlsplit(database_url)
    import_url = urllib.parse.urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + "_import"))
    import psycopg

    name = parts.path.lstrip("/") + "_import"
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "") or None,
        "password": urllib.parse.unquote(parts.password or "") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = site_env(import_url, redis_url, "bench-import")
        manage(env, "migrate", "--noinput")
        path = ROOT / "reports" / "bench-pairs.csv"
        path.parent.mkdir(exist_ok=True)
        # The shape of a Wikidata P190 query result, as scripts/bench_import.py writes it.
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_import import write_file

        write_file(path, IMPORT_PAIRS)
        started = time.monotonic()
        result = manage(env, "import_twinnings", str(path), check=False)
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            return {"note": f"`import_twinnings` failed on the generated CSV: {result.stderr.strip()[-300:]}"}
        return {"seconds": elapsed, "note": f"{IMPORT_PAIRS:,} pairs imported in {elapsed:.1f} s."}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- report -----------------------------------------------------------------------------------


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE).group(1))
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "load": Path("/proc/loadavg").read_text().split()[:3],
    }


def versions(pg_version):
    import django
    import gunicorn

    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False)
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "PostgreSQL": pg_version,
        "Redis": (re.search(r"v=(\S+)", redis_version.stdout) or [None, "unknown"])[1],
        "wrk": (re.search(r"wrk (\S+)", wrk_version.stdout + wrk_version.stderr) or [None, "unknown"])[1],
    }


def verdicts(row, cached):
    ratio = row["ratio"]
    checks = {
        "p99": row["p99"] is not None and row["p99"] < P99_MAX_MS,
        "errors": row["errors"] == 0 and row["status"] < 400,
    }
    if row["name"] != FLOOR:
        checks["rps"] = ratio >= (CACHED_MIN_RATIO if cached else UNCACHED_MIN_RATIO)
    return ratio, checks


def table_row(row, cached):
    """A page's row: its medians, the floor beside it, and the verdict against the targets."""
    ratio, checks = verdicts(row, cached)
    failed = [name for name, ok in checks.items() if not ok]
    verdict = "pass" if not failed else "**fail** (" + ", ".join(failed) + ")"
    p50 = f"{row['p50']:.1f}" if row["p50"] is not None else "?"
    p99 = f"{row['p99']:.1f}" if row["p99"] is not None else "?"
    if row["name"] == FLOOR:
        each = " ".join(f"{rps:,.0f}" for rps in row["rps_each"]) + " req/s"
    else:
        each = " ".join(f"{r:.2f}" for r in row["ratios"])
    return (
        f"| {row['name']} | `{row['path']}` | {row['rps']:,.0f} | {p50} | {p99} | {row['errors']} "
        f"| {row['floor_rps']:,.0f} | {ratio:.2f} | {each} | {verdict} |"
    )


def write_report(args, info, runs, inspection, split, import_result, skipped, server_logs):
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`scripts/bench.py`); run it again to refresh. The floor is `/healthz`:",
        "the cheapest response Django gives on the same server that still checks what the site needs",
        "(one `SELECT 1`, and a write and a read of the cache; never cached).",
        "",
        f"- **Date:** {info['date']}",
        f"- **Machine:** {info['machine']['cpu']}, {info['machine']['cores']} cores, "
        f"{info['machine']['memory']} memory; load average before the run "
        f"{' '.join(info['machine']['load'])} (the machine is shared, so numbers vary between runs)",
        "- **Versions:** " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        f"- **Server:** gunicorn, {args.workers} `{args.worker_class}` workers"
        + (f" × {args.threads_per_worker} threads" if args.worker_class == "gthread" else "")
        + " (`gunicorn.conf.py`; access log off), `DEBUG` off, whitenoise, Redis cache, PostgreSQL on the same machine",
        f"- **Load:** `wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency`, {args.rounds} rounds, "
        "from the same machine",
        f"- **Data:** `generate_demo_data`: {info['data']}",
        "",
        f"Each page is measured in {args.rounds} rounds, each time right after a run of the floor, and",
        "compared with that run: this machine's speed changes within a minute. A row gives the medians",
        "over the rounds (errors: the sum); the floor's row, the medians of all its runs.",
        "",
        "Targets: cached pages at least 80% of the floor's requests per second; uncached pages within",
        "5× of the floor (at least 20% of its requests per second); p99 latency under 100 ms at 32",
        "connections; no errors.",
        "",
    ]
    for label, cached in (
        ("Cached (anonymous visitors, warm cache)", True),
        ("Uncached (PAGE_CACHE=false)", False),
    ):
        rows = runs[cached]
        lines += [
            f"## {label}",
            "",
            "| page | path | requests/s | p50 (ms) | p99 (ms) | errors | floor beside it, median (req/s) | × floor "
            "| × floor, each round | target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        lines += [table_row(row, cached) for row in rows]
        lines.append("")
    if runs.get("edited"):
        lines += [
            f"## Cached, while the content changes every {EDIT_EVERY_SECONDS:g} s",
            "",
            "A crowd on a page while staff save changes: each change empties the page cache, and the",
            "requests that miss wait for one render of the page instead of each rendering it. Same targets",
            "as cached pages.",
            "",
            "| page | path | requests/s | p50 (ms) | p99 (ms) | errors | floor beside it, median (req/s) | × floor "
            "| × floor, each round | target |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        lines += [table_row(row, True) for row in runs["edited"]]
        lines.append("")
    lines += ["## Errors the servers logged", ""]
    for label, found in server_logs.items():
        first = "; ".join(f"`{message}`" for message in found["first"])
        lines.append(f"- {label}: {found['errors']} (`{found['log']}`){': ' + first if first else ''}")
    lines.append("")
    for note in skipped:
        lines.append(f"- {note}")
    lines += [
        "",
        "## Queries per page (uncached render)",
        "",
        "Each query's plan was taken with `EXPLAIN ANALYZE` on this data (printed by the bench and kept in",
        f"`{PLANS.relative_to(ROOT)}`); a sequential scan of a table with more than {BIG_TABLE_ROWS:,} rows is flagged.",
        "",
        "| page | path | queries | slowest query (ms) | sequential scans of big tables |",
        "|---|---|---:|---:|---|",
    ]
    for name, result in inspection["results"].items():
        times = [p["ms"] for p in result["plans"] if p["ms"] is not None]
        scans = sorted({t for p in result["plans"] for t in p["seq_scans"]})
        lines.append(
            f"| {name} | `{result['path']}` | {result['queries']} | {max(times, default=0):.1f} | "
            + (", ".join(scans) if scans else "none")
            + " |"
        )
    lines += breakdown_lines(split)
    lines += ["", "## Import", "", import_result["note"], ""]
    REPORT.write_text("\n".join(lines), encoding="utf-8")


def breakdown_lines(split):
    """The report's table of where each uncached page's time goes (``breakdown()``)."""
    results = split["results"]
    floor = results["floor (/healthz)"]["ms"]["total"]
    lines = [
        "",
        "## Where an uncached page's time goes (in the process)",
        "",
        f"Django's test client, the page cache off, the median of {split['requests']} requests per page in",
        "interleaved rounds. Compiling is turning querysets into SQL; waiting is executing the",
        "queries (PostgreSQL's work and the round trip); the template is the page's template",
        "rendered again with the view's context, so no query runs (the template engine's own cost);",
        "the rest is the view's Python, building rows and the middleware. The last two columns",
        "compare the whole page, and the template alone, with the floor's whole request.",
        "",
        "| page | queries | total (ms) | compiling SQL | waiting for PostgreSQL | template | the rest "
        "| total × floor | template × floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        ms = result["ms"]
        template = f"{ms['template']:.1f}" if ms["template"] else "–"
        template_ratio = f"{ms['template'] / floor:.1f}" if ms["template"] else "–"
        if result["template_queries"]:
            template += f" ({result['template_queries']} queries)"
        lines.append(
            f"| {name} | {result['queries']} | {ms['total']:.1f} | {ms['compile']:.1f} | {ms['database']:.1f} "
            f"| {template} | {ms['rest']:.1f} | {ms['total'] / floor:.1f} "
            f"| {template_ratio} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inspect", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 5)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 3)))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    # The defaults are make serve's, from gunicorn.conf.py.
    serve = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    parser.add_argument("--workers", type=int, default=serve["workers"])
    parser.add_argument("--worker-class", default=serve["worker_class"])
    parser.add_argument("--threads-per-worker", type=int, default=serve["threads"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8765)))
    parser.add_argument("--small", action="store_true", help="the small demo data set (a quick trial run)")
    args = parser.parse_args()
    if args.inspect:
        inspect()
        return
    if args.breakdown:
        breakdown()
        return

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    prefix = f"bench-{secrets.token_hex(4)}"
    host = machine()  # before the benchmark itself loads the machine
    ensure_wrk()
    pg_version = ensure_database(database_url)
    env = site_env(database_url, redis_url, prefix)

    say("Migrating, collecting static files, generating the demo data (if missing)")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    data_args = ["--small"] if args.small else []
    started = time.monotonic()
    print(manage(env, "generate_demo_data", "--if-missing", *data_args).stdout.strip())
    print(f"({time.monotonic() - started:.1f} s)")
    manage(
        env,
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.db import connection; connection.cursor().execute('ANALYZE')",
    )

    say("Query counts and plans")
    inspection = in_site(env, "--inspect")
    PLANS.parent.mkdir(exist_ok=True)
    with PLANS.open("w", encoding="utf-8") as out:
        for name, page in inspection["results"].items():
            out.write(f"### {name} {page['path']} ({page['queries']} queries)\n\n")
            for plan in page["plans"]:
                flag = f"  <-- SEQUENTIAL SCAN OF {', '.join(plan['seq_scans'])}" if plan["seq_scans"] else ""
                out.write(f"{plan['sql']}\n{plan['plan']}{flag}\n\n")
    print(PLANS.read_text(encoding="utf-8"))

    say("Where an uncached page's time goes, in the process")
    split = in_site(dict(env, PAGE_CACHE="false"), "--breakdown")
    print(json.dumps(split, indent=1))

    say("Import of 25,000 pairs")
    import_result = time_import(database_url, redis_url)
    print(import_result["note"])

    pages = {name: page["path"] for name, page in inspection["results"].items() if name in inspection_pages()}
    skipped = []
    if "search" not in pages:
        skipped.append("The search page (`/search/`) is not in this branch, so it was not measured.")
    runs = {}
    server_logs = {}
    for cached in (True, False):
        server_env = dict(env, PAGE_CACHE="true" if cached else "false")
        label = "cached" if cached else "uncached"
        say(f"Serving ({label}) with {args.workers} {args.worker_class} workers")
        log_path = Path(str(SERVER_LOG).format(label=label))
        server = Gunicorn(
            server_env, args.port, args.workers, args.worker_class, args.threads_per_worker, log_path
        )
        try:
            home = fetch(server.url("/"))[2].decode()
            stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', home).group(1)
            targets = [("static file", stylesheet)]
            targets += list(pages.items())
            runs[cached] = measure(server, targets, args, label)
            if cached:
                say(f"Cached pages while the content changes every {EDIT_EVERY_SECONDS:g} s")
                runs["edited"] = measure_while_editing(server, pages, args, redis_url, prefix)
        finally:
            server.stop()
            server_logs[label] = logged_errors(log_path)
            say(
                f"Server ({label}) logged {server_logs[label]['errors']} errors: {server_logs[label]['first']}"
            )
    _flush_prefix(redis_url, prefix)

    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": host,
        "versions": versions(pg_version),
        "data": inspection["data"],
    }
    write_report(args, info, runs, inspection, split, import_result, skipped, server_logs)
    say(f"Wrote {REPORT.relative_to(ROOT)}")
    print(REPORT.read_text(encoding="utf-8"))


def in_site(env, flag):
    """Run this script with ``flag`` in a process of its own with the site's settings; return the
    JSON it prints last."""
    result = subprocess.run(
        [PYTHON, __file__, flag], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{flag} failed:\n" + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def inspection_pages():
    return {"home", "city with 500 links", "link", "search", "appeal"}


def logged_errors(log_path):
    """The errors a server logged (the site logs one JSON object per line): how many, and the
    first few distinct messages."""
    messages = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("ERROR", "CRITICAL"):
            messages.append(f"{entry.get('logger')}: {entry.get('message')}"[:200])
    return {
        "log": str(log_path.relative_to(ROOT)),
        "errors": len(messages),
        "first": list(dict.fromkeys(messages))[:3],
    }


def _flush_prefix(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
