"""A full-text index on roles' titles for the site search on PostgreSQL: people are found by the
roles they held ("Lord Mayor" finds Al Garthwaite, John Rafferty and Mary Rasmussen). The
expression is written as ``SearchVector("title", config="english")`` renders it, so that the
search's query uses it (docs/adr/0024-indexed-search-on-postgresql.md). Nothing happens on other
databases.
"""

from django.db import migrations

from twinning.migrations._operations import OnPostgreSQL


class Migration(migrations.Migration):
    # CONCURRENTLY, outside a transaction: staff keep saving while the index is built.
    atomic = False
    dependencies = [("twinning", "0007_admin_search_indexes")]
    operations = [
        OnPostgreSQL(
            migrations.RunSQL(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_role_title_doc ON partnerships_role "
                "USING gin ((to_tsvector('english'::regconfig, COALESCE(title, ''))))",
                "DROP INDEX CONCURRENTLY IF EXISTS search_role_title_doc",
            )
        ),
        OnPostgreSQL(migrations.RunSQL("ANALYZE partnerships_role", migrations.RunSQL.noop)),
    ]
