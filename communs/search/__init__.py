"""The one search entry point of the directory.

`search(queryset, text)` filters and ranks initiatives, actors or funding schemes through their
search documents (communs/models.py SearchDocument, kept up to date by communs/search_index.py),
read through each database's own index: a weighted tsvector on PostgreSQL (`postgres.py`), FTS5
on SQLite (`sqlite.py`). The only database-vendor branch of the project is `backend()` below,
which picks one of the two modules; `text.py` holds what they share.

The contract, the same on both databases (tests/initiatives/test_search_contract.py):
- case and accents are ignored; every term must match (in any of the entry's texts);
- a term matches whole words or word prefixes ("geocomm" finds "géocommuns", "IGN" finds IGN
  and never "enseigné"); a final s or x is optional ("logiciels" finds "logiciel");
- the entry's names, acronyms and aliases rank first, an exact name or acronym above all;
- typos are looked for only when nothing matches as typed, and the results are then marked
  approximate (`is_approximate()`), so that pages and the API can say so.
"""

import json
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.db.models import BooleanField, F, FloatField, JSONField, QuerySet, TextField, Value
from django.db.models.functions import Concat
from django.dispatch import receiver
from django.utils.functional import cached_property

from communs import search_index
from communs.models import FacetKey, SearchDocument, visible_q
from communs.search import postgres, sqlite
from communs.search.text import (  # noqa: F401 (the names other modules import from here)
    EXACT_NAME_BONUS,
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    SAMPLE_HASH,
    SAMPLE_MODULUS,
    TRIGRAM_THRESHOLD,
    DocumentColumn,
    Unaccent,
    clean_query,
    fold,
    ranked,
    terms_of,
    trigram_similarity,
    words_of,
)


def backend(vendor=None):
    """The module that searches this database: the project's one database-vendor branch."""
    return postgres if (vendor or connection.vendor) == "postgresql" else sqlite


@receiver(connection_created)
def _on_connect(sender, connection, **kwargs):
    if connection.vendor in ("postgresql", "sqlite"):
        backend(connection.vendor).on_connect(connection)


def searched_fields(model):
    """The model's `search_fields`: (lookup, weight) pairs, weight A for the names that rank first
    (communs/search_index.py builds the search documents from them)."""
    try:
        return model.search_fields
    except AttributeError:
        raise TypeError(f"search() does not know {model.__name__}: give it search_fields") from None


def searches_anything(text) -> bool:
    """Whether search() would filter on `text` (an empty or punctuation-only query does not)."""
    return bool(words_of(text))


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
    search_index.flush()  # the documents noted for rewriting in this transaction
    entries = queryset
    queryset = queryset.alias(
        _doc_id=F("search_documents__id"),
        _doc_title=DocumentColumn("title"),
        _doc_lines=Concat(Value("\n"), F("_doc_title"), Value("\n"), output_field=TextField()),
    )
    database = backend()
    as_typed, rank = database.match(queryset, words)
    if not typos or database.matches_anything(entries, as_typed, words):
        # The words stay with the queryset (an alias, never selected) for ranked_page() below.
        as_typed = as_typed.alias(search_words=Value(" ".join(words), output_field=TextField()))
        return ranked(as_typed, rank, words, approximate=False)
    return database.typos(queryset, words)


