from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from appeals import clock, linkcheck
from appeals.models import Appeal, DonationRoute


class Command(BaseCommand):
    help = (
        "Check the web address of every donation route of an open, published appeal and record "
        "the answer and when. Broken routes are listed in the admin. Meant to run from cron daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=float,
            default=getattr(settings, "DONATION_LINK_CHECK_TIMEOUT", linkcheck.DEFAULT_TIMEOUT),
            help="Seconds to wait for each answer (default: %(default)s).",
        )
        parser.add_argument(
            "--ca-file",
            default=getattr(settings, "DONATION_LINK_CHECK_CA_FILE", "") or None,
            help="A PEM bundle of certificate authorities to trust instead of the system's.",
        )

    def handle(self, *args, timeout, ca_file, **options):
        appeals = Appeal.objects.published().open_now(clock.today())
        routes = DonationRoute.objects.filter(appeal__in=appeals).select_related("appeal").order_by("pk")
        broken = 0
        for route in routes:
            result = linkcheck.check(route.url, timeout=timeout, ca_file=ca_file)
            route.checked_at = timezone.now()
            route.check_status = result.status
            route.check_error = result.error
            route.is_broken = not result.ok
            route.skip_history_when_saving = True  # a check result is not an edit: keep the history clean
            route.save(update_fields=["checked_at", "check_status", "check_error", "is_broken"])
            broken += route.is_broken
            verdict = "BROKEN" if route.is_broken else "ok"
            detail = result.error or result.status
            self.stdout.write(f"{verdict} {route.url} ({detail}) - {route.appeal}")
        checked = len(routes)
        message = f"Checked {checked} donation link(s): {broken} broken."
        self.stdout.write(self.style.WARNING(message) if broken else self.style.SUCCESS(message))
