"""An entry's description as its sources write it in another language than French.

The entry keeps its French description; a source's own text in another language (the SILL's
`en-desc`, publiccode.yml's `description.en`, the DPG registry's English) stays in its Record, which
is its provenance, and the English page and the API's English answers read it from there.
"""

from django.contrib.contenttypes.models import ContentType

from catalogues.models import Record


def _records_of(entries):
    entries = list(entries)
    return (
        Record.objects.filter(
            content_type=ContentType.objects.get_for_model(entries[0]), object_id__in=[entry.pk for entry in entries]
        )
        .select_related("source")
        .order_by("source__pk", "pk")
    )


def _text_of(record, language):
    extra = record.extra or {}
    text = (extra.get("descriptions") or {}).get(language)
    # A publiccode.yml file written in this language first: the description imported is its own.
    if not text and extra.get("language") == language:
        text = (record.imported or {}).get("description")
    return text.strip() if isinstance(text, str) and text.strip() else None


def descriptions_in(entries, language):
    """{entry pk: {"text", "source"}} of the first source (in the order sources were added) that
    describes each of `entries` in `language`; entries no source describes so are left out (one query)."""
    found = {}
    for record in _records_of(entries) if entries else []:
        if record.object_id not in found:
            text = _text_of(record, language)
            if text:
                found[record.object_id] = {"text": text, "source": record.source}
    return found


def description_in(entry, language):
    """{"text", "source"} for one entry (see descriptions_in), or None."""
    return descriptions_in([entry], language).get(entry.pk)


def description_texts(entries, field, language):
    """The provider that communs.locale.translated_texts() asks (registered by CataloguesConfig)."""
    if field != "description":
        return {}
    return {pk: found["text"] for pk, found in descriptions_in(entries, language).items()}
