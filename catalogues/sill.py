"""The SILL (Socle interministériel de logiciels libres) and the public services built on it.

Three historical exports describe the same software under one numeric SILL id (data/README.md §1):
etalab/sill-data's `sill.json` (2022-05), codegouvfr/sill-api's `software.csv` (2022-03) and
DISIC/sill's `sill-2020.csv`, plus `sill-2019.csv`, keyed by name only. They are merged in memory,
the newest export winning field by field, so that an import writes each software once and a second
import of the same files changes nothing. `services.csv` lists public online services run on SILL
software; a service may name software that is not in the files (held back, or withdrawn).
"""

import csv
import io
import re
from pathlib import Path

from catalogues.cleaning import clean_licence, clean_url, fold_key
from catalogues.deployments import clean_since
from catalogues.importing import RowError
from catalogues.inputs import decode, load_json

# Newest first: a field given by an earlier format wins over a later one.
FORMATS = ["etalab-json", "codegouvfr-csv", "disic-2020-csv", "disic-2019-csv"]
STATUS = {"R": "recommandé", "O": "en observation", "F": "retiré"}


def detect(name, text):
    """The layout of one SILL file, or None for files the SILL publishes but that hold no software
    (contributors, statistics, change logs)."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        rows = load_json(name, text)
        return "etalab-json" if rows and isinstance(rows[0], dict) and "i" in rows[0] and "id" in rows[0] else None
    header = next(csv.reader(io.StringIO(text)), [])
    if "service_name" in header:
        return "services-csv"
    if "ID" in header and "nom" in header:
        return "disic-2020-csv" if "secteur" in header else "codegouvfr-csv"
    if "LOGICIEL" in header:
        return "disic-2019-csv"
    return None


def read(files):
    """(software by SILL id or name key, services, ignored file names, problems), each row with its file
    and line; a problem is a row that cannot be read (where, message)."""
    by_format, ignored, problems = {}, [], []
    for name, content in files:
        text = decode(name, content)
        layout = detect(name, text)
        if layout is None:
            ignored.append(Path(name).name)
            continue
        by_format.setdefault(layout, []).append((name, text))
    software, by_name = {}, {}
    for layout in FORMATS:
        for name, text in by_format.get(layout, []):
            for line, row in _rows(layout, name, text):
                where = f"{Path(name).name}, ligne {line}"
                try:
                    _merge(software, by_name, layout, row, where)
                except RowError as error:
                    problems.append((where, str(error)))
    _disambiguate(software)
    services = [
        (f"{Path(name).name}, ligne {line}", row)
        for name, text in by_format.get("services-csv", [])
        for line, row in _rows("services-csv", name, text)
    ]
    return software, services, ignored, problems


def _disambiguate(software):
    """Modules of another software ("Grammalecte" for LibreOffice and for Firefox; "Survey", a GLPI
    plugin) are entries of their own in the SILL: the SILL's parent field tells them apart."""
    by_name = {}
    for item in software.values():
        by_name.setdefault(fold_key(item.get("name")), []).append(item)
    parents = {fold_key(item.get("name")): item for item in software.values()}
    for item in software.values():
        parent_name = item.get("parent", "")
        if not parent_name:
            continue
        item["original_name"] = item["name"]
        if len(by_name[fold_key(item["name"])]) > 1:
            item["name"] = f"{item['name']} ({parent_name})"
        parent = parents.get(fold_key(parent_name))
        for field in ("website", "repository_url"):
            # The SILL often gives a module its parent's addresses: they are the parent's, not the module's.
            if parent is not None and parent is not item and item.get(field) and item[field] == parent.get(field):
                item[f"{field}_of_parent"] = item.pop(field)


def _rows(layout, name, text):
    if layout == "etalab-json":
        for index, row in enumerate(load_json(name, text), start=1):
            yield index, row
        return
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        yield reader.line_num, {key.strip(): (value or "").strip() for key, value in row.items() if key}


def _merge(software, by_name, layout, row, where):
    """Fold one export row into the software it describes; earlier (newer) values stay."""
    values = _software_values(layout, row)
    if values is None:
        return
    sill_id = values.pop("sill_id")
    key = sill_id if sill_id is not None else by_name.get(fold_key(values["name"]), f"nom:{fold_key(values['name'])}")
    entry = software.setdefault(key, {"sill_id": sill_id, "where": where, "exports": []})
    if sill_id is not None:
        by_name.setdefault(fold_key(values["name"]), key)
    entry["exports"].append(layout)
    for field, value in values.items():
        if value not in ("", None, []) and entry.get(field) in ("", None, []):
            entry[field] = value


def _text(row, key):
    """A text value of a JSON row ("" when absent or null); any other type is the row's error."""
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RowError(f"« {key} » : un texte est attendu, le fichier donne {type(value).__name__}")
    return value.strip()


