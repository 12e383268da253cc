import time

from django.core.management.base import BaseCommand, CommandError

from twinning import demo_data


class Command(BaseCommand):
    help = (
        "Fill the database with made-up content at realistic volumes (by default 10,000 cities, "
        "50,000 links with 150,000 events, 20,000 statements and 500 appeals; one city has 500 "
        "links) for benchmarks and query-budget tests. Refuses to run where there is real "
        "content unless --force; replaces an earlier demo data set, never anything else."
    )

    def add_arguments(self, parser):
        full = demo_data.FULL
        parser.add_argument("--cities", type=int, default=None, help=f"default {full.cities:,}")
        parser.add_argument("--links", type=int, default=None, help=f"default {full.links:,}")
        parser.add_argument("--events", type=int, default=None, help=f"default {full.events:,}")
        parser.add_argument("--statements", type=int, default=None, help=f"default {full.statements:,}")
        parser.add_argument("--appeals", type=int, default=None, help=f"default {full.appeals:,}")
        parser.add_argument(
            "--hub-links",
            type=int,
            default=None,
            help=f"links of the one busy city (default {full.hub_links})",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed gives the same data (default 1)"
        )
        parser.add_argument(
            "--small", action="store_true", help="a small data set for tests (sizes may still be overridden)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add demo data even though the database holds real content (which is left alone)",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when the same data set (seed and sizes) is already there",
        )

    def handle(self, *args, **options):
        base = demo_data.SMALL if options["small"] else demo_data.FULL
        sizes = demo_data.Sizes(
            **{
                name: options[name] if options[name] is not None else getattr(base, name)
                for name in ("cities", "links", "events", "statements", "appeals", "hub_links")
            }
        )
        problems = sizes.check()
        if problems:
            raise CommandError("These sizes cannot be generated: " + "; ".join(problems) + ".")
        real = demo_data.non_demo_counts()
        if real and not options["force"]:
            summary = ", ".join(f"{n:,} {name}" for name, n in real.items())
            raise CommandError(
                f"This database holds content that is not demo data ({summary}). Refusing to add "
                "made-up records to it. Use an empty database, or pass --force to add demo data "
                "beside the real content (which is never changed or deleted)."
            )
        wanted = demo_data.description(sizes, options["seed"])
        if options["if_missing"] and demo_data.existing_description() == wanted:
            self.stdout.write(f"The demo data set {wanted} is already there; nothing to do.")
            return
        started = time.monotonic()
        counts = demo_data.generate(sizes, seed=options["seed"])
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        self.stdout.write(f"Created {summary}.")
        self.stdout.write(self.style.SUCCESS(f"Demo data {wanted} generated in {elapsed:.1f} s."))
