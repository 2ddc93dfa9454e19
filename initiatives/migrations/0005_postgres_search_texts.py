"""PostgreSQL-only: each searchable table keeps its own texts folded (lower case, no accents)
in a generated column with a trigram index, so that the search's substring match (partial
words, acronyms) reads one stored column instead of folding every text on each query.
On SQLite this migration does nothing.

unaccent() is not IMMUTABLE (its dictionary could change), so a generated column cannot call
it directly: communs_fold() pins the dictionary, the usual way to index unaccented text.
The fields are the own fields of the models' search_fields: change both together (a PostgreSQL test
compares them).
"""

from django.db import migrations

FOLD = """
CREATE OR REPLACE FUNCTION communs_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$;
"""

TABLES = {
    "initiatives_initiative": ["name", "acronym", "aliases", "summary", "description"],
    "actors_actor": ["name", "acronym", "description"],
    "initiatives_fundingscheme": ["name", "summary", "description"],
}


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FOLD)
    for table, columns in TABLES.items():
        # A line break between fields, so that a term never matches across two of them.
        joined = " || E'\\n' || ".join(f"COALESCE({column}::text, '')" for column in columns)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_text text GENERATED ALWAYS AS (communs_fold({joined})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search_text ON {table} USING gin (search_text gin_trgm_ops)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_text")
    schema_editor.execute("DROP FUNCTION IF EXISTS communs_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0004_postgres_search_documents")]

    operations = [migrations.RunPython(forward, backward)]
