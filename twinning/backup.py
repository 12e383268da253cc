"""Backup of everything the site holds: content, its full history, sources, staff accounts and
the changes Editors proposed.

``export_content FILE`` writes Django's JSON serialisation of these models, ordered by model
and primary key, keeping every primary key (so history entries, footnotes and links keep
pointing at the same rows) and naming groups, permissions and content types by natural key (so
the file loads into any database migrated to the same version). ``import_content FILE``
loads it into a freshly migrated database in one transaction, without recording the load
itself as a change. See docs/adr/0053-backup-with-dumpdata.md.
"""

import datetime
import decimal
import json

from django.apps import apps
from django.db import connection

# What a backup holds. Whole apps, so models added to them later are included by themselves;
# the Editors' proposed changes waiting for review (or already decided) too.
LABELS = ["auth.user", "partnerships", "appeals", "twinning.staffprofile", "twinning.proposedchange"]
# Must be empty before an import: it restores a site, it does not merge two.
CONTENT_APPS = ["partnerships", "appeals"]


def models_in_backup(include_through=True):
    """Every model a backup holds, with the many-to-many tables Django creates for them."""
    found = []
    for label in LABELS:
        if "." in label:
            found.append(apps.get_model(label))
        else:
            found.extend(apps.get_app_config(label).get_models())
    if include_through:
        for model in list(found):
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                if through._meta.auto_created and through not in found:
                    found.append(through)
    return found


def content_exists():
    return any(
        model._base_manager.exists()
        for label in CONTENT_APPS
        for model in apps.get_app_config(label).get_models()
    )


def _canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def snapshot():
    """Every row of every model in a backup, in a form that compares equal across databases.

    Many-to-many rows are compared as the pairs they hold: their own ids are Django's surrogate
    keys, which the serialisation does not keep (the relations themselves are kept exactly).
    """
    rows = {}
    for model in models_in_backup():
        fields = [f.attname for f in model._meta.concrete_fields]
        order = ["pk"]
        if model._meta.auto_created:  # only foreign keys: they order the same everywhere
            fields = order = [name for name in fields if name != model._meta.pk.attname]
        values = [
            {name: _canonical(value) for name, value in zip(fields, row, strict=True)}
            for row in model._base_manager.order_by(*order).values_list(*fields)
        ]
        rows[model._meta.label] = values
    return rows


def snapshot_json():
    return json.dumps(snapshot(), sort_keys=True, ensure_ascii=False)


def clear():
    """Empty every table a backup holds (for tests and for restoring over a failed import)."""
    tables = [model._meta.db_table for model in models_in_backup()]
    from django.core.management.color import no_style

    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    connection.ops.execute_sql_flush(statements)
