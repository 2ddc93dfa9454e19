from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.db.models.signals import post_save
from django.test.utils import override_settings

from catalogues.demo import import_demo_catalogues
from communs import search_index
from communs.cache import bulk_writes
from communs.markdown import render_saved
from initiatives.models import Initiative


class Command(BaseCommand):
    help = (
        "Load the directory's demo data (fixtures/*.json, every fact citing its source). "
        "Does nothing when the directory already holds initiatives, unless --reload is given."
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
            help="Only the source documents' entries and the territories, without the real catalogues' snapshot.",
        )

    def handle(self, *args, **options):
        # `make run` calls this every time: a curator's edits to demo entries must not be overwritten
        # behind their back, so a directory that already has content is left as it is.
        if Initiative.objects.exists() and not options["reload"]:
            self.stdout.write("Demo data already present: nothing loaded (use --reload to reset it).")
            return
        files = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        # Cached pages are made stale once, at the end, rather than at each of thousands of rows.
        with bulk_writes(), transaction.atomic():
            # The full official territories (data/geo-fr) first, so that every /territoires/<code>/ page
            # exists; the fixture's territories carry the same codes and parents, so loaddata then
            # finds them by natural key instead of adding copies.
            call_command("import_territories", verbosity=options["verbosity"], stdout=self.stdout)
            # loaddata saves raw, and each many-to-many row it adds would be recorded as a change.
            # Load without history, then give every entry that has none its first version.
            # The search documents are written once at the end rather than at each raw row.
            with search_index.paused():
                with override_settings(SIMPLE_HISTORY_ENABLED=False):
                    call_command("loaddata", *files, verbosity=options["verbosity"])
                self._record_first_versions()
            self._render_markdown()
            # The real catalogues the project ships (catalogues/demo.py): hundreds of public commons.
            if not options["seeds_only"]:
                with search_index.paused():
                    import_demo_catalogues(stdout=self.stdout if options["verbosity"] > 1 else StringIO())
            search_index.rebuild()

    def _render_markdown(self):
        # loaddata saves raw, without Publishable.save(): store the descriptions' HTML here.
        for model in apps.get_models():
            if getattr(model, "markdown_fields", ()):
                render_saved(apps, model._meta.app_label, model.__name__, model.markdown_fields)

    def _record_first_versions(self):
        for model in apps.get_models():
            manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
            if manager_name is None:
                continue
            history = getattr(model, manager_name).model
            without_history = model._base_manager.exclude(pk__in=history.objects.values(model._meta.pk.attname))
            for instance in without_history.iterator():
                # What a non-raw save announces; django-simple-history's receiver turns it into a
                # "created" record with the many-to-many values (the project has no other receiver).
                post_save.send(sender=model, instance=instance, created=True, raw=False, using="default")
