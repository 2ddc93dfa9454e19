"""manage.py harvest URL: mirror another instance of this directory through its API."""

from urllib.parse import urlsplit

from django.core.management.base import CommandError
from django.utils.text import slugify

from catalogues.commands import ImportCommand
from catalogues.fetch import Fetch
from catalogues.harvest import api_root, harvest
from catalogues.importing import RowError
from communs.models import Source


class Command(ImportCommand):
    help = (
        "Moissonne une autre instance de l'annuaire par son API : tout la première fois, puis ce qui a changé "
        "depuis (updated_since) et ce qui a quitté sa liste publique (…/archived/), archivé ici."
    )
    publication_key = "harvest"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(locations=[])

    def read(self, options):
        if len(options["locations"]) != 1:
            raise CommandError("Donnez l'adresse d'une instance de l'annuaire : manage.py harvest https://…/")
        # One fetch policy for the whole run: its deadline and page count span every list read.
        self.fetch = Fetch()
        try:
            self.root = api_root(options["locations"][0])
        except RowError as error:
            raise CommandError(str(error)) from error
        host = urlsplit(self.root).netloc
        site = self.root.removesuffix("api/v1/")
        self.source = {
            "key": slugify(f"harvest {host.replace('.', '-').replace(':', '-')}")[:100],
            "kind": Source.Kind.DIRECTORY,
            "title": f"Annuaire des communs numériques ({host})",
            "url": site,
            "note": "Autre instance de l'annuaire, moissonnée par son API.",
        }
        return []

    def work(self, importer, files):
        harvest(importer, self.root, self.fetch)
