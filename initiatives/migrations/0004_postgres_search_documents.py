"""PostgreSQL-only: each searchable table keeps its own weighted French text search document
in a generated column with a GIN index, so that a search reads an index instead of parsing
every entry's texts on each query. On SQLite this migration does nothing.

The columns are unknown to the models (Django never writes them); communs/search.py reads
them in its PostgreSQL branch. The fields and weights here are the own fields of the models' search_fields:
change both together.
"""

from django.db import migrations


def document(*weighted):
    parts = [
        f"setweight(to_tsvector('french_unaccent'::regconfig, COALESCE({column}::text, '')), '{weight}')"
        for column, weight in weighted
    ]
    return " || ".join(parts)


TABLES = {
    "initiatives_initiative": document(
        ("name", "A"), ("acronym", "A"), ("aliases", "A"), ("summary", "B"), ("description", "C")
    ),
    "actors_actor": document(("name", "A"), ("acronym", "A"), ("description", "C")),
    "initiatives_fundingscheme": document(("name", "A"), ("summary", "B"), ("description", "C")),
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in TABLES.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_document ON {table} USING gin (search_document)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0003_history_and_workflow"),
        ("actors", "0003_history_and_workflow"),
    ]

    operations = [migrations.RunPython(forward, backward)]
