"""Tags whose name has no letter or digit ("!!!") were saved with an empty slug, which broke the
API's pages and exports: give them the same fallback slug as initiatives.models.fallback_tag_slug."""

import hashlib

from django.db import migrations


def give_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    for tag in Tag.objects.filter(slug=""):
        tag.slug = "mot-cle-" + hashlib.sha1(str(tag.name).encode("utf-8")).hexdigest()[:10]
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0006_move_funding_to_funding_app"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(give_slugs, migrations.RunPython.noop)]
