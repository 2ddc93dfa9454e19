"""What the public catalogues say about an entry, on its page (one query)."""

from django import template
from django.contrib.contenttypes.models import ContentType

from catalogues.models import Record

register = template.Library()

# Where a reader can check an identifier a catalogue gives.
COMPTOIR_URL = "https://comptoir-du-libre.org/fr/softwares/{}"


@register.inclusion_tag("catalogues/_records.html")
def catalogue_records(entry):
    records = Record.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    ).select_related("source")
    rows = []
    for record in records.order_by("source__title"):
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
    return {"rows": rows}
