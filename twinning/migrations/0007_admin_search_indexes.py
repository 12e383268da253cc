"""Trigram indexes for the admin's searches on PostgreSQL (docs/adr/0084-admin-search-at-scale.md).

The admin finds records with ``icontains`` on each of a model's ``search_fields``, which
PostgreSQL writes as ``UPPER("column"::text) LIKE UPPER('%term%')``. A trigram GIN index on
that same expression serves it for terms of three letters or more, so each searched column of
the tables that grow with the content has one. ``StaffRulesAdmin.get_search_results`` asks for
each column on its own, so that each can use its index. Nothing happens on other databases.
"""

from django.db import migrations

from twinning.migrations._operations import OnPostgreSQL

# (table, column) for each admin search field of the tables that grow with the content; a
# search field through a relation uses the related table's index.
COLUMNS = [
    ("partnerships_city", "name"),
    ("partnerships_city", "native_name"),
    ("partnerships_city", "slug"),
    ("partnerships_city", "wikidata_id"),
    ("partnerships_cityname", "name"),
    ("partnerships_link", "slug"),
    ("partnerships_link", "run_by"),
    ("partnerships_event", "title"),
    ("partnerships_event", "description"),
    ("partnerships_event", "decided_by"),
    ("partnerships_statement", "quote"),
    ("partnerships_statement", "translation"),
    ("partnerships_statement", "context"),
    ("partnerships_person", "name"),
    ("partnerships_person", "native_name"),
    ("partnerships_person", "slug"),
    ("partnerships_source", "title"),
    ("partnerships_source", "publisher"),
    ("partnerships_source", "url"),
    ("partnerships_source", "note"),
]


def index_name(table, column):
    return f"admin_{table.removeprefix('partnerships_')}_{column}_trgm"


def create_index(table, column):
    name = index_name(table, column)
    return OnPostgreSQL(
        migrations.RunSQL(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
            f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
        )
    )


class Migration(migrations.Migration):
    # CONCURRENTLY, outside a transaction: staff keep saving while the indexes are built.
    atomic = False
    dependencies = [
        ("twinning", "0006_proposedchange"),
        ("partnerships", "0009_link_admin_order_index"),
    ]
    operations = [
        *(create_index(table, column) for table, column in COLUMNS),
        OnPostgreSQL(
            migrations.RunSQL(
                "ANALYZE " + ", ".join(sorted({table for table, _column in COLUMNS})), migrations.RunSQL.noop
            )
        ),
    ]
