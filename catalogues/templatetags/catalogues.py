"""What the public catalogues say about an entry, on its page (one query)."""

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import get_language

from catalogues.descriptions import description_in
from catalogues.models import Record
from catalogues.publiccode_entry import missing_labels, publiccode_export
from initiatives.models import Initiative

register = template.Library()

# Where a reader can check an identifier a catalogue gives.
COMPTOIR_URL = "https://comptoir-du-libre.org/fr/softwares/{}"


@register.inclusion_tag("catalogues/_records.html")
def catalogue_records(entry):
    records = list(
        Record.objects.filter(content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk)
        .select_related("source")
        .order_by("source__title")
    )
    rows = []
    for record in records:
        extra = record.extra or {}
        comptoir = extra.get("comptoir_du_libre_id", "")
        rows.append(
            {
                "record": record,
                "sill_status": extra.get("sill_status", ""),
                "sill_years": extra.get("sill_years", []),
                "comptoir_url": COMPTOIR_URL.format(comptoir) if str(comptoir).isdigit() else "",
                "licence_as_given": extra.get("licence_as_given", ""),
            }
        )
    publiccode = None
    if isinstance(entry, Initiative) and entry.kind == Initiative.Kind.SOFTWARE:
        # The page's entry prefetches what the export reads (visible actors by name, tags): no query.
        files = sorted((r for r in records if "publiccode_version" in (r.extra or {})), key=_import_order)
        text, missing = publiccode_export(entry, files)
        publiccode = {"slug": entry.slug, "ready": bool(text), "missing": missing_labels(missing)}
    return {"rows": rows, "publiccode": publiccode}


def _import_order(record):
    return record.last_imported_at, record.pk


@register.simple_tag
def description_in_language(entry):
    """The entry's description as one of its sources writes it in the page's language, with that
    source ({"text", "source"}: catalogues/descriptions.py); None on a French page, whose
    description is the entry's own."""
    language = get_language()
    if not language or language == settings.LANGUAGE_CODE:
        return None
    return description_in(entry, language)
