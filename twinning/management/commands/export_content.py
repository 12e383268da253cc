from django.core.management import call_command
from django.core.management.base import BaseCommand

from twinning.backup import LABELS


class Command(BaseCommand):
    help = (
        "Write all content, its full history, the sources, the staff accounts and the proposed changes "
        "to FILE (JSON). "
        "The file holds password hashes: keep it as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup, for example twinning-2026-11-22.json")

    def handle(self, *args, file, **options):
        call_command(
            "dumpdata",
            *LABELS,
            format="exact_json",
            natural_foreign=True,
            indent=1,
            output=file,
            verbosity=0,
        )
        self.stdout.write(f"Wrote {file}.")
