"""The one search entry point of the directory.

`search(queryset, text)` filters and ranks initiatives, actors or funding schemes through their
search documents (communs/models.py SearchDocument, kept up to date by communs/search_index.py),
read through each database's own index: a weighted tsvector on PostgreSQL, FTS5 on SQLite.
The only database-vendor branch of the project lives here.

The contract, the same on both databases (tests/initiatives/test_search_contract.py):
- case and accents are ignored; every term must match (in any of the entry's texts);
- a term matches whole words or word prefixes ("geocomm" finds "géocommuns", "IGN" finds IGN
  and never "enseigné"); a final s or x is optional ("logiciels" finds "logiciel");
- the entry's names, acronyms and aliases rank first, an exact name or acronym above all;
- typos are looked for only when nothing matches as typed, and the results are then marked
  approximate (`is_approximate()`), so that pages and the API can say so.
"""

import functools
import re
import unicodedata

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Lower
from django.db.models.lookups import GreaterThan
from django.dispatch import receiver

from communs.models import SearchDocument

# Longer queries are cut: nobody types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Below this similarity a name is not taken as a typo of the query. Lower than pg_trgm's default
# (0.6), which misses one wrong letter in a short name ("Wikipdia": 0.58); typos are only looked
# for when nothing matches as typed.
TRIGRAM_THRESHOLD = 0.45
# An exact name, acronym or alias ranks above any other match.
EXACT_NAME_BONUS = 1000.0


def fold(text: str) -> str:
    """Lower-case, accent-free form used for comparisons ("Géocommuns" -> "geocommuns")."""
    # SQLite calls it for every row a duplicate check compares (an import runs thousands of checks
    # over the same names): short texts, names, are worked out once; documents are not kept.
    if text and len(text) <= 200:
        return _fold_name(text)
    return _fold(text)


@functools.lru_cache(maxsize=65536)
def _fold_name(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def clean_query(text) -> str:
    """Keep letters, digits and a few joiners; quotes, operators and emoji become spaces."""
    text = (text or "")[: MAX_QUERY_LENGTH * 4]
    text = re.sub(r"[^\w\s'’\-.]", " ", text, flags=re.UNICODE)
    text = re.sub(r"[_\s]+", " ", text).strip(" -.'’")
    return text[:MAX_QUERY_LENGTH]


def terms_of(text: str) -> list[str]:
    terms = [t.strip("-.'’") for t in re.split(r"[\s'’]+", fold(text))]
    return [t for t in terms if t][:MAX_TERMS]


@functools.lru_cache(maxsize=65536)  # as fold(): the same names are compared again and again
def _trigrams(text: str) -> frozenset[str]:
    # pg_trgm's rule: lower-cased words of letters and digits, each padded with two spaces in
    # front and one behind, cut into overlapping three-character pieces.
    grams = set()
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all trigrams of both texts."""
    first, second = _trigrams(a), _trigrams(b)
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs):
    # SQLite has neither unaccent() nor pg_trgm's similarity(): give it the same functions in
    # Python, deterministic so that SQLite may use them in indexes. Code above the database
    # layer (duplicate warnings) then writes one query for both backends.
    if connection.vendor == "sqlite":
        connection.connection.create_function("unaccent", 1, fold, deterministic=True)
        connection.connection.create_function("similarity", 2, trigram_similarity, deterministic=True)
    elif connection.vendor == "postgresql":
        # The typo search's `<%` operator (indexed) compares with this session setting.
        with connection.cursor() as cursor:
            cursor.execute(f"SET pg_trgm.word_similarity_threshold = {TRIGRAM_THRESHOLD}")


class Unaccent(Func):
    """unaccent(lower(x)) on both backends (a Python function on SQLite, see above)."""

    function = "unaccent"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(Coalesce(expression, Value(""), output_field=TextField())), **extra)


def searched_fields(model):
    """The model's `search_fields`: (lookup, weight) pairs, weight A for the names that rank first
    (communs/search_index.py builds the search documents from them)."""
    try:
        return model.search_fields
    except AttributeError:
        raise TypeError(f"search() does not know {model.__name__}: give it search_fields") from None


def words_of(text) -> list[str]:
    """The query's words, folded: letters and digits only (nothing reaches the index's own query
    syntax); one-letter words are dropped when longer ones remain."""
    words = list(dict.fromkeys(re.findall(r"[^\W_]+", fold(clean_query(text)))))
    longer = [word for word in words if len(word) > 1]
    return (longer or words)[:MAX_TERMS]


def searches_anything(text) -> bool:
    """Whether search() would filter on `text` (an empty or punctuation-only query does not)."""
    return bool(words_of(text))


def _stem(word):
    # The light stemming of both databases: a final plural mark is optional ("logiciels").
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


class DocumentColumn(Expression):
    """A column of the entry's search document, through its GenericRelation (one join per query,
    shared by the match and the rank). `vector` and `rank_vector` exist on PostgreSQL only
    (migrations communs/0001 and 0004)."""

    def __init__(self, column, output_field=None):
        super().__init__(output_field=output_field or TextField())
        self.column = column
        self.source = F("search_documents__id")

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, exprs):
        (self.source,) = exprs

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.source.alias)}.{connection.ops.quote_name(self.column)}", []


class Operator(Func):
    """`left <operator> right` as a boolean condition."""

    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, left, operator, right):
        super().__init__(left, right, arg_joiner=f" {operator} ")


class TsQuery(Expression):
    """PostgreSQL: each word as its French stem or a prefix of its plain form ("geocomm", and stop
    words such as "des", which only the plain part of the vector holds); all words must match."""

    output_field = TextField()

    def __init__(self, words):
        super().__init__()
        self.words = words

    def as_sql(self, compiler, connection):
        one = "(plainto_tsquery('french_unaccent'::regconfig, %s) || to_tsquery('simple'::regconfig, %s))"
        params = [value for word in self.words for value in (word, f"{_stem(word)}:*")]
        return "(" + " && ".join([one] * len(self.words)) + ")", params


class FtsMatch(Expression):
    """SQLite: the rowids of the documents matching an FTS5 query."""

    def __init__(self, query):
        super().__init__()
        self.query = query

    def as_sql(self, compiler, connection):
        return "SELECT rowid FROM communs_searchdocument_fts WHERE communs_searchdocument_fts MATCH %s", [self.query]


COLUMN_WEIGHTS = (("title", 10.0), ("keywords", 4.0), ("body", 1.0))


def column_rank(words):
    """SQLite: a cheap relevance read from the document's own columns: per word, 10 when the names
    hold it, 4 the keywords, 1 the texts. (bm25() would run the full-text query again for each
    matching row; this reads the row the join already has.)"""
    rank = Value(0.0)
    for word in words:
        for column, weight in COLUMN_WEIGHTS:
            found = Func(DocumentColumn(column), Value(_stem(word)), function="instr", output_field=FloatField())
            rank = rank + Case(When(GreaterThan(found, 0), then=Value(weight)), default=Value(0.0))
    return ExpressionWrapper(rank, output_field=FloatField())


def fts_query(words):
    """SQLite: each word as a prefix of its stem, all words required (words are letters and digits)."""
    return " AND ".join(f'"{_stem(word)}"*' for word in words)


def is_approximate(queryset) -> bool:
    """Whether search() found `queryset`'s entries by typo tolerance (nothing matched as typed)."""
    flag = queryset.query.annotations.get("search_approximate")
    return bool(getattr(flag, "value", False))


