from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from twinning.backup import content_exists


class Command(BaseCommand):
    help = (
        "Load a file written by export_content into a freshly migrated database: all content, "
        "history, sources and staff accounts, with their primary keys, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if content_exists():
            raise CommandError(
                "This database already holds content. Import into a freshly migrated, empty "
                "database (python manage.py migrate on a new database), so nothing is mixed or overwritten."
            )
        # The load restores history as it was; it must not add entries of its own.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", file, format="json", verbosity=0)
        self.stdout.write(f"Imported {file}.")
