"""What every import command shares: its arguments, its one transaction, its report."""

from django.conf import settings
from django.core.management.base import BaseCommand

from catalogues.importing import ImportFailed, Report, RowError, run
from catalogues.inputs import read_inputs
from communs import search_index
from communs.models import Source


class ImportCommand(BaseCommand):
    """Subclasses set `source` (the Source record's fields), `default_locations` (under DATA_DIR),
    `suffixes`, and write `work(importer, files)`."""

    source = {}
    publication_key = None  # the CATALOGUE_PUBLICATION entry, when it is not the source's key
    default_locations = []
    suffixes = (".json", ".csv")

    def add_arguments(self, parser):
        parser.add_argument(
            "locations",
            nargs="*",
            help="Fichiers, dossiers ou adresses http(s) à lire (par défaut : l'instantané livré dans data/).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Tout vérifier et rendre compte, sans rien enregistrer."
        )
        parser.add_argument("--json", action="store_true", help="Le compte rendu en JSON, pour les machines.")

    def handle(self, *args, **options):
        try:
            files = self.read(options)
        except RowError as error:
            # A file or a download the fetch policy refuses: reported like a bad row, nothing written.
            report = Report(source=self.source.get("key", "") if isinstance(self.source, dict) else "")
            report.dry_run = options["dry_run"]
            report.errors.append({"row": "fichier", "message": str(error)})
            if options["json"]:
                self.stdout.write(report.json())
            raise ImportFailed(report, f"Import annulé, rien n'a été enregistré :\nfichier : {error}") from error

        def work(importer):
            try:
                self.work(importer, files)
            except RowError as error:
                importer.error("fichier", str(error))

        try:
            # The search documents of the entries written are rebuilt once, at the end.
            with search_index.paused():
                report = run(
                    self.source["key"],
                    self.source_record,
                    work,
                    dry_run=options["dry_run"],
                    publication_key=self.publication_key,
                )
            refresh_search(report.touched)
        except ImportFailed as failure:
            if options["json"]:
                self.stdout.write(failure.report.json())
            raise
        if options["json"]:
            self.stdout.write(report.json())
        else:
            for line in report.lines():
                self.stdout.write(line)
        return None

    def read(self, options):
        locations = options["locations"] or [settings.DATA_DIR / path for path in self.default_locations]
        return read_inputs(locations, self.suffixes)

    def source_record(self, fields=None):
        """The Source record of `fields` (by default the command's own source), created or brought up to date."""
        fields = dict(fields or self.source)
        source, _ = Source.objects.update_or_create(key=fields.pop("key"), defaults=fields)
        return source

    def work(self, importer, files):
        raise NotImplementedError


def refresh_search(touched):
    """Rewrite the search documents of the entries an import wrote, and of the initiatives that
    name a written actor (its name is in their documents)."""
    from actors.models import Actor
    from initiatives.models import Initiative, Involvement

    initiatives = set(touched.get(Initiative, ()))
    if touched.get(Actor):
        initiatives |= set(Involvement.objects.filter(actor__in=touched[Actor]).values_list("initiative_id", flat=True))
    for model, pks in touched.items():
        if model is not Initiative:
            search_index.update_documents(model, pks)
    search_index.update_documents(Initiative, initiatives)
