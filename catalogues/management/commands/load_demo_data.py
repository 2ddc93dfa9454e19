from django.core.management import BaseCommand

from catalogues import demo
from initiatives.models import Initiative


class Command(BaseCommand):
    help = (
        "Load the directory's demo data into an empty directory: the snapshot fixtures/demo-snapshot.json.xz "
        "(seconds), or, when it does not fit this checkout or --from-sources is given, the fixtures, the "
        "official territories and the real catalogues the project ships (about a minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Load the fixtures over existing data: entries they hold are reset to the fixture's values.",
        )
        parser.add_argument(
            "--seeds-only",
            action="store_true",
            help="Only the source documents' entries and the territories, without the real catalogues.",
        )
        parser.add_argument(
            "--from-sources",
            action="store_true",
            help="Build from the fixtures and data/ files rather than from the snapshot.",
        )

    def handle(self, *args, **options):
        # `make run` calls this every time: a curator's edits to demo entries must not be overwritten
        # behind their back, so a directory that already has content is left as it is.
        if Initiative.objects.exists() and not options["reload"]:
            self.stdout.write("Demo data already present: nothing loaded (use --reload to reset it).")
            return
        verbosity = options["verbosity"]
        if not (options["reload"] or options["seeds_only"] or options["from_sources"]):
            why = "there is none" if not demo.SNAPSHOT.exists() else ""
            snapshot = None if why else demo.read_snapshot()
            why = why or demo.stale_because(snapshot)
            if not why:
                count = demo.load_snapshot(snapshot)
                if verbosity:
                    self.stdout.write(f"Demo data loaded from {demo.SNAPSHOT.name}: {count} rows.")
                return
            self.stdout.write(
                f"The demo snapshot is not used ({why}): building from the sources, about a minute "
                "(`make demo-snapshot` brings it up to date)."
            )
        demo.build_from_sources(stdout=self.stdout, verbosity=verbosity, seeds_only=options["seeds_only"])
