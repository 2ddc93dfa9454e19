"""search() on SQLite: an FTS5 table kept in step with the documents by triggers (migration
communs/0001), ranked by where the words are found, typos corrected from the titles' vocabulary."""

from django.db import connection
from django.db.models import Case, Expression, ExpressionWrapper, FloatField, Func, Value, When
from django.db.models.lookups import GreaterThan

from communs.search.text import TRIGRAM_THRESHOLD, DocumentColumn, fold, ranked, stem, trigram_similarity


def on_connect(connection):
    # SQLite has neither unaccent() nor pg_trgm's similarity(): give it the same functions in
    # Python, deterministic so that SQLite may use them in indexes. Code above the database
    # layer (duplicate warnings) then writes one query for both backends.
    connection.connection.create_function("unaccent", 1, fold, deterministic=True)
    connection.connection.create_function("similarity", 2, trigram_similarity, deterministic=True)


class FtsMatch(Expression):
    """The rowids of the documents matching an FTS5 query."""

    def __init__(self, query):
        super().__init__()
        self.query = query

    def as_sql(self, compiler, connection):
        return "SELECT rowid FROM communs_searchdocument_fts WHERE communs_searchdocument_fts MATCH %s", [self.query]


COLUMN_WEIGHTS = (("title", 10.0), ("keywords", 4.0), ("body", 1.0))


def column_rank(words):
    """A cheap relevance read from the document's own columns: per word, 10 when the names hold
    it, 4 the keywords, 1 the texts. (bm25() would run the full-text query again for each
    matching row; this reads the row the join already has.)"""
    rank = Value(0.0)
    for word in words:
        for column, weight in COLUMN_WEIGHTS:
            found = Func(DocumentColumn(column), Value(stem(word)), function="instr", output_field=FloatField())
            rank = rank + Case(When(GreaterThan(found, 0), then=Value(weight)), default=Value(0.0))
    return ExpressionWrapper(rank, output_field=FloatField())


def fts_query(words):
    """Each word as a prefix of its stem, all words required (words are letters and digits)."""
    return " AND ".join(f'"{stem(word)}"*' for word in words)


def match(queryset, words):
    """(the entries matching `words` as typed, their rank)."""
    return queryset.filter(_doc_id__in=FtsMatch(fts_query(words))), column_rank(words)


def document_match_and_rank(words):
    """(match sql, params, rank sql, params) over the documents' own columns, for ranked_page()."""
    match = "id IN (SELECT rowid FROM communs_searchdocument_fts WHERE communs_searchdocument_fts MATCH %s)"
    # column_rank(), column by column.
    weights = [(column, weight, stem(word)) for word in words for column, weight in COLUMN_WEIGHTS]
    rank = " + ".join(f"CASE WHEN instr({column}, %s) > 0 THEN {weight} ELSE 0.0 END" for column, weight, _ in weights)
    return match, [fts_query(words)], rank, [word_stem for _, _, word_stem in weights]


def facet_key_counts_sql(documents_sql, keys_table):
    """(key id, count, key as JSON text) rows of the facet keys of the documents that
    `documents_sql` selects (columns `_entry`, `_facet_ids`, `_public`), with a row of key 0 giving
    their number and one of key -1 the number of those without keys or visibility. Past the first
    parameter's number of documents, only one in ceil(number / second) has its keys counted (the
    hash of communs.filters.sampled): the others are left out before their keys are read. The
    keys' texts are joined once to the counts."""
    return (
        f"WITH matches AS MATERIALIZED (SELECT matches.*, count(*) OVER () AS total FROM ({documents_sql}) AS matches) "
        "SELECT 0, count(*), NULL FROM matches "
        "UNION ALL SELECT -1, count(*), NULL FROM matches WHERE _facet_ids IS NULL OR _public IS NULL "
        "UNION ALL SELECT counted.key_id, counted.n, facet_key.key FROM ("
        "SELECT key.value AS key_id, count(*) AS n FROM matches, json_each(matches._facet_ids) AS key "
        "WHERE matches.total <= %s OR ((matches._entry * %s) %% %s) %% ((matches.total + %s - 1) / %s) = 0 "
        f"GROUP BY key.value) AS counted LEFT JOIN {keys_table} AS facet_key ON facet_key.id = counted.key_id"
    )


def matches_anything(entries, as_typed, words):
    """Whether any of `entries` matches the words as typed (else typos are looked for)."""
    return as_typed.exists()


def typos(queryset, words):
    """Nothing matches as typed: the entries found by the closest words of the titles."""
    corrected = [_closest_title_word(word) or word for word in words]
    if corrected == words:
        return ranked(queryset.none(), Value(0.0), words, approximate=True)
    close = queryset.filter(_doc_id__in=FtsMatch(fts_query(corrected)))
    return ranked(close, column_rank(corrected), corrected, approximate=True)


def _closest_title_word(word):
    """The word of the titles' vocabulary closest to `word`, if close enough."""
    if len(word) < 3:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, doc FROM communs_searchdocument_terms WHERE col = 'title' AND length(term) BETWEEN %s AND %s",
            [len(word) - 2, len(word) + 2],
        )
        scored = [(trigram_similarity(word, term), doc, term) for term, doc in cursor.fetchall()]
    best = max(scored, default=None)
    return best[2] if best and best[0] >= TRIGRAM_THRESHOLD else None