def _software_values(layout, row):
    if layout == "etalab-json":
        if not isinstance(row, dict):
            raise RowError(f"un objet JSON est attendu, le fichier donne {type(row).__name__}")
        if isinstance(row.get("id"), (dict, list, bool, float)):
            raise RowError(f"« id » : un nombre entier est attendu, le fichier donne {type(row['id']).__name__}")
        return {
            "sill_id": _int(row.get("id")),
            "name": _text(row, "i"),
            "function": _text(row, "f"),
            "years": _years(_text(row, "y")),
            "status": _text(row, "st"),
            "licence": _text(row, "l"),
            "comptoir_id": str(row["co"]) if isinstance(row.get("co"), int) else _text(row, "co"),
            "group": _text(row, "g"),
            "component": _text(row, "c"),
            "parent": _text(row, "p"),
            "description": _text(row, "fr-desc"),
            "description_en": _text(row, "en-desc"),
            "website": _text(row, "website"),
            "repository_url": _text(row, "sources"),
            "documentation_url": _text(row, "doc"),
            "logo_url": _text(row, "logo"),
        }
    if layout in ("codegouvfr-csv", "disic-2020-csv"):
        return {
            "sill_id": _int(row.get("ID")),
            "name": row.get("nom", ""),
            "function": row.get("fonction", ""),
            "years": _years(row.get("annees", "")),
            "status": row.get("statut", ""),
            "licence": row.get("licence", ""),
            "comptoir_id": row.get("comptoir-du-libre", ""),
            "wikidata": row.get("wikidata", ""),
            "group": row.get("groupe", ""),
            "component": row.get("composant", ""),
            "parent": row.get("parent", ""),
        }
    name = row.get("LOGICIEL", "")
    if not name:
        return None
    return {
        "sill_id": None,
        "name": name,
        "function": row.get("FONCTIONNALITÉ", ""),
        "years": ["2019"],
        "status": {"Recommandé": "R", "En observation": "O"}.get(row.get("STATUT", ""), row.get("STATUT", "")),
        "licence": row.get("LICENCE", ""),
        "component": row.get("COMPOSANT", ""),
    }


def _int(value):
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _years(text):
    return sorted(set(re.findall(r"(?:19|20)[0-9]{2}", text or "")))


def initiative_values(software):
    """What the directory's Initiative holds of one software, and what stays in the Record."""
    licence, licence_as_given = clean_licence(software.get("licence", ""))
    values = {
        "name": software["name"][:200],
        "kind": "software",
        "summary": software.get("function", "")[:200],
        "description": software.get("description", ""),
        "licence": licence,
        "website": clean_url(software.get("website")),
        "repository_url": clean_url(software.get("repository_url")),
        "documentation_url": clean_url(software.get("documentation_url")),
        "logo_url": clean_url(software.get("logo_url")),
        "wikidata_qid": software.get("wikidata", "") if re.fullmatch(r"Q[0-9]+", software.get("wikidata", "")) else "",
        "sill_id": software.get("sill_id"),
    }
    years = software.get("years", [])
    extra = {
        "sill_years": years,
        "sill_status": STATUS.get(software.get("status", ""), software.get("status", "")),
        "comptoir_du_libre_id": software.get("comptoir_id", ""),
        "group": software.get("group", ""),
        "component": software.get("component", ""),
        "parent": software.get("parent", ""),
        "exports": software.get("exports", []),
    }
    # The SILL's own English text: the entry's description stays French, the English page shows this
    # one, from the SILL (the record is its provenance), as publiccode.yml's other languages are kept.
    if software.get("description_en"):
        extra["descriptions"] = {"en": software["description_en"]}
    if licence_as_given:
        extra["licence_as_given"] = licence_as_given
    return values, extra


PUBLIC_SECTOR_KIND = {"State": "state", "Local governments": "local_authority", "Health": "agency"}


def service_values(row):
    """An online public service: a use (a deployment) of the SILL software it runs, by its agency
    (catalogues/deployments.py). Returns the deployment's values, the agency's, and the software's."""
    values = {
        "name": row.get("service_name", "")[:200],
        "url": clean_url(row.get("service_url")),
        "since": clean_since(row.get("publication_date")),
        "note": row.get("description", ""),
    }
    agency = {
        "name": row.get("agency_name", "")[:200],
        "website": clean_url(row.get("agency_url")),
        "kind": PUBLIC_SECTOR_KIND.get(
            row.get("public_sector", ""), "research" if "Univ" in row.get("public_sector", "") else "other"
        ),
    }
    software = {
        "name": row.get("software_name", "").strip(),
        "sill_id": row.get("software_sill_id", "").strip(),
        "comptoir_id": row.get("software_comptoir_id", "").strip(),
    }
    return values, agency, software
