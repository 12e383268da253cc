"""Indexes for the site search on PostgreSQL (docs/adr/0024-indexed-search-on-postgresql.md).

``twinning_fold(text)`` folds case and accents as ``lower(unaccent(text))`` does, but is
IMMUTABLE, so that expression indexes can be built on folded names: ``unaccent(text)`` is only
STABLE because it finds its dictionary through the search path. The function names the
dictionary with its schema, so its result does not depend on the search path. (On SQLite the
search registers a Python function of the same name on every connection, twinning/text.py.)

Trigram GIN indexes on the folded names serve the fuzzy match (``%>``, pg_trgm's word
similarity); GIN indexes on the full-text vectors serve ``@@``. PostgreSQL uses an expression
index only for a query expression that is the same expression, so each vector here is written
exactly as ``SearchVector`` in twinning/search.py renders it; tests/test_search_indexes.py fails
if a query stops using them.

The next migration gathers the statistics on the indexed expressions. Nothing happens on other
databases.
"""

from django.db import migrations

from twinning.migrations._operations import OnPostgreSQL

EN = "'english'::regconfig"


def vector(*weighted):
    """The SQL of SearchVector(field, weight=..., config="english") + ... for these fields."""
    parts = [f"setweight(to_tsvector({EN}, COALESCE({field}, '')), '{weight}')" for field, weight in weighted]
    sql = parts[0]
    for part in parts[1:]:
        sql = f"({sql} || {part})"
    return sql


def name_vector(field):
    """The SQL of SearchVector(field, config="english"): one name, unweighted."""
    return f"to_tsvector({EN}, COALESCE({field}, ''))"


# (index name, table, indexed expression); all are GIN indexes.
INDEXES = [
    # Fuzzy matches on folded names.
    ("search_city_name_trgm", "partnerships_city", "twinning_fold(name) gin_trgm_ops"),
    ("search_city_native_trgm", "partnerships_city", "twinning_fold(native_name) gin_trgm_ops"),
    ("search_cityname_trgm", "partnerships_cityname", "twinning_fold(name) gin_trgm_ops"),
    ("search_person_name_trgm", "partnerships_person", "twinning_fold(name) gin_trgm_ops"),
    ("search_person_native_trgm", "partnerships_person", "twinning_fold(native_name) gin_trgm_ops"),
    ("search_appeal_title_trgm", "appeals_appeal", "twinning_fold(title) gin_trgm_ops"),
    ("search_appeal_organiser_trgm", "appeals_appeal", "twinning_fold(organiser) gin_trgm_ops"),
    # Full text: each kind's own vector, and the names other kinds' vectors join in.
    (
        "search_city_doc",
        "partnerships_city",
        f"({vector(('name', 'A'), ('native_name', 'A'), ('description', 'C'))})",
    ),
    ("search_city_name_doc", "partnerships_city", f"({name_vector('name')})"),
    ("search_link_doc", "partnerships_link", f"({vector(('summary', 'C'), ('run_by', 'C'))})"),
    (
        "search_event_doc",
        "partnerships_event",
        f"(to_tsvector({EN}, COALESCE(title, '') || ' ' || COALESCE(description, '')))",
    ),
    (
        "search_statement_doc",
        "partnerships_statement",
        f"({vector(('quote', 'A'), ('translation', 'A'), ('context', 'B'))})",
    ),
    (
        "search_person_doc",
        "partnerships_person",
        f"({vector(('name', 'A'), ('native_name', 'A'), ('description', 'C'))})",
    ),
    ("search_person_name_doc", "partnerships_person", f"({name_vector('name')})"),
    (
        "search_appeal_doc",
        "appeals_appeal",
        "({})".format(
            vector(
                ("title", "A"),
                ("organiser", "B"),
                ("administering_charity", "B"),
                ("sponsor", "B"),
                ("summary", "B"),
                ("description", "C"),
            )
        ),
    ),
]


class CreateFoldFunction(migrations.operations.base.Operation):
    """CREATE FUNCTION twinning_fold(text), naming the schema the unaccent extension is in."""

    reduces_to_sql = False
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
            schema = cursor.fetchone()[0]
        dictionary = f"{schema}.unaccent".replace("'", "''")
        # PL/pgSQL rather than SQL: PostgreSQL cannot inline an SQL function declared more
        # stable than its body, and calls a PL/pgSQL one about twice as fast.
        schema_editor.execute(
            "CREATE FUNCTION twinning_fold(text) RETURNS text "
            "LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN "
            f"RETURN pg_catalog.lower({schema}.unaccent('{dictionary}'::regdictionary, $1)); "
            "END $$"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute("DROP FUNCTION twinning_fold(text)")

    def describe(self):
        return "Create the IMMUTABLE accent-folding function twinning_fold(text)"


def create_index(name, table, expression):
    sql = [f"CREATE INDEX {name} ON {table} USING gin ({expression})"]
    if expression.endswith("gin_trgm_ops"):
        # No statistics on folded names: with them the planner estimates each fuzzy condition
        # by testing it against a couple of hundred sampled names, about 0.25 ms of planning
        # per condition and a search has nineteen, for the same plans as the default estimate.
        sql.append(f"ALTER INDEX {name} ALTER COLUMN 1 SET STATISTICS 0")
    return OnPostgreSQL(migrations.RunSQL(sql, f"DROP INDEX {name}"))


class Migration(migrations.Migration):
    dependencies = [
        ("twinning", "0003_search_extensions"),
        ("partnerships", "0004_merge_0003_history_0003_performance_indexes"),
        ("appeals", "0003_merge_0002_history_0002_performance_indexes"),
    ]
    operations = [
        OnPostgreSQL(CreateFoldFunction()),
        *(create_index(name, table, expression) for name, table, expression in INDEXES),
    ]
