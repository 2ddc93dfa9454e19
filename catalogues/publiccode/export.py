"""to_publiccode(): write a publiccode.yml from the directory's fields (the shape from_publiccode gives).

Nothing is invented: where the standard requires a value the directory does not hold (platforms,
features, a maintenance type…), missing_for_publiccode() names it and to_publiccode() refuses to
write, so the caller can ask the editors for it. ``publiccodeYmlVersion: "0"`` is what the
reference parser recommends: it reads it as the latest version it supports (0.7) without warning.
"""

import yaml

from . import text, vocab
from .mapping import STATUS_TO


class MissingFields(ValueError):
    def __init__(self, missing: list[str]):
        super().__init__("champs manquants pour publiccode.yml : " + ", ".join(missing))
        self.missing = missing


def missing_for_publiccode(fields: dict) -> list[str]:
    """Directory fields that the standard requires and that are empty or unusable, by field name."""
    missing = []
    for name in ("name", "repository_url", "licence", "description", "summary", "language"):
        if not fields.get(name):
            missing.append(name)
    if fields.get("repository_url") and not text.is_url(fields["repository_url"]):
        missing.append("repository_url")
    if fields.get("development_status") not in STATUS_TO:
        missing.append("development_status")
    if fields.get("software_type") not in vocab.SOFTWARE_TYPES:
        missing.append("software_type")
    for name in ("platforms", "features"):
        if not fields.get(name):
            missing.append(name)
    if fields.get("description") and text.grapheme_length(fields["description"]) < 150:
        missing.append("description")  # the standard wants at least 150 characters
    if fields.get("summary") and text.grapheme_length(fields["summary"]) > 150:
        missing.append("summary")  # at most 150: cutting it would change the entry on the way back
    maintenance = fields.get("maintenance") or {}
    kind = maintenance.get("type")
    if kind not in vocab.MAINTENANCE_TYPES:
        missing.append("maintenance.type")
    elif kind == "contract" and not maintenance.get("contractors"):
        missing.append("maintenance.contractors")
    elif kind in ("community", "internal") and not maintenance.get("contacts"):
        # The standard requires contacts; the directory keeps no personal one (the caller may give the
        # maintaining organisation and the entry's public contact point).
        missing.append("maintenance.contacts")
    for contractor in maintenance.get("contractors") or []:
        if not contractor.get("until"):
            missing.append("maintenance.contractors.until")
    if not (fields.get("localisation") or {}).get("languages"):
        missing.append("localisation.languages")
    return list(dict.fromkeys(missing))


def _description(summary, description, features=None, documentation=None) -> dict:
    entry = {"shortDescription": summary, "longDescription": description}
    if documentation:
        entry["documentation"] = documentation
    if features:
        entry["features"] = list(features)
    return entry


def to_publiccode(fields: dict) -> str:
    missing = missing_for_publiccode(fields)
    if missing:
        raise MissingFields(missing)
    carriers = [name for name, role in fields.get("actors") or [] if role == "carrier"]
    users = [name for name, role in fields.get("actors") or [] if role == "user"]
    out = {"publiccodeYmlVersion": vocab.RECOMMENDED_VERSION, "name": fields["name"], "url": fields["repository_url"]}
    if fields.get("website"):
        out["landingURL"] = fields["website"]
    if fields.get("release_date"):
        out["releaseDate"] = fields["release_date"]
    if fields.get("logo_url"):
        out["logo"] = fields["logo_url"]
    out["platforms"] = list(fields["platforms"])
    # The entry's categories, and the tags that are codes of the standard's list (older imports).
    tagged = [tag for tag in fields.get("tags") or [] if tag in vocab.CATEGORIES]
    categories = [
        code for code in dict.fromkeys([*tagged, *(fields.get("categories") or [])]) if code in vocab.CATEGORIES
    ]
    if categories:  # free tags outside the standard's list would make the file invalid
        out["categories"] = categories
    if users:
        out["usedBy"] = users
    out["developmentStatus"] = STATUS_TO[fields["development_status"]]
    out["softwareType"] = fields["software_type"]
    scope = sorted(set(fields.get("scope") or []) & vocab.SCOPES)
    if scope:  # the sectors that are scopes of the standard
        out["intendedAudience"] = {"scope": scope}
    description = {
        fields["language"]: _description(
            fields["summary"], fields["description"], fields["features"], fields.get("documentation_url")
        )
    }
    for lang, other in (fields.get("descriptions") or {}).items():
        short, long = other.get("summary") or "", other.get("description") or ""
        if short and text.grapheme_length(short) <= 150 and text.grapheme_length(long) >= 150:
            description[lang] = _description(other["summary"], other["description"], fields["features"])
    out["description"] = description
    out["legal"] = {"license": fields["licence"]}
    if carriers:
        out["legal"]["mainCopyrightOwner"] = carriers[0]
    maintenance = fields["maintenance"]
    out["maintenance"] = {"type": maintenance["type"]}
    if maintenance["type"] == "contract":
        out["maintenance"]["contractors"] = [dict(c) for c in maintenance["contractors"]]
    if maintenance.get("contacts"):
        out["maintenance"]["contacts"] = [dict(c) for c in maintenance["contacts"]]
    localisation = fields["localisation"]
    out["localisation"] = {
        "localisationReady": bool(localisation.get("ready")),
        "availableLanguages": list(localisation["languages"]),
    }
    depends = {}
    for dep in fields.get("depends_on") or []:
        item = {"name": dep["name"]} | ({"optional": True} if dep.get("optional") else {})
        depends.setdefault(dep.get("kind") or "open", []).append(item)
    if depends:
        out["dependsOn"] = depends
    for key, section in (fields.get("extensions") or {}).items():
        if key in ("IT", "it"):  # the only country section the standard defines; others would be refused
            out["IT"] = section
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)
