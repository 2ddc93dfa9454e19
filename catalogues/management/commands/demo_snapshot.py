import time_machine
from django.core.management import BaseCommand, CommandError

from catalogues import demo
from initiatives.models import Initiative


class Command(BaseCommand):
    help = (
        "Build the demo from the sources into this (empty) database, the clock held at the snapshot's "
        "instant, and write it to fixtures/demo-snapshot.json.xz (`make demo-snapshot` runs it in a "
        "database of its own)."
    )

    def handle(self, *args, **options):
        if Initiative.objects.exists():
            raise CommandError("The database already holds entries: the snapshot is built in an empty one.")
        # Held, not ticking: every row then says the same instant, whatever the machine's speed.
        with time_machine.travel(demo.SNAPSHOT_CLOCK, tick=False):
            demo.restart_ids()
            demo.build_from_sources(stdout=self.stdout, verbosity=options["verbosity"])
            snapshot = demo.dump_snapshot()
        demo.write_snapshot(snapshot)
        rows = sum(len(table["rows"]) for table in snapshot["tables"].values())
        self.stdout.write(
            f"{demo.SNAPSHOT.name}: {len(snapshot['tables'])} tables, {rows} rows, "
            f"{demo.SNAPSHOT.stat().st_size:,} bytes."
        )
