"""A software commons as a publiccode.yml file: what the directory holds about it, and never more.

The entry's own fields give what the directory edits (name, texts, addresses, licence, state, tags,
the organisations with their roles); what the standard requires and the directory has no field for
(software type, platforms, features, maintenance, languages) comes from the publiccode.yml files the
entry was imported from. Where neither holds a required value, the file is not written and the
missing fields are named, so that the page and the API can ask for them instead of inventing them.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from actors.models import Actor
from catalogues.models import Record
from catalogues.publiccode import missing_for_publiccode, parse, to_publiccode
from communs.models import visible_q
from initiatives.models import Initiative, Involvement

# The names missing_for_publiccode() gives, as a curator reads them on the page.
MISSING_LABELS = {
    "name": _("nom"),
    "repository_url": _("dépôt de code"),
    "licence": _("licence SPDX"),
    "description": _("description d'au moins 150 caractères"),
    "summary": _("résumé de 150 caractères au plus"),
    "language": _("langue de la description"),
    "development_status": _("état"),
    "software_type": _("type de logiciel"),
    "platforms": _("plateformes"),
    "features": _("fonctionnalités"),
    "maintenance.type": _("type de maintenance"),
    "maintenance.contractors": _("prestataires de maintenance"),
    "maintenance.contractors.until": _("fin des contrats de maintenance"),
    "maintenance.contacts": _("organisation qui maintient le logiciel"),
    "localisation.languages": _("langues disponibles"),
    "localisation.availableLanguages": _("langues disponibles en étiquettes BCP 47"),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def publiccode_records(initiative):
    """The records of the publiccode.yml files an entry was imported from, oldest first."""
    return Record.objects.filter(
        content_type=ContentType.objects.get_for_model(Initiative),
        object_id=initiative.pk,
        extra__has_key="publiccode_version",
    ).order_by("last_imported_at", "pk")


def exportable_initiatives(user=None):
    """Initiatives with what publiccode_fields() reads: visible actors in name order, tags."""
    involvements = Involvement.objects.filter(visible_q(Actor, user, prefix="actor__")).select_related("actor")
    return Initiative.objects.visible_to(user).prefetch_related(
        "tags", "categories", "sectors", Prefetch("involvements", queryset=involvements.order_by("actor__name"))
    )


def publiccode_fields(initiative, records) -> dict:
    """The entry in the shape to_publiccode() takes. `initiative` comes from exportable_initiatives()
    (or a page that prefetches the same), `records` from publiccode_records()."""
    extra, own_text = {}, True
    for record in records:  # the newest file's values win
        extra.update(record.extra or {})
        imported = record.imported or {}
        own_text = imported.get("description") != initiative.description
    # The file's language and features go with its texts: when the entry keeps a text of its own (a
    # curator's, or another source's, in French), the file's features in another language do not.
    language = extra.get("language") if records and not own_text else "fr"
    features = extra.get("features") or [] if language == extra.get("language") else []
    descriptions = {lang: text for lang, text in (extra.get("descriptions") or {}).items() if lang != language}
    actors = [(involvement.actor.name, involvement.role) for involvement in initiative.involvements.all()]
    maintenance = dict(extra.get("maintenance") or {})
    if maintenance.get("type") in ("internal", "community"):
        # The standard wants a contact: the organisation that maintains (or else carries) the software,
        # with the entry's public contact point when it is an address; never a person the directory
        # would have had to keep.
        roles = (Involvement.Role.MAINTAINER, Involvement.Role.CARRIER)
        names = [name for role in roles for name, actor_role in actors if actor_role == role]
        if names:
            contact = {"name": names[0]}
            if EMAIL.match(initiative.contact_point.strip()):
                contact["email"] = initiative.contact_point.strip()
            maintenance["contacts"] = [contact]
    return {
        "name": initiative.name,
        "summary": initiative.summary,
        "description": initiative.description,
        "language": language,
        "descriptions": descriptions,
        "features": features,
        "documentation_url": initiative.documentation_url,
        "website": initiative.website,
        "repository_url": initiative.repository_url,
        "licence": initiative.licence,
        "development_status": initiative.development_status,
        "tags": sorted(tag.name for tag in initiative.tags.all()),
        "categories": sorted(category.slug for category in initiative.categories.all()),
        "scope": sorted(sector.publiccode_scope for sector in initiative.sectors.all() if sector.publiccode_scope),
        "software_type": extra.get("software_type") or "",
        "platforms": extra.get("platforms") or [],
        "maintenance": maintenance,
        "localisation": extra.get("localisation") or {},
        "actors": actors,
        "depends_on": extra.get("depends_on") or [],
        "extensions": extra.get("extensions") or {},
        "logo_url": initiative.logo_url,
    }


def publiccode_export(initiative, records):
    """(text, []) for an entry the directory can describe in full, (None, missing field names) otherwise."""
    if initiative.kind != Initiative.Kind.SOFTWARE:
        return None, ["kind"]
    fields = publiccode_fields(initiative, records)
    missing = missing_for_publiccode(fields)
    if missing:
        return None, missing
    text = to_publiccode(fields)
    # The directory's own parser is the last check: a value a loose file gave (a language tag that is
    # not BCP 47…) is refused here rather than published in a file the standard's tools would reject.
    errors = parse(text.encode()).errors
    if errors:
        return None, list(dict.fromkeys(re.sub(r"\[\d+\]", "", issue.key) for issue in errors))
    return text, []


def missing_labels(missing):
    return [str(MISSING_LABELS.get(name, name)) for name in missing]
