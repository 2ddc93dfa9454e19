"""manage.py import_funding: funding schemes for digital commons, their dated calls and laureates."""

from django.utils.text import slugify

from actors.models import Actor
from catalogues import funding
from catalogues.cleaning import fold_key
from catalogues.commands import ImportCommand
from communs.models import Source
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative
from territories.models import Territory

FUNDING_SOURCE = {
    "key": "funding",
    "kind": Source.Kind.CATALOGUE,
    "title": "Dispositifs de financement des communs numériques (relevé des pages publiques)",
    "publisher": "",
    "date": "2026-12",
    "url": "",
    "licence": "",
    "note": (
        "Dispositifs, éditions datées et lauréats relevés en décembre 2026 sur les pages publiques de leurs "
        "opérateurs ; chaque fait cite l'adresse où il a été lu (data/funding/schemes.yaml)."
    ),
}
# An operator is known to the file by a name only: an actor created from it waits for a curator.
HELD_BACK_OPERATOR = "opérateur créé d'après le seul nom que donne le fichier des financements : à vérifier"


class Command(ImportCommand):
    help = (
        "Importe les dispositifs de financement des communs numériques, leurs éditions datées et leurs "
        "lauréats, le fichier entier vérifié par un schéma avant toute écriture. Sans argument : "
        "data/funding/schemes.yaml."
    )
    source = FUNDING_SOURCE
    default_locations = ["funding"]
    suffixes = (".yaml", ".yml")

    def work(self, importer, files):
        schemes, problems = funding.parse(files)
        if problems:
            # One wrong field stops the import: every problem is reported, nothing is written.
            for label, message in problems:
                importer.error(label, message)
            return
        territories = dict(Territory.objects.values_list("code", "pk"))
        for label, index, scheme in schemes:
            with importer.row(f"{label}, schemes[{index}] « {scheme['name']} »"):
                self.import_scheme(importer, scheme, territories)

    def import_scheme(self, importer, scheme, territories):
        key = funding.scheme_key(scheme)
        code = funding.territory_code(scheme.get("territory"))
        values, extra = funding.scheme_values(scheme, territories.get(code))
        entry = importer.upsert(
            FundingScheme,
            key,
            values,
            identifiers={"slug": funding.known_slug(scheme), "url": values["url"]},
            extra=extra,
            slug=key,
            citation_note="Dispositif relevé avec ses éditions ; chaque fait cite la page où il a été lu.",
        )
        importer.add_citations(entry, funding.citations(funding.scheme_addresses(scheme)))
        for text in scheme["operators"]:
            actor_values, acronyms = funding.operator(text)
            actor_key = funding.operator_key(text)
            # Matched whatever its kind: the kind read from a name is a guess ("DINUM" says none), and
            # the curated actor's own is right.
            known, _ = importer.find(Actor, actor_key, {}, [actor_values["name"], *acronyms])
            actor = importer.upsert(
                Actor,
                actor_key,
                actor_values,
                identifiers={"slug": known.slug if known else ""},
                names=acronyms,
                create_only=("name", "kind", "acronym"),
                held_back=HELD_BACK_OPERATOR,
            )
            # Added, never removed: a curator may have named other operators.
            if not entry.operators.filter(pk=actor.pk).exists():
                entry.operators.add(actor)
        for edition in scheme["editions"]:
            self.import_edition(importer, entry, key, edition)

    def import_edition(self, importer, scheme, scheme_key, edition):
        values = funding.edition_values(edition)
        external_id = f"{scheme_key}/{slugify(values['label'])[:150]}"
        laureates = edition.get("laureates") or []
        matched, unknown = {}, []
        for laureate in laureates:
            initiative = self.laureate(importer, f"{external_id}/{fold_key(laureate['name'])}", laureate)
            if initiative is None:
                unknown.append(laureate["name"].strip())
            else:
                matched[initiative] = laureate
        if unknown:
            values["laureate_names"] = "\n".join(unknown)
        row = importer.upsert_row(
            FundingEdition,
            external_id,
            {"scheme": scheme, "label": values.pop("label")},
            values,
            label=f"{scheme.slug} — {edition['label']}",
        )
        importer.add_citations(row, funding.citations(funding.edition_addresses(edition)))
        laureate_sources = funding.citations(
            funding.unique_addresses(
                [(edition.get("laureates_url"), "liste des lauréats")]
                + [(url, "liste des lauréats") for url in edition.get("laureates_sources") or []]
            )
        )
        for initiative, laureate in matched.items():
            award = importer.upsert_row(
                Award,
                f"{external_id}/{initiative.slug}",
                {"edition": row, "initiative": initiative},
                {"amount": laureate.get("amount_eur")},
                label=f"{initiative.slug} — {row}",
            )
            importer.add_citations(award, laureate_sources or funding.citations(funding.edition_addresses(edition)))
            importer.report.touched.setdefault(Initiative, set()).add(initiative.pk)

    @staticmethod
    def laureate(importer, external_id, laureate):
        """The commons a laureate is, by the importers' matching rules (an identical name, acronym or
        alias), or None: a laureate the directory does not know stays a name on its edition, and
        never becomes a commons of its own."""
        entry, _ = importer.find(Initiative, external_id, {}, funding.laureate_names(laureate["name"]))
        return entry
