from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Load the directory's demo data (fixtures/*.json, every fact citing its source). Safe to run again."

    def handle(self, *args, **options):
        files = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        call_command("loaddata", *files, verbosity=options["verbosity"])
