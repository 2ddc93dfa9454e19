"""`manage.py derive_facts`: derive what the sources say of every commons (catalogues/derive.py)."""

from django.core.management.base import BaseCommand

from catalogues.derive import derive
from catalogues.importing import importer_user
from communs import search_index
from communs.cache import bulk_writes
from initiatives.models import Initiative


class Command(BaseCommand):
    help = (
        "Déduit des sources les catégories, secteurs, territoires, critères et façons de participer de chaque "
        "initiative, sans jamais remplacer ce qu'un curateur a saisi ni réappliquer ce qu'il a rejeté."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Les initiatives à traiter (par défaut : toutes).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Tout déduire et rendre compte, sans rien enregistrer."
        )
        parser.add_argument("--json", action="store_true", help="Le compte rendu en JSON, pour les machines.")

    def handle(self, *args, **options):
        ids = None
        if options["slugs"]:
            ids = list(Initiative._base_manager.filter(slug__in=options["slugs"]).values_list("pk", flat=True))
        with bulk_writes(), search_index.paused():
            report = derive(ids, dry_run=options["dry_run"], user=importer_user())
        if not options["dry_run"]:
            search_index.update_documents(Initiative, report.touched)
        if options["json"]:
            import json

            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for line in report.lines():
                self.stdout.write(line)
