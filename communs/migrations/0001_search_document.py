"""The search documents (communs/search_index.py writes them, communs/search.py reads them), and
each database's own index over them.

- PostgreSQL: a generated, weighted tsvector with a GIN index. Each text is indexed twice: French
  stems (so "logiciels" finds "logiciel") and plain words (so a prefix such as "geocomm" or a
  stop word such as "des" still matches); a trigram index on the title for typos.
- SQLite: an FTS5 table over the document table (external content), kept in step by triggers,
  with prefix indexes; its tokenizer drops diacritics (the texts are folded already).

The generated search columns of the entry tables (initiatives/0004 and 0005) are dropped: the
documents replace them, with the related names indexed too.
"""

import django.db.models.deletion
from django.db import migrations, models


def weighted(column, weight):
    return (
        f"setweight(to_tsvector('french_unaccent'::regconfig, {column}), '{weight}') || "
        f"setweight(to_tsvector('simple'::regconfig, {column}), '{weight}')"
    )


POSTGRESQL = f"""
ALTER TABLE communs_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
  {weighted('title', 'A')} || {weighted('keywords', 'B')} || {weighted('body', 'C')}
) STORED;
CREATE INDEX communs_searchdocument_vector ON communs_searchdocument USING gin (vector);
CREATE INDEX communs_searchdocument_title_trgm ON communs_searchdocument USING gin (title gin_trgm_ops);
ALTER TABLE initiatives_initiative DROP COLUMN IF EXISTS search_document, DROP COLUMN IF EXISTS search_text;
ALTER TABLE actors_actor DROP COLUMN IF EXISTS search_document, DROP COLUMN IF EXISTS search_text;
ALTER TABLE funding_fundingscheme DROP COLUMN IF EXISTS search_document, DROP COLUMN IF EXISTS search_text;
"""

SQLITE = [
    """CREATE VIRTUAL TABLE communs_searchdocument_fts USING fts5(
        title, keywords, body,
        content='communs_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3 4'
    )""",
    """CREATE TRIGGER communs_searchdocument_ai AFTER INSERT ON communs_searchdocument BEGIN
        INSERT INTO communs_searchdocument_fts(rowid, title, keywords, body)
        VALUES (new.id, new.title, new.keywords, new.body);
    END""",
    """CREATE TRIGGER communs_searchdocument_ad AFTER DELETE ON communs_searchdocument BEGIN
        INSERT INTO communs_searchdocument_fts(communs_searchdocument_fts, rowid, title, keywords, body)
        VALUES ('delete', old.id, old.title, old.keywords, old.body);
    END""",
    """CREATE TRIGGER communs_searchdocument_au AFTER UPDATE ON communs_searchdocument BEGIN
        INSERT INTO communs_searchdocument_fts(communs_searchdocument_fts, rowid, title, keywords, body)
        VALUES ('delete', old.id, old.title, old.keywords, old.body);
        INSERT INTO communs_searchdocument_fts(rowid, title, keywords, body)
        VALUES (new.id, new.title, new.keywords, new.body);
    END""",
    # The vocabulary of the titles, for typo corrections (communs/search.py).
    "CREATE VIRTUAL TABLE communs_searchdocument_terms USING fts5vocab('communs_searchdocument_fts', 'col')",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    # The table itself goes with the reversed CreateModel; the dropped entry columns are not
    # recreated (migrate back to initiatives/0005 needs them: restore from a backup instead).
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS communs_searchdocument_terms")
        schema_editor.execute("DROP TABLE IF EXISTS communs_searchdocument_fts")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('initiatives', '0008_rendered_markdown'),
        ('actors', '0004_rendered_markdown'),
        ('funding', '0002_rendered_markdown'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('title', models.TextField(blank=True)),
                ('keywords', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('content_type', 'object_id'), name='communs_searchdocument_unique')],
            },
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
