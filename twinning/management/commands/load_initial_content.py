from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app's loader, in dependency order: appeals cite cities and links.
LOADERS = ["partnerships.initial_content", "appeals.initial_content"]


class Command(BaseCommand):
    help = (
        "Load the site's initial content (the sourced facts about the first cities, links, "
        "statements and appeals). Idempotent: records are matched on their natural keys and "
        "updated, never duplicated, so it is safe to run against a production database."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for path in LOADERS:
            counts = import_module(path).load()
            summary = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(f"{path}: {summary}")
        self.stdout.write(self.style.SUCCESS("Initial content loaded."))
