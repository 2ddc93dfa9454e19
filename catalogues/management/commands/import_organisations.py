"""manage.py import_organisations: code.gouv.fr's public bodies, their OSPOs and forge accounts."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from actors.models import Actor
from catalogues.commands import ImportCommand
from catalogues.models import Record
from catalogues.organisations import actor_values, bodies, parse, record_extra
from communs.models import Source

ORGANISATIONS_SOURCE = {
    "key": "codegouvfr-organisations",
    "kind": Source.Kind.CATALOGUE,
    "title": "Organismes publics et comptes de forges (code.gouv.fr)",
    "publisher": "DINUM (code.gouv.fr)",
    "date": "2025-09-24",
    "url": "https://code.gouv.fr/",
    "licence": "etalab-2.0",
    "note": (
        "Fichiers top_organizations.yml, fr-public-sector-ospo.yml et comptes-organismes-publics.yml "
        "de codegouvfr/codegouvfr-data."
    ),
}
DATA = "codegouvfr/codegouvfr-data"


class Command(ImportCommand):
    help = (
        "Importe les organismes publics de code.gouv.fr (codegouvfr-data) : les organismes de premier niveau "
        "(top_organizations.yml), les OSPO (fr-public-sector-ospo.yml) et les comptes de forges des organismes "
        "(comptes-organismes-publics.yml), regroupés par identifiant de l'annuaire de service-public.fr. "
        "Sans argument : l'instantané livré dans data/codegouvfr/codegouvfr-data."
    )
    source = ORGANISATIONS_SOURCE
    default_locations = [
        f"{DATA}/top_organizations.yml",
        f"{DATA}/fr-public-sector-ospo.yml",
        f"{DATA}/comptes-organismes-publics.yml",
    ]
    suffixes = (".yml", ".yaml", ".json")

    def work(self, importer, files):
        found, ignored = parse(files)
        for name, reason in ignored:
            importer.skip(name, reason)
        by_key, left_aside = bodies(found)
        for label, reason in left_aside:
            importer.skip(label, reason)
        content_type = ContentType.objects.get_for_model(Actor)
        records = {
            record.external_id: record
            for record in Record.objects.filter(
                source=importer.source, content_type=content_type, external_id__in=list(by_key)
            )
        }
        for key, item in by_key.items():
            record = records.get(key)
            entry = Actor._base_manager.filter(pk=record.object_id).first() if record else None
            if entry is None:
                record = None
            if not item.name and entry is None:
                # Only the service-public.fr annuaire names these bodies; a login is no name.
                accounts = ", ".join(account["url"].removeprefix("https://") for account in item.accounts)
                importer.skip(key, f"organisme sans nom dans les fichiers de code.gouv.fr (comptes : {accounts})")
                continue
            # The annuaire id names one body: an actor that has it is this body, whatever its name.
            identifiers = {"annuaire_id": item.pso_id}
            if (
                record is None
                and not item.top_name
                and not Actor._base_manager.filter(annuaire_id=item.pso_id or "-").exists()
            ):
                existing = self.found_by_acronym(item)
                if existing is not None:
                    identifiers = {**identifiers, "slug": existing.slug}
                    importer.report.matched_by_name.append({"id": key, "entry": existing.slug})
            if record is not None:
                describes_entry = bool(record.extra.get("ospo_describes_entry"))
            else:
                describes_entry = bool(item.ospo) and not item.top_name and "slug" not in identifiers
            values = actor_values(item, describes_entry)
            if not values["name"]:
                values["name"] = entry.name  # a run without the file that names it: the name is not written
            extra = {**(record.extra if record else {}), **record_extra(item, describes_entry)}
            if "accounts" not in found and record is not None:
                extra["accounts"] = record.extra.get("accounts", [])
            with importer.row(item.where):
                importer.upsert(
                    Actor,
                    key,
                    values,
                    identifiers=identifiers,
                    extra=extra,
                    create_only=("name", "kind"),
                    citation_note=f"Annuaire de service-public.fr : {item.pso_id}" if item.pso_id else "",
                )

    def found_by_acronym(self, item):
        """An existing actor whose acronym or name is the acronym an OSPO's name gives its body.

        The importer's own matching by name keeps to actors of the same kind, and an OSPO says
        nothing of its body's kind ("OSPO de l'IGN" belongs to an agency, "… de la DINUM" to a
        State service): the acronym alone decides, and the match is reported like one by name.
        """
        for acronym in item.acronyms():
            found = Actor._base_manager.filter(Q(acronym__iexact=acronym) | Q(name__iexact=acronym)).first()
            if found is not None:
                return found
        return None
