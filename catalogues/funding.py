"""Funding schemes for digital commons and their dated calls (data/funding/schemes.yaml, data/README.md).

The file was compiled by reading public pages: every scheme, edition and list of laureates names the
addresses it was read on, and those addresses are kept as the entries' sources. The whole file is
checked against SCHEMA before anything is written: a wrong type or an unknown key names the scheme
(its index and name), the edition and the field, and nothing is imported.

The file words some facts freely (beneficiaries "as the source words them", a territory in a
sentence): they are read into the directory's fields by the tables below, and the wording itself is
kept in the scheme's Record so that a curator can check the reading.
"""

import datetime
import re
from urllib.parse import urlsplit

import yaml
from django.utils.text import slugify
from jsonschema import Draft7Validator

from catalogues.cleaning import clean_url, fold_key
from catalogues.dpg import summary_of
from catalogues.importing import RowError
from catalogues.inputs import decode

NULLABLE_TEXT = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
URL = {"type": ["string", "null"], "pattern": "^https?://"}
URLS = {"type": ["array", "null"], "items": {"type": "string", "pattern": "^https?://"}}
AMOUNT = {"type": ["number", "null"], "minimum": 0}
TEXTS = {"type": ["array", "null"], "items": {"type": "string"}}

# The file's kinds of support and the directory's (FundingScheme.Kind); "other" is read from the
# scheme's own words (other_kind).
KINDS = {
    "grant": "grant",
    "call for projects": "call_for_projects",
    "call for commons": "call_for_commons",
    "fund": "fund",
    "prize": "prize",
    "other": None,
}

LAUREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200}, "url": URL, "amount_eur": AMOUNT},
}
EDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["label", "opens_on", "closes_on"],
    "properties": {
        # FundingEdition.label is 100 characters at most.
        "label": {"type": "string", "minLength": 1, "maxLength": 100},
        "opens_on": DATE,
        "closes_on": DATE,
        "budget_eur": AMOUNT,
        "url": URL,
        "more_sources": URLS,
        "note": NULLABLE_TEXT,
        "results_note": NULLABLE_TEXT,
        "territory": NULLABLE_TEXT,
        "beneficiaries": TEXTS,
        "laureates": {"type": ["array", "null"], "items": LAUREATE},
        "laureates_url": URL,
        "laureates_sources": URLS,
    },
}
SCHEME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "operators", "kind", "editions"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "short_name": NULLABLE_TEXT,
        "operators": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "url": URL,
        "kind": {"enum": list(KINDS)},
        "recurring": {"type": ["boolean", "null"]},
        "rolling": {"type": ["boolean", "null"]},
        "beneficiaries": TEXTS,
        "territory": NULLABLE_TEXT,
        "amount_min_eur": AMOUNT,
        "amount_max_eur": AMOUNT,
        "total_budget_eur": AMOUNT,
        "description": NULLABLE_TEXT,
        "evidence_url": URL,
        "more_sources": URLS,
        "editions": {"type": "array", "items": EDITION},
    },
}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["schemes"],
    "properties": {"description": {"type": "string"}, "schemes": {"type": "array", "items": SCHEME}},
}

# Beneficiaries as the file words them (French, English, Italian) → FundingScheme.Beneficiary. "Of any
# type" is every kind of organisation; a person is an individual.
ANY_ORGANISATION = ("association", "company", "public_body", "local_authority")
BENEFICIARIES = [
    (re.compile(r"of any type", re.I), ANY_ORGANISATION),
    (
        re.compile(r"individu|natural person|particulier|d[ée]velop|sviluppatori|freelance|self-employed", re.I),
        ("individual",),
    ),
    (re.compile(r"association|fondation|foundation|piccole organizzazioni", re.I), ("association",)),
    (re.compile(r"entreprise|compan|small teams", re.I), ("company",)),
    (
        re.compile(
            r"administration|op[ée]rateurs? de l|[ée]tablissements? publics?|services d[ée]concentr|universit", re.I
        ),
        ("public_body",),
    ),
    (re.compile(r"collectivit|commune|EPCI|m[ée]tropole|d[ée]partement|r[ée]gion", re.I), ("local_authority",)),
]
# Territories as the file words them → Territory codes. A place the directory has no territory for
# (Germany) leaves the scheme without one; the wording stays in its Record.
TERRITORIES = [
    (re.compile(r"^(worldwide|international)", re.I), "world"),
    (re.compile(r"^EU\b|^Europe", re.I), "eu"),
    (re.compile(r"^France$", re.I), "fr"),
    (re.compile(r"^Nouvelle-Aquitaine", re.I), "reg-75"),
    (re.compile(r"^Guadeloupe", re.I), "reg-01"),
    (re.compile(r"^Puy-de-D[ôo]me", re.I), "dep-63"),
    (re.compile(r"^Haut-Rhin", re.I), "dep-68"),
]
# Schemes of the curated demo (fixtures/06_funding.json) that the file describes under another name:
# found by their slug, so that the curated entry gains the file's calls instead of getting a twin.
KNOWN_AS = {
    "NGI Zero Commons Fund": "ngi-commons-fund",
    "Appel à communs (ADEME)": "appel-a-communs",
    "Appel à projets « Logiciels libres innovants » (Région Nouvelle-Aquitaine)": "logiciels-libres-innovants",
}
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
ACTOR_KINDS = [
    (re.compile(r"\b(foundation|fondation|stiftung|stichting)\b", re.I), "foundation"),
    (re.compile(r"commission europ|european commission", re.I), "eu_institution"),
    (re.compile(r"^(minist|direction|pr[ée]fecture|secr[ée]tariat|[ée]tat\b|bundesminist)", re.I), "state"),
    (re.compile(r"^r[ée]gion\b", re.I), "local_authority"),
    (re.compile(r"\b(gmbh|sas|sarl)\b", re.I), "company"),
    (re.compile(r"\be\.\s?v\.$", re.I), "association"),
]


