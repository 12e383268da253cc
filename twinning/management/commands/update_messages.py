"""Bring the Ukrainian catalogue up to date with the code and templates (``make messages``).

The same ``makemessages`` run every time: Ukrainian only, without source locations (so
catalogues from parallel branches merge without conflicts) and without obsolete entries.
The test suite runs this command on a copy of the project and fails if the committed
catalogue lacks any message it finds (tests/test_i18n.py).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LOCALES = ["uk"]
# Folders that hold no interface strings: the tests, the one-off scripts, collected files.
IGNORE = ["tests/*", "scripts/*", "staticfiles/*", "media/*", "node_modules/*", "locale/*"]


class Command(BaseCommand):
    help = "Update locale/uk/LC_MESSAGES/django.po from the code and templates (makemessages)."

    def handle(self, *args, **options):
        os.chdir(settings.BASE_DIR)
        call_command(
            "makemessages",
            locale=LOCALES,
            no_location=True,
            no_obsolete=True,
            ignore_patterns=IGNORE,
            verbosity=options["verbosity"],
        )
