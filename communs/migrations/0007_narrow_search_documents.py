"""Search documents for national scale. They carry their facet values as integer keys
(communs.models.FacetKey) and whether the public sees their entry, so that a search counts its
matches and facets from the documents alone (communs.listing.count_from_documents). On PostgreSQL
their rows keep only what a search reads for every match (see NARROW_ROWS).

The new columns are empty until `manage.py rebuild_search_index`; until then a search page counts
its facets the slower way, as it did before the documents carried their facet values."""

from django.db import migrations, models

# PostgreSQL: a search reads, for every match, its key, visibility, facet keys, title and small
# ranking vector. Left to the default (rows out of line only past 2 kB), a document kept most of
# its texts and full vector in its row: 4.5 kB a document, a heap of 180 MB at 100,000 entries,
# larger than PostgreSQL's default shared buffers, so that a word found in a fifth of the entries
# read 14,000 pages. Moving everything but those columns out of line (TOAST) leaves rows of about
# 1 kB (97 MB): the two passes of a search (facets, ranking) read 10,000 pages from memory, at half
# the time. Rows written before keep their layout until rewritten (rebuild_search_index).
NARROW_ROWS = """
ALTER TABLE communs_searchdocument SET (toast_tuple_target = 128);
ALTER TABLE communs_searchdocument
  ALTER COLUMN facet_ids SET STORAGE MAIN,
  ALTER COLUMN title SET STORAGE MAIN,
  ALTER COLUMN rank_vector SET STORAGE MAIN;
"""
WIDE_ROWS = """
ALTER TABLE communs_searchdocument RESET (toast_tuple_target);
ALTER TABLE communs_searchdocument
  ALTER COLUMN title SET STORAGE EXTENDED,
  ALTER COLUMN rank_vector SET STORAGE EXTENDED;
"""


def narrow_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NARROW_ROWS)


def wide_rows(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WIDE_ROWS)


class Migration(migrations.Migration):
    dependencies = [("communs", "0006_searchdocument_facet_keys")]

    operations = [
        migrations.CreateModel(
            name="FacetKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.TextField(unique=True)),
            ],
        ),
        migrations.RemoveField(model_name="searchdocument", name="facet_keys"),
        migrations.AddField(
            model_name="searchdocument",
            name="facet_ids",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="public",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.RunPython(narrow_rows, wide_rows, elidable=False),
    ]