def parse(files):
    """[(file label, scheme index, scheme)] of every file, each checked against SCHEMA; the problems
    found [(label, message)], each naming the scheme and the field."""
    schemes, problems = [], []
    validator = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
    for name, content in files:
        label = file_label(name)
        try:
            document = yaml.safe_load(decode(name, content))
        except yaml.YAMLError as error:
            problems.append((label, f"YAML illisible ({str(error).splitlines()[0]})"))
            continue
        found = [(where(label, document, error), message(error)) for error in validator.iter_errors(document)]
        problems.extend(sorted(found))
        if not found:
            schemes.extend((label, index, scheme) for index, scheme in enumerate(document["schemes"]))
    return schemes, problems


def file_label(name):
    return (urlsplit(name).path if "://" in name else name).rsplit("/", 1)[-1]


def where(label, document, error):
    """ "schemes.yaml, schemes[3] « NGI Assure »": the record a schema error is about."""
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "schemes" and isinstance(path[1], int):
        scheme = document["schemes"][path[1]]
        name = scheme.get("name") if isinstance(scheme, dict) else None
        return f"{label}, schemes[{path[1]}]" + (f" « {name} »" if isinstance(name, str) else "")
    return label


def message(error):
    """The field and what is wrong with it: "editions[1].closes_on : type attendu string, null"."""
    path = list(error.absolute_path)
    inner = path[2:] if len(path) >= 2 and path[0] == "schemes" else path
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in inner).lstrip(".")

    def keys(names):  # keys of the object at `field`: "editions[0].amount"
        return ", ".join(f"{field}.{name}" if field else name for name in names)

    if error.validator == "additionalProperties":
        return f"{keys(sorted(set(error.instance) - set(error.schema.get('properties', {}))))} : clé inconnue"
    if error.validator == "required":
        return f"{keys(k for k in error.validator_value if k not in error.instance)} : champ obligatoire absent"
    prefix = f"{field} : " if field else ""
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else ", ".join(error.validator_value)
        return f"{prefix}type attendu {expected}, lu « {error.instance} »"
    if error.validator == "enum":
        return f"{prefix}« {error.instance} » n'est pas une valeur permise ({', '.join(error.validator_value)})"
    if error.validator == "format":
        return f"{prefix}« {error.instance} » n'est pas une date AAAA-MM-JJ"
    return f"{prefix}{error.message[:200]}"


# --- reading one scheme ----------------------------------------------------------------------------


def scheme_key(scheme):
    """The scheme's id in its Record: its short name (or name), as a slug."""
    return slugify(scheme.get("short_name") or scheme["name"])[:100]


def known_slug(scheme):
    return next((slug for prefix, slug in KNOWN_AS.items() if scheme["name"].startswith(prefix)), "")


def beneficiaries(words):
    found = set()
    for text in words or []:
        for pattern, codes in BENEFICIARIES:
            if pattern.search(text):
                found.update(codes)
    return found


def territory_code(text):
    text = (text or "").strip()
    return next((code for pattern, code in TERRITORIES if pattern.search(text)), "")


def other_kind(scheme):
    """The kind of a scheme the file calls "other": support in people's time or services."""
    text = f"{scheme['name']} {scheme.get('description') or ''}"
    return "incubation" if re.search(r"incubat|intrapreneur|accompagnement", text, re.I) else "in_kind"