def count_facet_keys(entries, exact_max, sample_size):
    """(total, step, {facet: [(value, label…, count)]}, complete): the number of `entries` and the
    facet keys on their search documents (SearchDocument.facet_ids) counted in one pass: for each
    facet, the rows its aggregate would give. Past `exact_max` entries, the keys of about `sample_size` of them are counted: one
    in `step`, chosen as communs.filters.sampled() does. `complete` is False when a counted
    document lacks its keys or its visibility (written before they existed).

    A search as typed over the public entries is read from the documents alone (their `public`
    flag and the full-text index), without joining each match to its entry."""
    search_index.flush()
    documents = _public_documents(entries)
    if documents is None:
        keys = (
            entries.order_by()
            .annotate(
                _entry=F("pk"),
                _facet_ids=DocumentColumn("facet_ids", JSONField()),
                _public=Value(True, output_field=BooleanField()),
            )
            .values("_entry", "_facet_ids", "_public")
        )
        try:
            documents = keys.query.sql_with_params()
        except EmptyResultSet:  # Django knows there is no entry
            return 0, 1, {}, True
    sql, params = documents
    database = connections[entries.db]
    statement = backend(database.vendor).facet_key_counts_sql(sql, FacetKey._meta.db_table)
    counts, complete, total = {}, True, 0
    with database.cursor() as cursor:
        cursor.execute(statement, [*params, exact_max, SAMPLE_HASH, SAMPLE_MODULUS, sample_size, sample_size])
        for key_id, count, key in cursor.fetchall():
            if key_id == 0:  # the number of documents
                total = count
            elif key_id == -1:  # the number of documents without keys or visibility
                complete = complete and not count
            elif key is None:  # a key dropped meanwhile (rebuild_search_index)
                complete = False
            else:
                facet, value = parsed_key(key)
                counts.setdefault(facet, []).append((*value, count))
    step = -(-total // sample_size) if total > exact_max else 1
    return total, step, counts, complete


def count_public_matches(entries):
    """The number of `entries`, counted from their search documents alone (the full-text index
    and their `public` flag) when `entries` is a search as typed over the entries the public
    sees; else None. Counting through the entries looked each match up by its key: a fifth of
    100,000 entries took 90 ms, the documents alone a third of that."""
    documents = _public_documents(entries)
    if documents is None:
        return None
    sql, params = documents
    with connections[entries.db].cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE _public IS NULL) FROM ({sql}) AS documents", params)
        total, unknown = cursor.fetchone()
    # A document written before the flag existed: its entry may be a draft.
    return None if unknown else total


def count_matches(entries):
    """The number of `entries`: count_public_matches() when it applies, else a COUNT."""
    counted = count_public_matches(entries)
    return entries.count() if counted is None else counted


@lru_cache(maxsize=50_000)
def parsed_key(text):
    """(facet, (value, label…)) from a facet key's text (FacetKey.key). Kept: a search page reads
    thousands of them, the same ones from one search to the next, and parsing them took 15 ms of
    each page."""
    facet, *value = json.loads(text)
    return facet, tuple(value)


def _public_documents(entries):
    """(sql, params) of the documents of `entries` (columns `_entry`, `_facet_ids`, `_public`),
    read from the documents alone, when `entries` is exactly a search as typed over the entries
    the public sees; else None."""
    words = entries.query.annotations.get("search_words")
    if words is None:
        return None
    words = words.value.split(" ")
    model = entries.model
    public = search(model._base_manager.filter(visible_q(model)), " ".join(words), typos=False)
    if _compiled(public) is None or _compiled(public) != _compiled(entries):
        return None
    content_type = ContentType.objects.get_for_model(model)
    match, match_params, _, _ = backend().document_match_and_rank(words)
    sql = (
        f"SELECT object_id AS _entry, facet_ids AS _facet_ids, public AS _public "
        f"FROM {SearchDocument._meta.db_table} WHERE content_type_id = %s AND public IS NOT FALSE AND {match}"
    )
    return sql, [content_type.pk, *match_params]


def _compiled(entries):
    """(sql, params) of the keys of `entries`, to compare two querysets; None when Django knows it
    empty."""
    try:
        sql, params = entries.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


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
    search_index.flush()
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
    match, match_params, rank, rank_params = backend().document_match_and_rank(words)
    exact = "CASE WHEN (%s || title || %s) LIKE %s THEN %s ELSE 0.0 END"
    sql = (
        f"SELECT object_id FROM {SearchDocument._meta.db_table} WHERE content_type_id = %s AND {match} "
        f"ORDER BY ({rank}) + {exact} DESC, title, object_id LIMIT %s"
    )
    exact_params = ["\n", "\n", f"%\n{' '.join(words)}\n%", EXACT_NAME_BONUS]
    return sql, [content_type.pk, *match_params, *rank_params, *exact_params]


class SearchPaginator(Paginator):
    """Django's paginator, reading a page of ranked search results through ranked_page(), and
    counting a search over the public entries from the documents (count_public_matches())."""

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet):
            return count_matches(self.object_list)
        return super().count

    def _get_page(self, object_list, *args, **kwargs):
        if isinstance(object_list, QuerySet):
            rows = ranked_page(self.object_list, object_list.query.low_mark, object_list.query.high_mark)
            if rows is not None:
                object_list = rows
        return super()._get_page(object_list, *args, **kwargs)


def _ordered_by_relevance(entries):
    return [str(field) for field in entries.query.order_by][:2] == ["-search_rank", "_doc_title"]
