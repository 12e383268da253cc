"""The staff groups: Editors write drafts; Publishers also publish and unpublish.

Neither may delete: public records are unpublished, and only superusers delete (keeping the
history). Model permissions are normally created after all migrations have run, so they are
created here first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = {
    "partnerships": [
        "source",
        "city",
        "cityname",
        "link",
        "event",
        "alternativeclaim",
        "person",
        "role",
        "statement",
    ],
    "appeals": ["appeal", "donationroute", "raisedfigure", "appealupdate"],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    build_groups(apps)


def build_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editing = []
    for app_label, models in CONTENT.items():
        for model in models:
            for action in ("view", "add", "change"):
                editing.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                )
    publish = Permission.objects.get(content_type__app_label="twinning", codename="publish")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(*editing)
    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publisher.permissions.add(*editing, publish)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("twinning", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0002_statement_about_appeal"),
        ("appeals", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
