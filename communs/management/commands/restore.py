from pathlib import Path

from django.core.management.base import BaseCommand

from communs.backups import restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de `manage.py backup` dans la base configurée (DATABASE_URL). "
        "Refuse une base qui contient déjà des tables, sauf avec --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="le fichier écrit par `manage.py backup`")
        parser.add_argument("--force", action="store_true", help="remplacer le contenu d'une base qui n'est pas vide")

    def handle(self, *args, path, force=False, **options):
        restore(Path(path), force=force)
        self.stdout.write(f"Sauvegarde restaurée depuis {path}. Puis : manage.py migrate, et redémarrez le serveur.")
