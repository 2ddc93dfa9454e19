"""manage.py import_repositories: public-sector source code listed by code.gouv.fr (2021 export).

Of the 9,157 repositories of etalab/data-codes-sources-fr, a directory of commons keeps those that
show a living, reusable project: not a fork, not archived, an open licence the export names, a
description, and at least --min-stars stars (default 50: a community beyond the publisher). The
others are counted in the report, not listed. Each repository's carrier is the public body whose
forge account publishes it (its name from organizations.json when that file is read too).
"""

import csv
import io
from pathlib import Path

from actors.models import Actor
from catalogues.cleaning import clean_url, clean_year
from catalogues.commands import ImportCommand
from catalogues.importing import RowError
from catalogues.inputs import decode, load_json
from communs.models import Source
from curation.duplicates import url_key
from initiatives.models import Initiative, Involvement

# The licence names GitHub gives (the export copies them) and their SPDX identifiers.
GITHUB_LICENCES = {
    "MIT License": "MIT",
    "Apache License 2.0": "Apache-2.0",
    "GNU General Public License v3.0": "GPL-3.0-only",
    "GNU General Public License v2.0": "GPL-2.0-only",
    "GNU Affero General Public License v3.0": "AGPL-3.0-only",
    "GNU Lesser General Public License v2.1": "LGPL-2.1-only",
    "GNU Lesser General Public License v3.0": "LGPL-3.0-only",
    'BSD 3-Clause "New" or "Revised" License': "BSD-3-Clause",
    'BSD 2-Clause "Simplified" License': "BSD-2-Clause",
    "BSD Zero Clause License": "0BSD",
    "Eclipse Public License 2.0": "EPL-2.0",
    "Eclipse Public License 1.0": "EPL-1.0",
    "Mozilla Public License 2.0": "MPL-2.0",
    "European Union Public License 1.2": "EUPL-1.2",
    "European Union Public License 1.1": "EUPL-1.1",
    "ISC License": "ISC",
    "Creative Commons Attribution Share Alike 4.0 International": "CC-BY-SA-4.0",
    "Creative Commons Attribution 4.0 International": "CC-BY-4.0",
    "Creative Commons Zero v1.0 Universal": "CC0-1.0",
    "The Unlicense": "Unlicense",
    "Do What The Fuck You Want To Public License": "WTFPL",
    "CeCILL Free Software License Agreement v2.1": "CECILL-2.1",
    "PostgreSQL License": "PostgreSQL",
}
MAX_TAGS = 5


def _stars(row):
    try:
        return int(row.get("stars_count") or 0)
    except ValueError:
        return 0


# The forges whose accounts live at https://<host>/<login>.
FORGE_HOSTS = {"github": "github.com", "gitlab": "gitlab.com"}


