"""The search document carries the facet values of its entry (communs.models.SearchDocument).

Existing documents get them from `manage.py rebuild_search_index`; until then a search page whose
matches lack them counts its facets the slower way (communs.listing.count_facets)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("communs", "0005_redirect")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="facet_keys",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
