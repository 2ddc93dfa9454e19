"""The Digital Public Goods registry (DPGAlliance/publicgoods-candidates, data/README.md §4).

One JSON file per digital public good ("nominee", the registry's file name being its id) and, for
some of them, the answers of the DPG standard's screening. Every file is checked against the
registry's JSON Schema before anything is written. The screening answers fill a commons criterion
only where the question asked is the criterion's (see `screening_assessments`).

The registry's files name a contact person in each organisation: the importer reads the
organisation's name, website and role only, so that no name or e-mail address of a person reaches
the directory, its history or its records.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from jsonschema import Draft7Validator

from catalogues.cleaning import clean_licence, clean_url
from catalogues.importing import RowError
from catalogues.inputs import decode, load_json
from catalogues.models import Record

SCHEMA_FILES = {"nominee": "nominee-schema.json", "screening": "screening-schema.json"}
# The keys that only one kind of file has: a file is told by what it holds, wherever it sits.
NOMINEE_KEYS = {"description", "license", "organizations", "SDGs", "type", "stage", "repositories", "aliases"}
SCREENING_KEYS = {"clearOwnership", "platformIndependence", "documentation", "NonPII", "privacy", "standards"}
KINDS = {"software": "software", "data": "data", "content": "content", "standard": "standard", "aimodel": "ai_model"}
# The registry's organisation types and the closest role of an actor in the directory.
ROLES = {"owner": "carrier", "maintainer": "maintainer", "funder": "funder", "implementer": "user"}
# A legal form in an organisation's own name; any other organisation is "other" until a curator knows.
ACTOR_KINDS = [
    (re.compile(r"\b(foundation|fondation|stiftung|stichting)\b", re.IGNORECASE), "foundation"),
    (re.compile(r"\b(university|université|universidad|universität)\b", re.IGNORECASE), "research"),
    (re.compile(r"\b(inc|ltd|llc|gmbh|sarl|sas)\.?$", re.IGNORECASE), "company"),
]
STAGES = {
    "DPG": "reconnu bien public numérique",
    "nominee": "candidature",
    "archive": "candidature archivée par le registre",
}
SOURCE_NAME = "registre des biens publics numériques (DPGA)"
MAX_ERRORS_PER_FILE = 10


def load_validators(folder):
    """The registry's two schemas, from the snapshot shipped in data/dpg/schemas."""
    validators = {}
    for kind, file_name in SCHEMA_FILES.items():
        path = Path(folder) / file_name
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{path} : schéma du registre DPG illisible ({error}).") from error
        validators[kind] = Draft7Validator(schema)
    return validators


def file_label(name):
    """ "…/nominees/dhis2.json" or "http://…/dhis2.json" -> "dhis2.json"."""
    return Path(urlsplit(name).path if "://" in name else name).name


def read(files, validators):
    """Sort the files into nominees and screenings, [(label, id, document)] each, with the files skipped
    [(label, reason)] and the problems found [(label, message)]."""
    nominees, screenings, skipped, problems = [], [], [], []
    for name, content in files:
        label = file_label(name)
        try:
            document = load_json(name, decode(name, content))
        except RowError as error:
            problems.append((label, str(error).removeprefix(f"{label} : ")))
            continue
        kind = kind_of(document)
        if kind is None:
            reason = (
                "schéma JSON du registre (il sert à la validation)"
                if isinstance(document, dict) and "$schema" in document
                else "ni une fiche du registre DPG ni un examen (screening)"
            )
            skipped.append((label, reason))
            continue
        found = schema_problems(validators[kind], document, SCHEMA_FILES[kind])
        problems.extend((label, message) for message in found)
        if not found:
            (nominees if kind == "nominee" else screenings).append((label, Path(label).stem, document))
    return nominees, screenings, skipped, problems


def kind_of(document):
    if not isinstance(document, dict) or "$schema" in document:
        return None
    keys = set(document)
    nominee, screening = len(keys & NOMINEE_KEYS), len(keys & SCREENING_KEYS)
    if nominee == screening:
        return None
    return "nominee" if nominee > screening else "screening"