class Command(ImportCommand):
    help = (
        "Importe les dépôts de code public recensés par code.gouv.fr (export 2021 d'etalab/data-codes-sources-fr) "
        "qui montrent un projet vivant et réutilisable : ni fourche ni archive, une licence ouverte, une description "
        "et au moins --min-stars étoiles."
    )
    source = {
        "key": "codegouvfr-repositories",
        "kind": Source.Kind.CATALOGUE,
        "title": "Dépôts de code source public recensés par code.gouv.fr (export de 2021)",
        "publisher": "DINUM (Etalab)",
        "date": "2021-11-15",
        "url": "https://code.gouv.fr/sources/",
        "licence": "etalab-2.0",
        "note": "Fichiers repositories.csv et organizations.json d'etalab/data-codes-sources-fr.",
    }
    default_locations = [
        "codegouvfr/data-codes-sources-fr/repositories.csv",
        "codegouvfr/data-codes-sources-fr/organizations.json",
    ]

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--min-stars", type=int, default=50, help="Étoiles qu'un dépôt doit avoir au moins (50).")

    def handle(self, *args, **options):
        self.min_stars = options["min_stars"]
        return super().handle(*args, **options)

    def work(self, importer, files):
        organisations, repositories = {}, []
        for name, content in files:
            text = decode(name, content)
            if text.lstrip().startswith("["):
                rows = load_json(name, text)
                if not isinstance(rows, list) or not all(
                    isinstance(row, dict) and isinstance(row.get("platform"), str) and isinstance(row.get("login"), str)
                    for row in rows
                ):
                    raise RowError(
                        f"{Path(name).name} : une liste d'organisations (objets JSON avec platform et login en texte) "
                        "est attendue"
                    )
                for row in rows:
                    organisations[(row.get("platform"), row.get("login"))] = row
            else:
                reader = csv.DictReader(io.StringIO(text))
                repositories.extend((f"{Path(name).name}, ligne {reader.line_num}", row) for row in reader)
        left_out = 0
        # The most followed repository of a project first: a project's other repositories (its
        # connectors, its documentation) name its site as their homepage and are recognised as parts.
        repositories.sort(key=lambda item: -_stars(item[1]))
        for where, row in repositories:
            licence = GITHUB_LICENCES.get(row.get("license", ""))
            if not self.selected(row, licence):
                left_out += 1
                continue
            part_of = self.part_of(row)
            if part_of is not None:
                importer.skip(
                    row["repository_url"], f"dépôt d'un commun déjà présent, dont c'est le site : {part_of.slug}"
                )
                continue
            with importer.row(where):
                self.import_one(importer, row, licence, organisations.get((row["platform"], row["organization_name"])))
        if left_out:
            importer.skip(
                f"{left_out} dépôts",
                f"non retenus : fourche, archive, sans licence ouverte reconnue, sans description ou moins de "
                f"{self.min_stars} étoiles",
            )

    def part_of(self, row):
        """The entry whose website is this repository's homepage, when it is not this repository's own."""
        homepage = url_key(clean_url(row.get("homepage")))
        if not homepage or "/" in homepage.strip("/"):
            return None  # a page on a shared host (github.io/…) names no project
        repository = url_key(row.get("repository_url"))
        for entry in Initiative._base_manager.filter(website__icontains=homepage.split("/", 1)[0]):
            if url_key(entry.website) == homepage and url_key(entry.repository_url) != repository:
                return entry
        return None

    def selected(self, row, licence):
        stars = _stars(row)
        return (
            row.get("is_fork") != "True"
            and row.get("is_archived") != "True"
            and licence is not None
            and (row.get("description") or "").strip()
            and stars >= self.min_stars
        )

    def import_one(self, importer, row, licence, organisation):
        repository = clean_url(row.get("repository_url"))
        values = {
            "name": row["name"][:200],
            "kind": Initiative.Kind.SOFTWARE,
            "summary": " ".join(row["description"].split())[:200],
            "website": clean_url(row.get("homepage")),
            "repository_url": repository,
            "licence": licence,
            "launch_year": clean_year(row.get("creation_date")),
            "software_heritage_url": clean_url(row.get("software_heritage_url")),
        }
        extra = {
            key: row.get(key, "")
            for key in ("platform", "organization_name", "stars_count", "forks_count", "language", "last_update")
        }
        topics = [t.strip() for t in (row.get("topics") or "").split(",") if t.strip()][:MAX_TAGS]
        if topics:
            extra["topics"] = topics  # read by the derivation (catalogues/derive.py)
        entry = importer.upsert(Initiative, repository, values, identifiers={"repository_url": repository}, extra=extra)
        missing = [t for t in topics if t not in set(entry.tags.names())]
        if missing:
            entry.tags.add(*missing)
        login = row["organization_name"]
        publisher = {
            "name": ((organisation or {}).get("name") or login)[:200],
            "kind": Actor.Kind.OTHER,
            "website": clean_url((organisation or {}).get("website")),
        }
        # The account is the publisher's identifier: an actor that lists it (code.gouv.fr's
        # organisations) is this publisher, whatever the name the forge gives.
        account = FORGE_HOSTS.get(row["platform"].lower())
        actor = importer.upsert(
            Actor,
            f"{row['platform']}:{login}",
            publisher,
            identifiers={"forge_account": f"https://{account}/{login}" if account else ""},
            names=[login],
            create_only=("name", "kind"),
        )
        importer.involve(entry, actor, Involvement.Role.CARRIER)
