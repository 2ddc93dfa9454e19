"""From a parsed publiccode.yml to the directory's Initiative fields, and back.

from_publiccode() gives a plain dict (no model): the caller decides what to store. Personal data
in ``maintenance.contacts`` (names, e-mails, phones) is never copied; organisations are.
Roles: ``legal.repoOwner``, ``organisation.name`` and ``legal.mainCopyrightOwner`` are carriers
(the body that owns the code and publishes it is who carries the commons in the directory's
terms; the copyright owner is usually that same body, and a second-rank role would
understate it), ``maintenance.contractors`` maintainers, ``usedBy`` users, ``fundedBy`` funders.
"""

from . import text

STATUS_FROM = {
    "concept": "concept",
    "development": "development",
    "beta": "beta",
    "stable": "stable",
    "obsolete": "archived",
}
# "mature" has no publiccode.yml counterpart: a mature software is in the "stable" state there.
STATUS_TO = {value: key for key, value in STATUS_FROM.items()} | {"mature": "stable"}
SUMMARY_MAX = 200
PREFERRED_LANGUAGES = ("fr", "en")


def _pick_language(description: dict) -> str | None:
    for wanted in PREFERRED_LANGUAGES:
        for lang in description:
            if str(lang).split("-")[0].lower() == wanted:
                return lang
    return next(iter(description), None)


def _mapping(value) -> dict:
    # --lenient reads files that do not follow the standard: a value of the wrong type (reported
    # by the parser) reads as empty rather than breaking the import.
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _add_actor(actors: list, name, role: str) -> None:
    name = _text(name)
    if name and (name, role) not in actors:
        actors.append((name, role))


def from_publiccode(data: dict) -> dict:
    """The directory's view of a publiccode.yml mapping (``parse(...).data``)."""
    data = data or {}
    description = {str(k): v for k, v in _mapping(data.get("description")).items() if isinstance(v, dict)}
    lang = _pick_language(description)
    main = description.get(lang, {}) if lang else {}
    legal = _mapping(data.get("legal"))
    maintenance = _mapping(data.get("maintenance"))
    licence = _text(legal.get("license"))
    if licence and text.is_spdx(licence):
        from communs.validators import normalize_spdx

        licence = normalize_spdx(licence)
    actors = []
    _add_actor(actors, _mapping(data.get("organisation")).get("name"), "carrier")
    _add_actor(actors, legal.get("repoOwner"), "carrier")
    _add_actor(actors, legal.get("mainCopyrightOwner"), "carrier")
    contractors = [c for c in _list(maintenance.get("contractors")) if isinstance(c, dict)]
    for contractor in contractors:
        _add_actor(actors, contractor.get("name"), "maintainer")
    for user in _list(data.get("usedBy")):
        # The standard lists names; code.gouv.fr's loose files give {name, url} mappings.
        _add_actor(actors, user.get("name") if isinstance(user, dict) else user, "user")
    for funder in _list(data.get("fundedBy")):
        _add_actor(actors, funder.get("name") if isinstance(funder, dict) else funder, "funder")
    depends_on = [
        {"name": _text(dep.get("name")), "kind": kind, "optional": bool(dep.get("optional"))}
        for kind in ("open", "proprietary", "hardware")
        for dep in _list(_mapping(data.get("dependsOn")).get(kind))
        if isinstance(dep, dict) and dep.get("name")
    ]
    logo = _text(data.get("logo"))
    localisation = _mapping(data.get("localisation"))
    return {
        "name": _text(data.get("name")),
        "summary": _text(main.get("shortDescription"))[:SUMMARY_MAX],
        "description": _text(main.get("longDescription")),
        "language": lang or "",
        "descriptions": {
            other: {"summary": _text(d.get("shortDescription")), "description": _text(d.get("longDescription"))}
            for other, d in description.items()
            if other != lang
        },
        "features": [_text(f) for f in _list(main.get("features"))],
        "documentation_url": _text(main.get("documentation")),
        "website": _text(data.get("landingURL")),
        "repository_url": _text(data.get("url")),
        "licence": licence,
        "development_status": STATUS_FROM.get(_text(data.get("developmentStatus")), ""),
        "kind": "software",
        "tags": [_text(c) for c in _list(data.get("categories"))],
        "scope": [_text(s) for s in _list(_mapping(data.get("intendedAudience")).get("scope"))],
        "software_type": _text(data.get("softwareType")),
        "platforms": [_text(p) for p in _list(data.get("platforms"))],
        "maintenance": {
            "type": _text(maintenance.get("type")),
            # Contractors are organisations; "until" is the end of their contract, not personal data.
            "contractors": [
                {k: _text(c.get(k)) for k in ("name", "website", "until") if c.get(k)} for c in contractors
            ],
        },
        "localisation": {
            "ready": localisation.get("localisationReady") is True,
            "languages": [_text(x) for x in _list(localisation.get("availableLanguages"))],
        },
        "actors": actors,
        "depends_on": depends_on,
        "extensions": {k: v for k, v in data.items() if isinstance(k, str) and len(k) == 2 and k.isalpha()},
        "release_date": _text(data.get("releaseDate")),
        "logo_url": logo if text.is_http_url(logo) else "",
    }
