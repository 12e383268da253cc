"""Each link keeps its two cities' names, written by the database, for the lists' order.

The link list and the network map's table order links by their cities' names. Sorting every
link joined to its two cities took about 100 ms for a deep page of 50,000 links; with the names
on the link, a page walks the index ``link_list_order`` instead
(docs/adr/0077-link-order-kept-by-the-database.md).

Triggers keep the names right whatever writes the rows: the admin, the importer, bulk inserts,
a restored backup, a renamed city. They are on PostgreSQL and on SQLite. On SQLite, Django
remakes a table for some changes of its columns, which drops its triggers: a later migration
that does so to ``partnerships_link`` or ``partnerships_city`` must create them again
(``tests/test_link_order.py`` fails until it does).
"""

from django.db import migrations, models

FILL = (
    "COALESCE((SELECT name FROM partnerships_city WHERE id = {row}.city_a_id), '')",
    "COALESCE((SELECT name FROM partnerships_city WHERE id = {row}.city_b_id), '')",
)

POSTGRESQL = [
    f"""
    CREATE FUNCTION partnerships_link_names() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.city_a_name := {FILL[0].format(row="NEW")};
        NEW.city_b_name := {FILL[1].format(row="NEW")};
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER partnerships_link_names
    BEFORE INSERT OR UPDATE OF city_a_id, city_b_id, city_a_name, city_b_name ON partnerships_link
    FOR EACH ROW EXECUTE FUNCTION partnerships_link_names()
    """,
    """
    CREATE FUNCTION partnerships_city_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE partnerships_link SET city_a_name = NEW.name WHERE city_a_id = NEW.id;
        UPDATE partnerships_link SET city_b_name = NEW.name WHERE city_b_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER partnerships_city_renamed
    AFTER UPDATE OF name ON partnerships_city
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION partnerships_city_renamed()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS partnerships_city_renamed ON partnerships_city",
    "DROP FUNCTION IF EXISTS partnerships_city_renamed()",
    "DROP TRIGGER IF EXISTS partnerships_link_names ON partnerships_link",
    "DROP FUNCTION IF EXISTS partnerships_link_names()",
]

# SQLite has no BEFORE trigger that can change the row, so the row is updated after it is
# written; with recursive triggers off (SQLite's default) that update fires nothing again.
_SQLITE_FILL = (
    "UPDATE partnerships_link SET city_a_name = "
    + FILL[0].format(row="NEW")
    + ", city_b_name = "
    + FILL[1].format(row="NEW")
    + " WHERE id = NEW.id;"
)
SQLITE = [
    f"CREATE TRIGGER partnerships_link_names_insert AFTER INSERT ON partnerships_link BEGIN {_SQLITE_FILL} END",
    f"""CREATE TRIGGER partnerships_link_names_update
    AFTER UPDATE OF city_a_id, city_b_id, city_a_name, city_b_name ON partnerships_link
    BEGIN {_SQLITE_FILL} END""",
    """CREATE TRIGGER partnerships_city_renamed
    AFTER UPDATE OF name ON partnerships_city WHEN OLD.name IS NOT NEW.name
    BEGIN
        UPDATE partnerships_link SET city_a_name = NEW.name WHERE city_a_id = NEW.id;
        UPDATE partnerships_link SET city_b_name = NEW.name WHERE city_b_id = NEW.id;
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS partnerships_city_renamed",
    "DROP TRIGGER IF EXISTS partnerships_link_names_update",
    "DROP TRIGGER IF EXISTS partnerships_link_names_insert",
]

BACKFILL = (
    f"UPDATE partnerships_link SET city_a_name = {FILL[0].format(row='partnerships_link')}, "
    f"city_b_name = {FILL[1].format(row='partnerships_link')}"
)


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No triggers keeping the links' city names for {vendor}")
    _run(schema_editor, [BACKFILL, *(POSTGRESQL if vendor == "postgresql" else SQLITE)])


def drop_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0005_map_order_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="link",
            options={
                "ordering": ["city_a_name", "city_b_name"],
                "verbose_name": "link",
                "verbose_name_plural": "links",
            },
        ),
        migrations.AddField(
            model_name="link",
            name="city_a_name",
            field=models.CharField(default="", editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="link",
            name="city_b_name",
            field=models.CharField(default="", editable=False, max_length=100),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.AddIndex(
            model_name="link",
            index=models.Index(
                condition=models.Q(("is_published", True)),
                fields=["city_a_name", "city_b_name", "id"],
                name="link_list_order",
            ),
        ),
    ]
