"""Import the French territories (régions, départements, EPCI, communes) from the official files.

The files are those of datagouv/decoupage-administratif (INSEE COG, DGCL Banatic), as shipped in
``DATA_DIR/geo-fr`` (see data/README.md). Every row becomes a Territory whose
``code`` carries its kind as a prefix (``reg-53``, ``dep-2A``, ``epci-242900314``, ``com-29019``),
so running the import again updates rows in place instead of duplicating them. The membership file
(``epci-membres*.csv``: EPCI SIREN, commune INSEE code) links each commune to its EPCI.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communs.validators import validate_siren
from territories.models import Territory

REGION_CODE = re.compile(r"^[0-9]{2}$")
DEPARTEMENT_CODE = re.compile(r"^(?:[0-9]{2}|2[AB]|97[0-9])$")
COMMUNE_CODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")

# Listed in the order the rows must be written: a row's parent is always on an earlier level.
KINDS = [
    Territory.Kind.COUNTRY,
    Territory.Kind.REGION,
    Territory.Kind.DEPARTEMENT,
    Territory.Kind.EPCI,
    Territory.Kind.COMMUNE,
]
UPDATED_FIELDS = ["kind", "name", "official_code", "siren", "parent", "epci"]
MAX_REPORTED_ERRORS = 20
BATCH_SIZE = 500


@dataclass
class Row:
    code: str
    kind: str
    name: str
    official_code: str
    siren: str
    parent_code: str | None
    # A commune's EPCI: "" when the membership file lists it in none, None when there is no such
    # file (the import then keeps the memberships recorded earlier).
    epci_code: str | None = None


class ImportErrors(Exception):
    pass


class Reader:
    """Reads the CSV files and collects every error with its file and line before anything is written."""

    def __init__(self):
        self.errors = []

    def error(self, path, line, message):
        self.errors.append(f"{path.name}, ligne {line} : {message}")

    def rows(self, path, required_columns):
        """Yield (line number, row) for each data row; the header is line 1."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [column for column in required_columns if column not in (reader.fieldnames or [])]
                if missing:
                    self.errors.append(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}.")
                    return
                for row in reader:
                    yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key}
        except UnicodeDecodeError:
            self.errors.append(f"{path.name} : le fichier n'est pas encodé en UTF-8.")
        except csv.Error as exc:
            self.errors.append(f"{path.name} : CSV illisible ({exc}).")

    def check_code(self, path, line, value, pattern, label):
        if not value:
            self.error(path, line, f"{label} manquant.")
            return False
        if not pattern.match(value):
            self.error(path, line, f"{label} « {value} » mal formé.")
            return False
        return True

    def check_siren(self, path, line, value):
        try:
            validate_siren(value)
        except ValidationError as exc:
            self.error(path, line, exc.messages[0])
            return False
        return True

    def check_unique(self, path, line, code, seen):
        if code in seen:
            self.error(path, line, f"code « {code} » en double (déjà ligne {seen[code]}).")
            return False
        seen[code] = line
        return True


def find_file(source, *names, pattern=None):
    for name in names:
        if (source / name).is_file():
            return source / name
    if pattern:
        matches = sorted(source.glob(pattern))
        if matches:
            return matches[-1]  # the latest vintage, e.g. epci-2025.csv over epci-2024.csv
    return None