def schema_problems(validator, document, schema_name):
    """One message per problem, each naming its JSON path ("$.license[0].spdx")."""
    messages = []
    for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        if error.validator == "required" and isinstance(error.instance, dict):
            for missing in (p for p in error.validator_value if p not in error.instance):
                messages.append(f"{_child(error.json_path, missing)} : champ obligatoire absent")
        elif error.validator == "enum":
            # The message of jsonschema lists the whole enum (130 licences): the value says enough.
            messages.append(f"{error.json_path} : « {error.instance} » n'est pas une valeur permise")
        elif error.validator == "type":
            messages.append(f"{error.json_path} : type attendu {error.validator_value}")
        else:
            messages.append(f"{error.json_path} : {error.message[:200]}")
    unique = list(dict.fromkeys(messages))[:MAX_ERRORS_PER_FILE]
    return [f"{message} (schéma {schema_name})" for message in unique]


def _child(path, key):
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{path}[{key!r}]"


def summary_of(text, limit=200):
    """The description's first `limit` characters, cut after a whole word."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–")
    return f"{cut}…"


def licence_of(licences):
    """(SPDX expression, the ids as given when one could not be read, else "").

    A registry entry lists one licence per part when its parts differ (GBIF: its data under CC0-1.0
    and CC-BY-4.0, its software under Apache-2.0). SPDX writes that "A AND B": each licence applies to
    its part. "A OR B" would say that a reuser picks one for the whole, which nobody said.
    """
    ids = [item.get("spdx", "") for item in licences]
    cleaned = [clean_licence(spdx)[0] for spdx in ids]
    if not ids or not all(cleaned):
        return "", " AND ".join(ids)
    expression = " AND ".join(f"({part})" if " " in part else part for part in dict.fromkeys(cleaned))
    return clean_licence(expression)


def initiative_values(document):
    """(the Initiative's values, the names it may be known by, what stays in the Record)."""
    name = document["name"].strip()[:200]
    types = document["type"]
    repositories = [clean_url(item.get("url")) for item in document.get("repositories", [])]
    repositories = [url for url in repositories if url]
    aliases = [alias.strip() for alias in document.get("aliases", []) if alias.strip() and alias.strip() != name]
    licence, licence_as_given = licence_of(document["license"])
    values = {
        "name": name,
        "kind": KINDS[types[0]],
        "summary": summary_of(document["description"]),
        "description": document["description"].strip(),
        "aliases": "\n".join(aliases),
        "licence": licence,
        "website": clean_url(document.get("website")),
        "repository_url": repositories[0] if repositories else "",
    }
    extra = {
        "stage": document["stage"],
        "types": types,
        "sectors": document.get("sectors", []),
        "sdgs": [
            {
                "number": sdg["SDGNumber"],
                "evidence": sdg.get("evidenceText", ""),
                "evidence_url": sdg.get("evidenceURL", ""),
            }
            for sdg in document["SDGs"]
        ],
        "licences": [{"spdx": item["spdx"], "url": item["licenseURL"]} for item in document["license"]],
        "other_repositories": repositories[1:],
        # Name, website and role only: never the contact person (see the module's docstring).
        "organisations": [
            {"name": org.get("name", ""), "website": org.get("website", ""), "role": org.get("org_type", "")}
            for org in document["organizations"]
        ],
    }
    # The registry writes in English only: its text is the entry's English description too (the
    # description itself is what a curator may translate into French).
    if values["description"]:
        extra["descriptions"] = {"en": values["description"]}
    if licence_as_given:
        extra["licence_as_given"] = licence_as_given
    return values, aliases, extra


def organisation_values(organisation):
    """(the Actor's values, its role) of one organisation, or None when it has no name or role."""
    name = (organisation.get("name") or "").strip()[:200]
    role = ROLES.get(organisation.get("org_type", ""))
    if not name or not role:
        return None
    kind = next((kind for pattern, kind in ACTOR_KINDS if pattern.search(name)), "other")
    return {"name": name, "kind": kind, "website": clean_url(organisation.get("website"))}, role


def licence_assessment(document, licence):
    """The "open licence" criterion of a recognised DPG.

    The Alliance checks a nominee's licence against its list of approved open licences before it
    recognises it (indicator 2 of the DPG standard): only the stage "DPG" carries that check; a
    nominee's licence is its own claim, and the schema's list still admits non-commercial licences,
    which are not open. The evidence is the licence text the registry links to.
    """
    ids = [item["spdx"] for item in document["license"]]
    if document["stage"] != "DPG" or not licence or any("-NC" in spdx.upper() for spdx in ids):
        return None
    urls = [clean_url(item["licenseURL"]) for item in document["license"]]
    return {
        "status": "met",
        "evidence_url": next((url for url in urls if url), ""),
        "note": f"Source : {SOURCE_NAME} — bien public numérique reconnu, sous licence {licence}.",
    }


def screening_assessments(screening):
    """{criterion: values} from the screening answers that answer a commons criterion's question.

    Indicator 5 (documentation that lets someone outside the project run the software, read the data
    or use the content) shows the resource accessible to anyone. The others do not map: "clear
    ownership" (indicator 3) names who holds the rights, not a shared governance, and the
    documentation asked for is about using the resource, not the rules for contributing to it.
    A "No" or "Unknown" is not evidence that a criterion is missed: it fills nothing.
    """
    documentation = screening.get("documentation", {})
    urls = [url for text in documentation.get("documentationURL", []) for url in _urls(text)]
    # Answers list the code beside the documentation ("Code: https://github.com/getodk", "Docs: …").
    urls.sort(key=lambda url: "doc" not in url.lower())
    if documentation.get("isDocumentationAvailable") != "Yes" or not urls:
        return {}
    return {
        "accessible_resource": {
            "status": "met",
            "evidence_url": urls[0],
            "note": (
                f"Source : {SOURCE_NAME}, examen du standard DPG (indicateur 5) — une documentation permet à "
                "une personne extérieure au projet de mettre en œuvre et d'utiliser la ressource."
            ),
        }
    }


def _urls(text):
    # Answers mix labels and links: "Docs: https://docs.getodk.org".
    return [url for url in (clean_url(match.rstrip(".,;)")) for match in re.findall(r"https?://\S+", text)) if url]


def assess(importer, initiative, external_id, criterion, values, extra=None):
    """Write one criterion of `initiative` as importing.py's upsert writes a field.

    Only a criterion that is new, "unknown", or still at the status this source gave last time (kept
    in the criterion's own Record) is the source's to fill; any other is a curator's assessment, left
    whole (its empty evidence too) and reported as a conflict when the source says otherwise, so
    that a criterion is never downgraded. Within the source's criteria, a field a curator changed
    since the last import is kept and reported, as upsert() does.
    """
    from initiatives.models import CriterionAssessment

    unknown = CriterionAssessment.Status.UNKNOWN
    content_type = ContentType.objects.get_for_model(CriterionAssessment)
    assessment = CriterionAssessment.objects.filter(initiative=initiative, criterion=criterion).first()
    record = Record.objects.filter(source=importer.source, content_type=content_type, external_id=external_id).first()
    created = assessment is None
    if created:
        assessment = CriterionAssessment(initiative=initiative, criterion=criterion)
    previous = record.imported if record and not created and record.object_id == assessment.pk else {}
    if not (created or assessment.status == unknown or previous.get("status") == assessment.status):
        # A curator's assessment: the evidence of another status would contradict it.
        if assessment.status != values["status"]:
            _conflict(importer, initiative, external_id, criterion, "status", assessment.status, values["status"])
        return assessment
    imported, changed = dict(previous), []
    for name, incoming in values.items():
        current = getattr(assessment, name)
        if current == incoming:
            imported[name] = incoming
        elif created or current in ("", None, unknown) or (name in previous and previous[name] == current):
            setattr(assessment, name, incoming)
            imported[name] = incoming
            changed.append(name)
        else:
            _conflict(importer, initiative, external_id, criterion, name, current, incoming)
    if changed:
        try:
            assessment.full_clean()
        except ValidationError as error:
            raise RowError("; ".join(f"{k} : {' '.join(v)}" for k, v in error.message_dict.items())) from error
        assessment._history_user = importer.user
        assessment._change_reason = importer.reason
        assessment.save()
        importer.report.updated.append(
            {
                "id": external_id,
                "entry": initiative.slug,
                "fields": [f"criteria.{criterion}.{name}" for name in changed],
            }
        )
    if assessment.pk is None:
        return None
    if record is None:
        record = Record(source=importer.source, content_type=content_type, external_id=external_id)
    record.object_id = assessment.pk
    record.imported, record.extra, record.last_imported_at = imported, extra or {}, importer.now
    record.save()
    return assessment


def _conflict(importer, initiative, external_id, criterion, name, current, incoming):
    field = f"criteria.{criterion}.{name}"
    importer.report.conflicts.append(
        {"id": external_id, "entry": initiative.slug, "field": field, "current": current, "incoming": incoming}
    )
