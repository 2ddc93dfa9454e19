"""The one search entry point of the directory.

`search(queryset, text)` filters and ranks initiatives, actors or funding schemes.
Both database backends ignore accents and case; PostgreSQL adds French stemming,
ranking by field weight and typo tolerance (pg_trgm). The only database-vendor
branch of the project lives here.
"""

import re
import unicodedata

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Case, Exists, Expression, F, FloatField, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower
from django.dispatch import receiver

# Longer queries are cut: nobody types more, and it bounds the work per request.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
# Below this word similarity a name is not taken as a typo of the query. Lower than pg_trgm's
# default (0.6), which misses one wrong letter in a short name ("Wikipdia": 0.58); typos are only
# looked for when nothing matches as typed (see _search_postgresql).
TRIGRAM_THRESHOLD = 0.45


def fold(text: str) -> str:
    """Lower-case, accent-free form used for comparisons ("Géocommuns" -> "geocommuns")."""
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


def _trigrams(text: str) -> set[str]:
    # pg_trgm's rule: lower-cased words of letters and digits, each padded with two spaces in
    # front and one behind, cut into overlapping three-character pieces.
    grams = set()
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


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


class Unaccent(Func):
    """unaccent(lower(x)) on both backends (a Python function on SQLite, see above)."""

    function = "unaccent"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(Coalesce(expression, Value(""), output_field=TextField())), **extra)


def searched_fields(model):
    """The model's `search_fields`: (lookup, weight) pairs, weight A for the name-like fields that
    rank first. Own fields (no "__") are also those of the PostgreSQL generated search columns."""
    try:
        return model.search_fields
    except AttributeError:
        raise TypeError(f"search() does not know {model.__name__}: give it search_fields") from None


def searches_anything(text) -> bool:
    """Whether search() would filter on `text` (an empty or punctuation-only query does not)."""
    return bool(terms_of(clean_query(text)))


def search(queryset, text):
    """Filter `queryset` to the entries matching `text`, annotated with `search_rank`.

    An empty or meaningless query returns the queryset unchanged (with rank 0).
    """
    query = clean_query(text)
    terms = terms_of(query)
    if not terms:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    fields = searched_fields(queryset.model)
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, query, terms, fields)
    return _search_portable(queryset, terms, fields)


def _public_text(model, lookup):
    """F(lookup), or "" on the rows where the path goes through an entry the public may not see:
    a draft actor's name must not make its published initiatives match."""
    from communs.models import Publishable, visible_q

    parts = lookup.split("__")
    condition, current = Q(), model
    for depth, name in enumerate(parts[:-1], start=1):
        current = current._meta.get_field(name).related_model
        if issubclass(current, Publishable):
            condition &= visible_q(current, prefix="__".join(parts[:depth]) + "__")
    if not condition:
        return F(lookup)
    # One annotate() reuses the join of the condition for the value: same related row.
    return Case(When(condition, then=F(lookup)), default=Value(""), output_field=TextField())


def _containing_all_terms(model, folded_texts, terms):
    """The pks of the entries where every term appears in at least one of the folded texts."""
    folded = {f"_fold_{i}": text for i, text in enumerate(folded_texts)}
    condition = Q()
    for term in terms:
        condition &= Q(*[Q(**{f"{name}__contains": term}) for name in folded], _connector=Q.OR)
    # Related fields (tags, actors) multiply rows; a pk subquery keeps one row per entry.
    return model._base_manager.annotate(**folded).filter(condition).values("pk")


def _search_portable(queryset, terms, fields):
    model = queryset.model
    pks = _containing_all_terms(model, [Unaccent(_public_text(model, lookup)) for lookup, _ in fields], terms)
    phrase = " ".join(terms)
    name_rank = Case(
        When(Q(_name_fold=phrase), then=Value(3)),
        When(Q(_name_fold__startswith=phrase), then=Value(2)),
        When(Q(_name_fold__contains=phrase), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(pk__in=pks)
        .annotate(_name_fold=Unaccent(F("name")))
        .annotate(search_rank=name_rank * Value(1.0, output_field=FloatField()))
    )


class StoredColumn(Expression):
    """A column of the entry's table that the models do not know: the generated search columns
    of the PostgreSQL-only migrations initiatives/0004 (`search_document`, the own fields as a
    weighted tsvector) and 0005 (`search_text`, the own fields folded), both indexed."""

    def __init__(self, column, output_field):
        super().__init__(output_field=output_field)
        self.column = column

    def as_sql(self, compiler, connection):
        # The base table of the query being compiled: the main query or a subquery's relabelled alias.
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(self.column)}", []


def _search_postgresql(queryset, query, terms, fields):
    model = queryset.model
    vector = StoredColumn("search_document", SearchVectorField())
    related = [_public_text(model, lookup) for lookup, _ in fields if "__" in lookup]
    related_vector = SearchVector(*related, config="french_unaccent")
    ts_query = SearchQuery(" ".join(terms), config="french_unaccent", search_type="plain")
    folded_query = " ".join(terms)

    # Stemmed full-text match on the entry's own fields or on its related names,
    # plain accent-free substring match (acronyms, prefixes), or a close typo of the name.
    stemmed = model._base_manager.annotate(_v=vector).filter(_v=ts_query).values("pk")
    stemmed_related = model._base_manager.annotate(_rv=related_vector).filter(_rv=ts_query).values("pk")
    substring = _containing_all_terms(
        model,
        [StoredColumn("search_text", TextField())] + [Unaccent(text) for text in related],
        terms,
    )
    typo = (
        model._base_manager.annotate(_sim=TrigramWordSimilarity(folded_query, Unaccent(F("name"))))
        .filter(_sim__gte=TRIGRAM_THRESHOLD)
        .values("pk")
    )
    # Typos only when nothing matches as typed: "geocommuns" must not bring every "… des communs"
    # along (word similarity 0.55), while "Decidm" alone finds Decidim.
    as_typed = Q(pk__in=stemmed) | Q(pk__in=stemmed_related) | Q(pk__in=substring)
    matches = as_typed | (Q(pk__in=typo) & ~Exists(queryset.order_by().filter(as_typed).values("pk")))
    return queryset.filter(matches).annotate(
        search_rank=Greatest(
            SearchRank(vector, ts_query, normalization=Value(1)),
            TrigramWordSimilarity(folded_query, Unaccent(F("name"))) * Value(0.5),
            output_field=FloatField(),
        )
    )
