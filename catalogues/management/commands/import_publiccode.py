"""manage.py import_publiccode: software described by publiccode.yml files (any version 0 to 0.7).

Each file is checked as the reference parser (italia/publiccode-parser-go) would, offline
(catalogues/publiccode). A file with errors stops the import, which then writes nothing, unless
--lenient is given: code.gouv.fr's "awesome" files follow the standard loosely (some mandatory keys
left out, extra ones added), so they are read for what maps and their errors are reported.
Contacts (maintenance.contacts: names, e-mails, phones) are never read.
"""

import re
from pathlib import Path

from actors.models import Actor
from catalogues.cleaning import clean_licence, clean_url, fold_key
from catalogues.commands import ImportCommand
from catalogues.publiccode import from_publiccode, parse
from catalogues.publiccode.vocab import CATEGORIES
from communs.models import Source
from curation.duplicates import url_key
from initiatives.models import Initiative

SOURCES = {
    "publiccode": {
        "key": "publiccode",
        "kind": Source.Kind.CATALOGUE,
        "title": "Fichiers publiccode.yml des dépôts de code publics",
        "publisher": "Les organisations qui publient ces dépôts",
        "url": "https://yml.publiccode.tools/",
        "licence": "",
        "note": "Chaque entrée vient du fichier publiccode.yml de son dépôt, sous la licence de ce dépôt.",
    },
    "awesome-codegouvfr": {
        "key": "awesome-codegouvfr",
        "kind": Source.Kind.CATALOGUE,
        "title": "Sélection « Awesome » de code.gouv.fr (fichiers publiccode.yml)",
        "publisher": "DINUM (code.gouv.fr)",
        "date": "2025-09-24",
        "url": "https://code.gouv.fr/fr/awesome",
        "licence": "etalab-2.0",
        "note": "Fichiers dist/*_publiccode.yml de codegouvfr/awesome-codegouvfr.",
    },
}
ROLE_ORDER = ("carrier", "maintainer", "funder", "user")


class Command(ImportCommand):
    help = (
        "Importe des logiciels décrits par des fichiers publiccode.yml (versions 0 à 0.7), vérifiés comme le "
        "fait l'analyseur de référence. Sans argument : la sélection « Awesome » de code.gouv.fr livrée dans data/."
    )
    suffixes = (".yml", ".yaml")
    default_locations = ["publiccode/awesome-codegouvfr"]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--source",
            choices=sorted(SOURCES),
            default=None,
            help="La source citée (par défaut : awesome-codegouvfr sans argument, publiccode sinon).",
        )
        parser.add_argument(
            "--lenient",
            action="store_true",
            help="Importer ce qui se lit d'un fichier qui ne suit pas le standard, en signalant ses erreurs.",
        )

    def handle(self, *args, **options):
        key = options["source"] or ("publiccode" if options["locations"] else "awesome-codegouvfr")
        self.source = SOURCES[key]
        self.lenient = options["lenient"] or (key == "awesome-codegouvfr" and not options["locations"])
        return super().handle(*args, **options)

    def work(self, importer, files):
        for name, content in files:
            label = Path(name).name
            if label.startswith("template."):
                importer.skip(label, "modèle de fichier, pas un logiciel")
                continue
            result = parse(content)
            problems = [f"{issue.key} : {issue.message}" for issue in result.errors]
            if problems and not (self.lenient and result.data and result.data.get("name")):
                importer.error(label, " ; ".join(problems))
                continue
            if problems:
                importer.report.skipped.append(
                    {"id": label, "reason": f"importé sans ce qui ne suit pas le standard : {' ; '.join(problems)}"}
                )
            with importer.row(label):
                self.import_one(importer, label, from_publiccode(result.data), result.version)

    def import_one(self, importer, label, fields, version):
        licence, licence_as_given = clean_licence(fields["licence"])
        values = {
            "name": _one_line(fields["name"])[:200],
            "kind": Initiative.Kind.SOFTWARE,
            "summary": _one_line(fields["summary"])[:200],
            "description": fields["description"],
            "development_status": fields["development_status"],
            "website": clean_url(fields["website"]),
            "repository_url": clean_url(fields["repository_url"]),
            "documentation_url": clean_url(fields["documentation_url"]),
            "licence": licence,
            "logo_url": clean_url(fields["logo_url"]),
        }
        extra = {
            key: fields[key]
            for key in (
                "software_type",
                "platforms",
                "features",
                "maintenance",
                "localisation",
                "depends_on",
                "extensions",
            )  # fmt: skip
            if fields.get(key)
        }
        # The standard's vocabularies, read by the derivation (catalogues/derive.py): what it is for, and
        # for which fields of public action.
        extra.update(
            {key: value for key, value in (("categories", fields["tags"]), ("scope", fields["scope"])) if value}
        )
        # The language of the description kept in the entry, so that an export writes it back under it.
        extra.update(
            publiccode_version=version, language=fields["language"], descriptions=fields["descriptions"], file=label
        )
        if licence_as_given:
            extra["licence_as_given"] = licence_as_given
        external_id = url_key(values["repository_url"]) or label
        entry = importer.upsert(
            Initiative,
            external_id,
            values,
            identifiers={"repository_url": values["repository_url"], "website": values["website"]},
            extra=extra,
            citation_note=f"publiccode.yml de {values['repository_url'] or label}",
        )
        # The standard's categories become the entry's categories (catalogues/derive.py, with their
        # provenance); a loose file's other words stay tags.
        tags = [tag for tag in fields["tags"] if tag and tag not in CATEGORIES and tag not in set(entry.tags.names())]
        if tags:
            entry.tags.add(*tags)
        for name, role in sorted(_actors(fields), key=lambda pair: ROLE_ORDER.index(pair[1])):
            actor = importer.upsert(
                Actor,
                f"organisation:{name}",
                {"name": name[:200], "kind": Actor.Kind.OTHER},
                create_only=("name", "kind"),
            )
            importer.involve(entry, actor, role)
            if role == "user":
                # usedBy names the administrations that use the software: each is a use of it
                # (catalogues/deployments.py), without an address, the file giving none.
                importer.deploy(
                    entry,
                    f"usedBy:{external_id}:{fold_key(name)}"[:300],
                    {"actor": actor.pk},
                    label=f"{entry.slug} : {name}",
                )


def _one_line(text):
    return re.sub(r"\s+", " ", text or "").strip()


def _actors(fields):
    """(name, role) of the organisations the file names, each once per role."""
    found = []
    for name, role in fields["actors"]:
        name = _one_line(name)
        if name and (name, role) not in found:
            found.append((name, role))
    return found
