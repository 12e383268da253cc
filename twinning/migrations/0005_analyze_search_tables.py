"""The planner's statistics on the expressions the search indexes (0004), now rather than
whenever autovacuum next analyses these tables.

A migration of its own: in the transaction that sets an index column's statistics target,
ANALYZE does not see it yet, and would gather the statistics 0004 turns off on folded names.
Nothing happens on other databases.
"""

from django.db import migrations

from twinning.migrations._operations import OnPostgreSQL

TABLES = [
    "appeals_appeal",
    "partnerships_city",
    "partnerships_cityname",
    "partnerships_event",
    "partnerships_link",
    "partnerships_person",
    "partnerships_statement",
]


class Migration(migrations.Migration):
    dependencies = [("twinning", "0004_indexed_search")]
    operations = [OnPostgreSQL(migrations.RunSQL(f"ANALYZE {', '.join(TABLES)}", migrations.RunSQL.noop))]