def read_source(source, known_codes):
    """Parse and check every file; return the rows grouped by kind, or raise ImportErrors."""
    reader = Reader()
    rows = {kind: [] for kind in KINDS}
    rows[Territory.Kind.COUNTRY].append(Row("fr", Territory.Kind.COUNTRY, "France", "", "", None))

    regions_path = find_file(source, "regions.csv")
    departements_path = find_file(source, "departements.csv")
    for name, path in [("regions.csv", regions_path), ("departements.csv", departements_path)]:
        if path is None:
            raise ImportErrors([f"{name} : fichier introuvable dans {source}."])

    seen = {}
    for line, row in reader.rows(regions_path, ["REG", "LIBELLE"]):
        if not reader.check_code(regions_path, line, row["REG"], REGION_CODE, "code région (REG)"):
            continue
        if not row["LIBELLE"]:
            reader.error(regions_path, line, "nom (LIBELLE) manquant.")
            continue
        code = f"reg-{row['REG']}"
        if reader.check_unique(regions_path, line, code, seen):
            rows[Territory.Kind.REGION].append(Row(code, Territory.Kind.REGION, row["LIBELLE"], row["REG"], "", "fr"))
    region_codes = {row.code for row in rows[Territory.Kind.REGION]} | known_codes

    seen = {}
    for line, row in reader.rows(departements_path, ["DEP", "REG", "LIBELLE"]):
        if not reader.check_code(departements_path, line, row["DEP"], DEPARTEMENT_CODE, "code département (DEP)"):
            continue
        if not row["LIBELLE"]:
            reader.error(departements_path, line, "nom (LIBELLE) manquant.")
            continue
        parent = f"reg-{row['REG']}"
        if parent not in region_codes:
            reader.error(departements_path, line, f"région « {row['REG']} » inconnue.")
            continue
        code = f"dep-{row['DEP']}"
        if reader.check_unique(departements_path, line, code, seen):
            rows[Territory.Kind.DEPARTEMENT].append(
                Row(code, Territory.Kind.DEPARTEMENT, row["LIBELLE"], row["DEP"], "", parent)
            )
    departement_codes = {row.code for row in rows[Territory.Kind.DEPARTEMENT]} | known_codes

    # epci-2025.csv, not epci-membres-….csv: the vintage is a year.
    epci_path = find_file(source, "epci.csv", pattern="epci-[0-9]*.csv")
    if epci_path:
        seen = {}
        for line, row in reader.rows(epci_path, ["dept", "siren", "raison_sociale"]):
            if not reader.check_siren(epci_path, line, row["siren"]):
                continue
            if not row["raison_sociale"]:
                reader.error(epci_path, line, "nom (raison_sociale) manquant.")
                continue
            parent = f"dep-{row['dept']}"
            if parent not in departement_codes:
                reader.error(epci_path, line, f"département « {row['dept']} » inconnu.")
                continue
            code = f"epci-{row['siren']}"
            if reader.check_unique(epci_path, line, code, seen):
                rows[Territory.Kind.EPCI].append(
                    Row(code, Territory.Kind.EPCI, row["raison_sociale"], row["siren"], row["siren"], parent)
                )

    # The full INSEE file wins over the ≥ 5,000-inhabitant subset when both are there.
    communes_path = find_file(source, "communes.csv", "communes-cog-5000plus.csv")
    sirens_path = find_file(source, "communes-siren-insee.csv", "communes-siren-insee-5000plus.csv")
    sirens = {}
    if sirens_path:
        for line, row in reader.rows(sirens_path, ["insee", "siren"]):
            if not reader.check_code(sirens_path, line, row["insee"], COMMUNE_CODE, "code INSEE (insee)"):
                continue
            if reader.check_siren(sirens_path, line, row["siren"]):
                sirens[row["insee"]] = row["siren"]
    if communes_path:
        seen = {}
        for line, row in reader.rows(communes_path, ["TYPECOM", "COM", "DEP", "LIBELLE"]):
            # Only current communes: COMA/COMD are merged ones, ARM the arrondissements of Paris, Lyon, Marseille.
            if row["TYPECOM"] != "COM":
                continue
            if not reader.check_code(communes_path, line, row["COM"], COMMUNE_CODE, "code commune (COM)"):
                continue
            if not row["LIBELLE"]:
                reader.error(communes_path, line, "nom (LIBELLE) manquant.")
                continue
            parent = f"dep-{row['DEP']}"
            if parent not in departement_codes:
                reader.error(communes_path, line, f"département « {row['DEP']} » inconnu.")
                continue
            code = f"com-{row['COM']}"
            if reader.check_unique(communes_path, line, code, seen):
                rows[Territory.Kind.COMMUNE].append(
                    Row(code, Territory.Kind.COMMUNE, row["LIBELLE"], row["COM"], sirens.get(row["COM"], ""), parent)
                )

    members_path = find_file(source, "epci-membres.csv", pattern="epci-membres-*.csv")
    if members_path:
        read_memberships(reader, members_path, rows)

    if reader.errors:
        raise ImportErrors(reader.errors)
    paths = (regions_path, departements_path, epci_path, communes_path, sirens_path, members_path)
    return rows, [path for path in paths if path]


def read_memberships(reader, path, rows):
    """Set each commune's `epci_code` from the membership file: an EPCI and a commune of the same
    import, each commune in one EPCI at most, as the law has it."""
    epci_codes = {row.code for row in rows[Territory.Kind.EPCI]}
    communes = {row.code: row for row in rows[Territory.Kind.COMMUNE]}
    memberships, seen = {}, {}
    for line, row in reader.rows(path, ["siren_epci", "insee"]):
        if not reader.check_siren(path, line, row["siren_epci"]):
            continue
        if not reader.check_code(path, line, row["insee"], COMMUNE_CODE, "code INSEE (insee)"):
            continue
        epci, commune = f"epci-{row['siren_epci']}", f"com-{row['insee']}"
        if epci not in epci_codes:
            reader.error(path, line, f"EPCI « {row['siren_epci']} » inconnu.")
            continue
        if commune not in communes:
            reader.error(path, line, f"commune « {row['insee']} » inconnue.")
            continue
        if commune in seen:
            reader.error(path, line, f"commune « {row['insee']} » déjà membre d'un EPCI (ligne {seen[commune]}).")
            continue
        seen[commune] = line
        memberships[commune] = epci
    for code, row in communes.items():
        row.epci_code = memberships.get(code, "")


