"""Delete the name and email address of every correction older than the retention period.

Meant for cron, daily. The correction itself (what is wrong, what is right, the source, the
moderation) is kept; ``personal_data_deleted_at`` records when its sender's details went.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from twinning.corrections.models import Correction, CorrectionSettings


class Command(BaseCommand):
    help = (
        "Blank the sender's name and email address on corrections older than the retention period "
        "staff set in the admin (Corrections settings). Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many would be purged; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        days = CorrectionSettings.load().retention_days
        due = Correction.objects.personal_data_due(now)
        if dry_run:
            count = due.count()
            self.stdout.write(f"{count} correction(s) older than {days} days have a name or email to delete.")
            return
        count = due.update(name="", email="", personal_data_deleted_at=now)
        self.stdout.write(
            f"Deleted the name and email address of {count} correction(s) older than {days} days."
        )
