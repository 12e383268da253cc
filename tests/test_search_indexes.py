"""The search's indexes on PostgreSQL (twinning/migrations/0004_indexed_search.py): every query
the search sends can be answered from them, so a search does not read whole tables.

PostgreSQL uses an expression index only for the very expression it was built on, so a change
to how the search writes a condition (a different SearchVector, Coalesce, folding function or
operator) silently turns index scans into sequential scans; these tests fail when that happens.
The plans are asked for with only bitmap scans enabled, which need a condition an index
answers: a condition that can use its index shows it in the plan, one that cannot leaves a
sequential scan.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partnerships.queries import Visibility
from twinning import demo_data
from twinning.search import KINDS, SIMILARITY, Search

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's"
)

TABLES = [
    "appeals_appeal",
    "partnerships_city",
    "partnerships_cityname",
    "partnerships_event",
    "partnerships_link",
    "partnerships_person",
    "partnerships_statement",
]

# The indexes each kind's query must use.
INDEXES = {
    "city": {"search_city_name_trgm", "search_city_native_trgm", "search_cityname_trgm", "search_city_doc"},
    "link": {
        "search_city_name_trgm",
        "search_city_native_trgm",
        "search_city_name_doc",
        "search_event_doc",
        "search_link_doc",
    },
    "statement": {
        "search_person_name_trgm",
        "search_person_native_trgm",
        "search_person_name_doc",
        "search_statement_doc",
    },
    "person": {"search_person_name_trgm", "search_person_native_trgm", "search_person_doc"},
    "appeal": {"search_appeal_title_trgm", "search_appeal_organiser_trgm", "search_appeal_doc"},
}


@pytest.fixture(scope="module")
def indexed_data(django_db_setup, django_db_blocker):
    """A tenth of the benchmark's demo data, vacuumed, with the planner's statistics, deleted
    afterwards.

    On a handful of rows the planner rightly prefers to read a table whole, or through the index
    on "is_published"; with thousands, as on the site, it takes the search indexes."""
    with django_db_blocker.unblock():
        demo_data.generate(
            demo_data.Sizes(cities=1000, links=5000, events=15000, statements=2000, appeals=500, hub_links=50)
        )
        with connection.cursor() as cursor:
            # VACUUM as well: rows inserted and deleted by earlier tests leave dead index entries
            # and GIN pending lists behind until autovacuum gets round to them, which made the
            # search indexes look dearer than the published flag's to the planner, some runs and
            # not others.
            cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")
        yield
        demo_data.delete_demo_data()


def ranking_queries(query, preview=False):
    """The SQL of the search's ranking queries, one per kind, as sent to the database."""
    with CaptureQueriesContext(connection) as captured:
        Search(query, Visibility(preview=preview)).hits()
    # Around them: the setting that plans each for its own words (and a test's savepoint).
    sql = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert len(sql) == len(KINDS)
    return dict(zip(KINDS, sql, strict=True))


def plan(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        # Only bitmap scans, which need a condition an index answers, are left to read tables.
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize(
    "query",
    ["Brunn", "Terekov", "Харків", "Leeds Kharkiv", "friendship oath", "Centralia", "Centralia Rosenia"],
)
def test_every_ranking_query_reads_through_the_search_indexes(indexed_data, db, query, preview):
    for kind, sql in ranking_queries(query, preview).items():
        text = plan(sql)
        assert "Seq Scan" not in text, (kind, text)
        used = {index for index in INDEXES[kind] if f" on {index}" in text}
        assert used == INDEXES[kind], (kind, INDEXES[kind] - used, text)


def test_fuzzy_matches_use_the_indexable_operator_on_folded_names(db):
    for kind, sql in ranking_queries("Terekov").items():
        assert "%> (twinning_fold('Terekov'))" in sql, kind
        assert "lower(unaccent(" not in sql, kind


def test_the_fuzzy_threshold_is_set_on_every_connection(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == SIMILARITY
        cursor.execute("SELECT 'terekov' <% 'ihor terekhov', word_similarity('terekov', 'ihor terekhov')")
        similar, score = cursor.fetchone()
    assert similar and score == pytest.approx(0.625)


def test_the_folding_function_is_immutable_and_folds_like_python(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT provolatile FROM pg_proc WHERE proname = 'twinning_fold'")
        assert cursor.fetchall() == [("i",)]
        cursor.execute("SET LOCAL search_path = pg_catalog")  # the function names its schema
        cursor.execute(
            "SELECT public.twinning_fold('Brünn'), public.twinning_fold('ХАРКІВ'), public.twinning_fold(NULL)"
        )
        assert cursor.fetchone() == ("brunn", "харків", None)


def test_folded_names_are_indexed_without_planner_statistics(db):
    """Estimating a fuzzy condition from statistics costs more planning time than it saves."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attstattarget FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relname LIKE 'search\\_%\\_trgm' ORDER BY c.relname"
        )
        rows = cursor.fetchall()
    assert len(rows) == 7
    assert all(target == 0 for _, target in rows), rows


@pytest.mark.parametrize("preview", [False, True])
def test_ranking_sql_compiled_once_ranks_like_the_queryset(indexed_data, db, preview):
    # Each shape of ranking query is compiled once, with stand-in words, and run with the
    # query's own: the rows must be the queryset's, however the words repeat.
    queries = ["Brunn", "Leeds Leeds", "Centralia Rosenia Centralia", "Харків", "friendship oath", "___"]
    for query in queries:
        search = Search(query, Visibility(preview=preview))
        for kind in KINDS:
            assert search._ranked(kind) == list(search._ranking(kind)), (query, kind)