def status_of(scheme):
    """FundingScheme.Status the file states: calls that come back, or a one-off that is over; the
    editions' dates decide the rest (funding/availability.py)."""
    if scheme.get("recurring") or scheme.get("rolling"):
        return "recurring"
    if scheme.get("recurring") is False:
        return "closed"
    return ""


def scheme_values(scheme, territory_id):
    """(FundingScheme values, what stays in the Record). Eligibility the file does not state is None:
    it never unticks what a curator ticked."""
    codes = beneficiaries(scheme.get("beneficiaries"))
    values = {
        "name": scheme["name"].strip(),
        "kind": KINDS[scheme["kind"]] or other_kind(scheme),
        "status": status_of(scheme),
        "summary": summary_of(scheme.get("description") or ""),
        "description": (scheme.get("description") or "").strip(),
        "url": clean_url(scheme.get("url")),
        "amount_min": scheme.get("amount_min_eur"),
        "amount_max": scheme.get("amount_max_eur"),
        "total_budget": scheme.get("total_budget_eur"),
        "territory_id": territory_id,
        # Sorted: `codes` is a set, whose order changes with each process's string hashing, and the
        # Record keeps these values in this order (the demo snapshot must be the same on every build).
        **{f"eligible_{code}": True for code in sorted(codes)},
    }
    extra = {
        "short_name": scheme.get("short_name") or "",
        "operators": scheme["operators"],
        "beneficiaries": scheme.get("beneficiaries") or [],
        "territory": scheme.get("territory") or "",
        "recurring": scheme.get("recurring"),
    }
    if scheme.get("rolling") is not None:
        extra["rolling"] = scheme["rolling"]
    return values, extra


def scheme_addresses(scheme):
    """[(url, what it is)] of the pages the scheme's facts were read on, each once."""
    return unique_addresses(
        [(scheme.get("url"), "page officielle"), (scheme.get("evidence_url"), "page lue")]
        + [(url, "autre source") for url in scheme.get("more_sources") or []]
    )


def edition_values(edition):
    opens_on, closes_on = (
        datetime.date.fromisoformat(edition[name]) if edition.get(name) else None for name in ("opens_on", "closes_on")
    )
    year = (closes_on or opens_on).year if (closes_on or opens_on) else label_year(edition["label"])
    note = "\n".join(text.strip() for text in (edition.get("note"), edition.get("results_note")) if text)
    return {
        "label": edition["label"].strip(),
        "year": year,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "budget": edition.get("budget_eur"),
        "url": clean_url(edition.get("url")),
        "note": note,
    }


def label_year(label):
    years = re.findall(r"\b(20[0-9]{2})\b", label)
    return int(years[0]) if years else None


def edition_addresses(edition):
    return unique_addresses(
        [(edition.get("url"), "page de l'édition")]
        + [(url, "autre source") for url in edition.get("more_sources") or []]
        + [(edition.get("laureates_url"), "liste des lauréats")]
        + [(url, "liste des lauréats") for url in edition.get("laureates_sources") or []]
    )


def unique_addresses(pairs):
    seen, found = set(), []
    for url, what in pairs:
        url = clean_url(url)
        if url and url not in seen:
            seen.add(url)
            found.append((url, what))
    return found


def citations(addresses):
    """Sources items for the pages read: the host names the link (communs.validators.validate_sources)."""
    return [
        {"document": urlsplit(url).hostname.removeprefix("www."), "url": url, "note": what} for url, what in addresses
    ]


def laureate_names(name):
    """The names a laureate may be known by: "Panoramax (commun des vues immersives libres)" is Panoramax."""
    short = re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()
    return [name.strip(), *([short] if short and short != name.strip() else [])]


def operator(text):
    """(Actor values, other names) of one operator as the file words it: "Institut national de
    l'information géographique et forestière (IGN)" is that name with the acronym IGN; what follows a
    dash names a unit or a programme ("DINUM – beta.gouv.fr"), years in brackets its editions."""
    head = re.split(r"\s+[–—-]\s+", text.strip(), maxsplit=1)[0]
    inside = re.findall(r"\(([^)]*)\)", head)
    name = re.sub(r"\s*\([^)]*\)", "", head).strip() or head
    acronyms = [part.strip() for group in inside for part in group.split(",") if ACRONYM.match(part.strip())]
    if ACRONYM.match(name):
        acronyms, name = [name, *acronyms], name
    kind = next((kind for pattern, kind in ACTOR_KINDS if pattern.search(name)), "other")
    values = {"name": name[:200], "kind": kind}
    if acronyms and acronyms[0] != name:
        values["acronym"] = acronyms[0]
    if not name:
        raise RowError(f"opérateur « {text} » sans nom")
    return values, [a for a in acronyms if a != name]


def operator_key(text):
    return f"operator:{fold_key(operator(text)[0]['name'])}"
