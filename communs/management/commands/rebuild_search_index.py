from django.core.management import BaseCommand
from django.db import transaction

from communs import search_index


class Command(BaseCommand):
    help = (
        "Rewrite every search document from the entries (after a bulk load that bypassed the "
        "model signals, or an upgrade). Searches keep working meanwhile: one transaction."
    )

    def add_arguments(self, parser):
        labels = [model._meta.label for model in search_index.searchable_models()]
        parser.add_argument("--model", choices=labels, help="only this model's documents (app.Model)")

    def handle(self, *args, **options):
        model = None
        if options["model"]:
            from django.apps import apps

            model = apps.get_model(options["model"])
        with transaction.atomic():
            search_index.rebuild(model, stdout=self.stdout)
