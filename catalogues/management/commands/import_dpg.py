"""manage.py import_dpg: the Digital Public Goods registry and its screening answers."""

from collections import Counter

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from actors.models import Actor
from catalogues.cleaning import fold_key
from catalogues.commands import ImportCommand
from catalogues.dpg import (
    STAGES,
    assess,
    initiative_values,
    licence_assessment,
    load_validators,
    organisation_values,
    read,
    screening_assessments,
)
from catalogues.models import Record
from communs.models import Source
from curation.duplicates import url_key
from initiatives.models import Initiative

DPG_SOURCE = {
    "key": "dpg",
    "kind": Source.Kind.CATALOGUE,
    "title": "Registre des biens publics numériques (Digital Public Goods Alliance)",
    "publisher": "Digital Public Goods Alliance",
    "date": "2024-08-19",
    "url": "https://www.digitalpublicgoods.net/registry",
    "licence": "Unlicense",
    "note": (
        "Fiches (nominees, archive) et examens du standard DPG du dépôt DPGAlliance/publicgoods-candidates, "
        "archivé le 19 août 2024."
    ),
}


class Command(ImportCommand):
    help = (
        "Importe le registre des biens publics numériques (Digital Public Goods Alliance) : une fiche JSON par "
        "bien public numérique et les réponses aux examens du standard DPG, chaque fichier vérifié par le schéma "
        "JSON du registre. Sans argument : l'instantané livré dans data/dpg."
    )
    source = DPG_SOURCE
    default_locations = ["dpg"]
    suffixes = (".json",)

    def work(self, importer, files):
        validators = load_validators(settings.DATA_DIR / "dpg" / "schemas")
        nominees, screenings, skipped, problems = read(files, validators)
        for label, reason in skipped:
            importer.skip(label, reason)
        if problems:
            # One bad file stops the import: every problem of every file is reported, nothing is written.
            for label, message in problems:
                importer.error(label, message)
            return
        values_of = {stem: initiative_values(document) for _, stem, document in nominees}
        # Two entries of the registry with one website (OpenStreetMap's data and its website's software)
        # are two entries: a website they share identifies neither.
        shared = Counter(url_key(values["website"]) for values, _, _ in values_of.values())
        by_stem = {}
        for label, stem, document in nominees:
            values, aliases, extra = values_of[stem]
            with importer.row(label):
                by_stem[stem] = self.import_nominee(importer, stem, document, values, aliases, extra, shared)
        for label, stem, screening in screenings:
            initiative = by_stem.get(stem) or self.imported_before(importer, stem)
            if initiative is None:
                importer.skip(label, f"examen de « {screening['name']} » : aucune fiche « {stem} » dans le registre")
                continue
            with importer.row(label):
                for criterion, values in screening_assessments(screening).items():
                    assess(importer, initiative, f"{stem}:{criterion}", criterion, values, {"file": label})

    def import_nominee(self, importer, stem, document, values, aliases, extra, shared):
        website = values["website"]
        if shared[url_key(website)] > 1 and values["kind"] == "software" and values["repository_url"]:
            # The software behind a shared website (OpenStreetMap's) is known by its repository; the
            # website names the other entry (the data), so that the two do not pass for duplicates.
            values, extra = {**values, "website": ""}, {**extra, "website": website}
        identifiers = {
            "repository_url": values["repository_url"],
            "website": website if shared[url_key(website)] == 1 and not self.other_kind_at(website, values) else "",
        }
        entry = importer.upsert(
            Initiative,
            stem,
            values,
            identifiers=identifiers,
            names=aliases,
            extra=extra,
            citation_note=f"Fiche « {stem} » : {STAGES[document['stage']]}",
        )
        for organisation in document["organizations"]:
            found = organisation_values(organisation)
            if found is None:
                continue
            actor_values, role = found
            actor = importer.upsert(
                Actor, f"organisation:{fold_key(actor_values['name'])}", actor_values, create_only=("name", "kind")
            )
            importer.involve(entry, actor, role, note=f"« {organisation['org_type']} » dans le registre DPG")
        licence = licence_assessment(document, values["licence"])
        if licence:
            assess(importer, entry, f"{stem}:open_licence", "open_licence", licence, {"licences": extra["licences"]})
        return entry

    @staticmethod
    def other_kind_at(website, values):
        """Whether an entry of another kind has this website (a platform and the software it runs)."""
        key = url_key(website)
        if not key:
            return False
        candidates = Initiative._base_manager.filter(website__icontains=key.split("/", 1)[0]).exclude(
            kind=values["kind"]
        )
        return any(url_key(entry.website) == key for entry in candidates)

    @staticmethod
    def imported_before(importer, stem):
        content_type = ContentType.objects.get_for_model(Initiative)
        record = Record.objects.filter(source=importer.source, content_type=content_type, external_id=stem).first()
        return Initiative._base_manager.filter(pk=record.object_id).first() if record else None
