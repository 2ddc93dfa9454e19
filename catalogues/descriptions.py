"""An entry's description as its sources write it in another language than French.

The entry keeps its French description; a source's own text in another language (the SILL's
`en-desc`, publiccode.yml's `description.en`, the DPG registry's English) stays in its Record, which
is its provenance, and the English page and the API's English answers read it from there.
"""

from django.contrib.contenttypes.models import ContentType

from catalogues.models import Record


def description_in(entry, language):
    """{"text", "source"} of the first source (in the order sources were added) that describes
    `entry` in `language`; None when none does (one query)."""
    records = (
        Record.objects.filter(content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk)
        .select_related("source")
        .order_by("source__pk", "pk")
    )
    for record in records:
        extra = record.extra or {}
        text = (extra.get("descriptions") or {}).get(language)
        # A publiccode.yml file written in this language first: the description imported is its own.
        if not text and extra.get("language") == language:
            text = (record.imported or {}).get("description")
        if isinstance(text, str) and text.strip():
            return {"text": text.strip(), "source": record.source}
    return None


def description_text(entry, field, language):
    """The provider that communs.locale.translated_text() asks (registered by CataloguesConfig)."""
    if field != "description":
        return None
    found = description_in(entry, language)
    return found["text"] if found else None
