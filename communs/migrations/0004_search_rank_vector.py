"""PostgreSQL: a second, small tsvector of the document's names and keywords only, to rank by.

ts_rank() reads the whole vector of every matching entry; the full one (names, keywords and texts,
each twice) is about 1.9 kB, compressed out of line, and ranking the 5,000 entries a common word
finds at 100,000 entries took longer than finding them. The names and keywords are what ranks an
entry first anyway (communs/search.py); matching still reads the full, indexed `vector`.
"""

import importlib

from django.db import migrations

# The same weighting as the full vector's (a migration's module name is not an identifier).
weighted = importlib.import_module("communs.migrations.0001_search_document").weighted

ADD = f"""
ALTER TABLE communs_searchdocument ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
  {weighted('title', 'A')} || {weighted('keywords', 'B')}
) STORED;
"""
DROP = "ALTER TABLE communs_searchdocument DROP COLUMN rank_vector;"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("communs", "0003_source_retrieved_at")]

    operations = [migrations.RunPython(add, drop, elidable=False)]