def write(rows):
    """Upsert the rows level by level; return {kind: (created, updated, unchanged)}."""
    existing = {territory.code: territory for territory in Territory.objects.all()}
    pk_by_code = {code: territory.pk for code, territory in existing.items()}
    counts = {}
    for kind in KINDS:
        to_create, to_update, unchanged = [], [], 0
        for row in rows[kind]:
            parent_id = pk_by_code[row.parent_code] if row.parent_code else None
            # EPCI are written before communes, so their keys are known here.
            epci_id = pk_by_code[row.epci_code] if row.epci_code else None
            territory = existing.get(row.code)
            if territory is None:
                to_create.append(
                    Territory(
                        code=row.code,
                        kind=row.kind,
                        name=row.name,
                        official_code=row.official_code,
                        siren=row.siren,
                        parent_id=parent_id,
                        epci_id=epci_id,
                    )
                )
                continue
            if row.kind == Territory.Kind.COUNTRY:
                unchanged += 1  # "fr" is only created when missing; curators own its name.
                continue
            values = {
                "kind": row.kind,
                "name": row.name,
                "official_code": row.official_code,
                # A file without the SIREN of a commune does not erase one recorded earlier.
                "siren": row.siren or territory.siren,
                "parent_id": parent_id,
                # Without a membership file, the memberships recorded earlier stay.
                "epci_id": territory.epci_id if row.epci_code is None else epci_id,
            }
            changed = [field for field, value in values.items() if getattr(territory, field) != value]
            if changed:
                for field, value in values.items():
                    setattr(territory, field, value)
                to_update.append(territory)
            else:
                unchanged += 1
        created = Territory.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Territory.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BATCH_SIZE)
        if any(territory.pk is None for territory in created):
            # Backends that cannot return the new keys from a bulk insert: read them back.
            pk_by_code = dict(Territory.objects.values_list("code", "pk"))
        else:
            pk_by_code.update((territory.code, territory.pk) for territory in created)
        counts[kind] = (len(to_create), len(to_update), unchanged)
    return counts


class Command(BaseCommand):
    help = (
        "Importe les territoires officiels (régions, départements, EPCI, communes) depuis les fichiers "
        "INSEE/DGCL du dossier indiqué. Sans effet sur les lignes déjà à jour ; tout ou rien en cas d'erreur."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="Dossier des fichiers (par défaut : DATA_DIR/geo-fr, livré avec le projet).",
        )

    def handle(self, *args, **options):
        source = options["source"] or Path(settings.DATA_DIR) / "geo-fr"
        if not source.is_dir():
            raise CommandError(f"Dossier introuvable : {source}")
        known_codes = set(
            Territory.objects.filter(kind__in=[Territory.Kind.REGION, Territory.Kind.DEPARTEMENT]).values_list(
                "code", flat=True
            )
        )
        try:
            rows, files = read_source(source, known_codes)
        except ImportErrors as exc:
            errors = exc.args[0]
            shown = errors[:MAX_REPORTED_ERRORS]
            more = len(errors) - len(shown)
            message = "Import annulé, aucun territoire n'a été modifié :\n" + "\n".join(f"  - {e}" for e in shown)
            if more:
                message += f"\n  … et {more} autre(s) erreur(s)."
            raise CommandError(message) from None

        with transaction.atomic():
            counts = write(rows)

        if options["verbosity"] >= 1:
            self.stdout.write(f"Territoires importés depuis {source} ({', '.join(path.name for path in files)}) :")
            for kind in KINDS:
                created, updated, unchanged = counts[kind]
                self.stdout.write(
                    f"  {Territory.Kind(kind).label} : {created} créé(s), {updated} mis à jour, {unchanged} inchangé(s)"
                )
            total_created = sum(c for c, _, _ in counts.values())
            total_updated = sum(u for _, u, _ in counts.values())
            self.stdout.write(self.style.SUCCESS(f"Total : {total_created} créé(s), {total_updated} mis à jour."))
