"""The PostgreSQL extensions the search uses: unaccent and pg_trgm.

On SQLite there is nothing to install: the search registers its own accent-folding
function on each SQLite connection (see twinning/apps.py).
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

from twinning.migrations._operations import OnPostgreSQL


class Migration(migrations.Migration):
    initial = True
    dependencies = [("twinning", "0002_editor_and_publisher_groups")]
    operations = [
        OnPostgreSQL(UnaccentExtension()),
        OnPostgreSQL(TrigramExtension()),
    ]