def search(queryset, text, typos=True):
    """Filter `queryset` to the entries matching `text`, annotated with `search_rank` (higher
    first) and `search_approximate`.

    An empty or meaningless query returns the queryset unchanged (with rank 0). Without `typos`,
    nothing is looked for beyond the words as typed.
    """
    words = words_of(text)
    if not words:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    searched_fields(queryset.model)
    entries = queryset
    queryset = queryset.alias(
        _doc_id=F("search_documents__id"),
        _doc_title=DocumentColumn("title"),
        _doc_lines=Concat(Value("\n"), F("_doc_title"), Value("\n"), output_field=TextField()),
    )
    if connection.vendor == "postgresql":
        queryset = queryset.alias(_doc_vector=DocumentColumn("vector", SearchVectorField()))
        as_typed = queryset.filter(Operator(F("_doc_vector"), "@@", TsQuery(words)))
        # Ranked by the small vector of names and keywords (migration communs/0004): reading the
        # full one for every match cost more than the match itself.
        rank_vector = DocumentColumn("rank_vector", SearchVectorField())
        rank = Func(rank_vector, TsQuery(words), function="ts_rank", output_field=FloatField())
    else:
        as_typed = queryset.filter(_doc_id__in=FtsMatch(fts_query(words)))
        rank = column_rank(words)
    if not typos or _matches_anything(entries, as_typed, words):
        # The words stay with the queryset (an alias, never selected) for ranked_page() below.
        as_typed = as_typed.alias(search_words=Value(" ".join(words), output_field=TextField()))
        return _ranked(as_typed, rank, words, approximate=False)
    return _typos(queryset, words)


# Past this many candidates, ranked_page() leaves the page to the joined query.
RANKED_PAGE_MAX_CANDIDATES = 1000


