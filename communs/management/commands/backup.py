from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from communs.backups import backup


class Command(BaseCommand):
    help = (
        "Sauvegarde toute la base : pg_dump au format custom sur PostgreSQL, l'API de sauvegarde de "
        "sqlite3 sur SQLite. Se lit avec `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="le fichier à écrire (par défaut annuaire-<date>.dump ou .sqlite3)")

    def handle(self, *args, path=None, **options):
        if path is None:
            suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
            path = f"annuaire-{datetime.now():%Y%m%d-%H%M%S}.{suffix}"
        path = Path(path)
        backup(path)
        self.stdout.write(f"Sauvegarde écrite : {path} ({path.stat().st_size} octets)")
