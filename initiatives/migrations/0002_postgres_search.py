"""PostgreSQL-only search support: extensions, a French accent-free text search
configuration and trigram indexes. On SQLite this migration does nothing
(search.py registers an unaccent() function on each connection instead)."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS initiatives_initiative_name_trgm
  ON initiatives_initiative USING gin (lower(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS actors_actor_name_trgm
  ON actors_actor USING gin (lower(name) gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS initiatives_initiative_name_trgm;
DROP INDEX IF EXISTS actors_actor_name_trgm;
DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0001_initial"),
        ("actors", "0002_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