def ranked_page(entries, bottom, top):
    """The rows of `entries[bottom:top]`, a search in relevance order, or None when the page is
    better read the usual way (another order, typo matches, a page deeper than the candidates).

    The joined query ranks every match and joins each to its entry before keeping a page: for a
    word found in 5 % of 100,000 entries, 4,800 lookups and their rows cost three times the
    ranking itself. Here the documents alone give the best candidates (rank, then title and key:
    the order the joined query uses too, see communs.filters), and one query by key reads those
    of `entries` (published, other filters). When too few of them are there (drafts, a narrow
    filter), four times as many candidates are checked, up to RANKED_PAGE_MAX_CANDIDATES.
    """
    words = entries.query.annotations.get("search_words")
    if words is None or not _ordered_by_relevance(entries) or top > RANKED_PAGE_MAX_CANDIDATES:
        return None
    sql, params = _ranked_documents_sql(entries.model, words.value.split(" "))
    unordered = entries.order_by()
    wanted = top
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, wanted])
            candidates = [row[0] for row in cursor.fetchall()]
        complete = len(candidates) < wanted  # every match is a candidate
        if wanted == top:  # the first try reads the rows themselves: most often, they are the page
            rows = {row.pk: row for row in unordered.filter(pk__in=candidates)}
            if len(rows) >= top or complete:
                return [rows[pk] for pk in candidates if pk in rows][bottom:top]
        else:
            kept = set(unordered.filter(pk__in=candidates).values_list("pk", flat=True))
            found = [pk for pk in candidates if pk in kept]
            if len(found) >= top or complete:
                page = found[bottom:top]
                rows = {row.pk: row for row in unordered.filter(pk__in=page)}
                return [rows[pk] for pk in page]
        if wanted >= RANKED_PAGE_MAX_CANDIDATES:
            return None
        wanted = min(wanted * 4, RANKED_PAGE_MAX_CANDIDATES)


def _ranked_documents_sql(model, words):
    """(sql, params) of the keys of `model`'s documents matching `words`, best first, the limit a
    last parameter: the rank of search() computed on the documents alone."""
    content_type = ContentType.objects.get_for_model(model)
    if connection.vendor == "postgresql":
        tsquery, tsquery_params = TsQuery(words).as_sql(None, connection)
        match, match_params = f"vector @@ {tsquery}", tsquery_params
        rank, rank_params = f"ts_rank(rank_vector, {tsquery})", tsquery_params
    else:
        match = "id IN (SELECT rowid FROM communs_searchdocument_fts WHERE communs_searchdocument_fts MATCH %s)"
        match_params = [fts_query(words)]
        # column_rank(), column by column.
        weights = [(column, weight, _stem(word)) for word in words for column, weight in COLUMN_WEIGHTS]
        rank = " + ".join(
            f"CASE WHEN instr({column}, %s) > 0 THEN {weight} ELSE 0.0 END" for column, weight, _ in weights
        )
        rank_params = [stem for _, _, stem in weights]
    exact = "CASE WHEN (%s || title || %s) LIKE %s THEN %s ELSE 0.0 END"
    sql = (
        f"SELECT object_id FROM {SearchDocument._meta.db_table} WHERE content_type_id = %s AND {match} "
        f"ORDER BY ({rank}) + {exact} DESC, title, object_id LIMIT %s"
    )
    exact_params = ["\n", "\n", f"%\n{' '.join(words)}\n%", EXACT_NAME_BONUS]
    return sql, [content_type.pk, *match_params, *rank_params, *exact_params]


class SearchPaginator(Paginator):
    """Django's paginator, reading a page of ranked search results through ranked_page()."""

    def _get_page(self, object_list, *args, **kwargs):
        if isinstance(object_list, QuerySet):
            rows = ranked_page(self.object_list, object_list.query.low_mark, object_list.query.high_mark)
            if rows is not None:
                object_list = rows
        return super()._get_page(object_list, *args, **kwargs)


def _ordered_by_relevance(entries):
    return [str(field) for field in entries.query.order_by][:2] == ["-search_rank", "_doc_title"]


# How many matching documents _matches_anything() looks up before all of them.
MATCH_PROBE = 50


def _matches_anything(entries, as_typed, words):
    """Whether any of `entries` matches the words as typed (else typos are looked for)."""
    if connection.vendor != "postgresql":
        return as_typed.exists()
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


def _ranked(queryset, rank, words, approximate):
    exact = Case(
        When(_doc_lines__contains=f"\n{' '.join(words)}\n", then=Value(EXACT_NAME_BONUS)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return queryset.annotate(
        search_rank=rank + exact, search_approximate=Value(approximate, output_field=BooleanField())
    )


def _typos(queryset, words):
    """Nothing matches as typed: the entries whose names are close to the query."""
    phrase = " ".join(words)
    if connection.vendor == "postgresql":
        # `<%`: word similarity above the session's threshold, through the title's trigram index.
        close = queryset.filter(Operator(Value(phrase), "<%%", F("_doc_title")))
        rank = Func(Value(phrase), F("_doc_title"), function="word_similarity", output_field=FloatField())
        return _ranked(close, rank, words, approximate=True)
    corrected = [_closest_title_word(word) or word for word in words]
    if corrected == words:
        return _ranked(queryset.none(), Value(0.0), words, approximate=True)
    query = fts_query(corrected)
    close = queryset.filter(_doc_id__in=FtsMatch(query))
    return _ranked(close, column_rank(corrected), corrected, approximate=True)


def _closest_title_word(word):
    """SQLite: the word of the titles' vocabulary closest to `word`, if close enough."""
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
