"""search() on PostgreSQL: a weighted tsvector (French stems and plain words) with a GIN index,
ranked by ts_rank over a small vector of names and keywords, typos through pg_trgm."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models import Expression, F, FloatField, Func, TextField, Value

from communs.models import SearchDocument
from communs.search.text import TRIGRAM_THRESHOLD, DocumentColumn, Operator, ranked, stem


def on_connect(connection):
    # The typo search's `<%` operator (indexed) compares with this session setting.
    with connection.cursor() as cursor:
        cursor.execute(f"SET pg_trgm.word_similarity_threshold = {TRIGRAM_THRESHOLD}")


class TsQuery(Expression):
    """Each word as its French stem or a prefix of its plain form ("geocomm", and stop words such
    as "des", which only the plain part of the vector holds); all words must match."""

    output_field = TextField()

    def __init__(self, words):
        super().__init__()
        self.words = words

    def as_sql(self, compiler, connection):
        one = "(plainto_tsquery('french_unaccent'::regconfig, %s) || to_tsquery('simple'::regconfig, %s))"
        params = [value for word in self.words for value in (word, f"{stem(word)}:*")]
        return "(" + " && ".join([one] * len(self.words)) + ")", params


def match(queryset, words):
    """(the entries matching `words` as typed, their rank)."""
    queryset = queryset.alias(_doc_vector=DocumentColumn("vector", SearchVectorField()))
    as_typed = queryset.filter(Operator(F("_doc_vector"), "@@", TsQuery(words)))
    # Ranked by the small vector of names and keywords (migration communs/0004): reading the
    # full one for every match cost more than the match itself.
    rank_vector = DocumentColumn("rank_vector", SearchVectorField())
    return as_typed, Func(rank_vector, TsQuery(words), function="ts_rank", output_field=FloatField())


def document_match_and_rank(words):
    """(match sql, params, rank sql, params) over the documents' own columns, for ranked_page()."""
    tsquery, tsquery_params = TsQuery(words).as_sql(None, connection)
    return f"vector @@ {tsquery}", tsquery_params, f"ts_rank(rank_vector, {tsquery})", tsquery_params


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
        "SELECT key::bigint AS key_id, count(*) AS n FROM matches "
        "CROSS JOIN LATERAL jsonb_array_elements_text(matches._facet_ids) AS key "
        "WHERE matches.total <= %s OR mod(mod(matches._entry * %s, %s), (matches.total + %s - 1) / %s) = 0 "
        f"GROUP BY 1) AS counted LEFT JOIN {keys_table} AS facet_key ON facet_key.id = counted.key_id"
    )


# How many matching documents matches_anything() looks up before all of them.
MATCH_PROBE = 50


def matches_anything(entries, as_typed, words):
    """Whether any of `entries` matches the words as typed (else typos are looked for)."""
    # PostgreSQL plans EXISTS (a LIMIT 1) expecting a match within the first rows it reads, so
    # it walks the entries one by one, reading each document: with no match at all (a typo) that
    # read the whole table (1 s at 100,000 entries). Materialised apart, the documents matching
    # the words come from the full-text index, lazily: none at once when there are none, the
    # first few otherwise, each then looked up among `entries` (published …) by its key.
    content_type = ContentType.objects.get_for_model(entries.model)
    tsquery, tsquery_params = TsQuery(words).as_sql(None, connection)
    entries_sql, entries_params = entries.order_by().values("pk").query.sql_with_params()
    # The first few matching documents are looked up first, and when none of them is among
    # `entries` (drafts…), all of them: under LIMIT 1 the second half of the UNION only runs when
    # the first found nothing, and a CTE is only computed when read.
    documents = (
        f"SELECT object_id FROM {SearchDocument._meta.db_table} WHERE content_type_id = %s AND vector @@ {tsquery}"
    )
    sql = (
        f"WITH matching AS MATERIALIZED ({documents}) SELECT 1 FROM ("
        f"SELECT 1 FROM ({documents} LIMIT {MATCH_PROBE}) AS first WHERE object_id IN ({entries_sql}) "
        f"UNION ALL SELECT 1 FROM matching WHERE object_id IN ({entries_sql})"
        ") AS found LIMIT 1"
    )
    documents_params = [content_type.pk, *tsquery_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*documents_params, *documents_params, *entries_params, *entries_params])
        return cursor.fetchone() is not None


def typos(queryset, words):
    """Nothing matches as typed: the entries whose names are close to the query."""
    phrase = " ".join(words)
    # `<%`: word similarity above the session's threshold, through the title's trigram index.
    close = queryset.filter(Operator(Value(phrase), "<%%", F("_doc_title")))
    rank = Func(Value(phrase), F("_doc_title"), function="word_similarity", output_field=FloatField())
    return ranked(close, rank, words, approximate=True)
