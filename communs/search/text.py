"""What both databases' search shares: the folding of texts and queries, pg_trgm's similarity in
Python, the expressions that read a search document's columns, and the exact-name bonus."""

import functools
import re
import unicodedata

from django.db.models import BooleanField, Case, Expression, F, FloatField, Func, TextField, Value, When
from django.db.models.functions import Coalesce, Lower

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


def words_of(text) -> list[str]:
    """The query's words, folded: letters and digits only (nothing reaches the index's own query
    syntax); one-letter words are dropped when longer ones remain."""
    words = list(dict.fromkeys(re.findall(r"[^\W_]+", fold(clean_query(text)))))
    longer = [word for word in words if len(word) > 1]
    return (longer or words)[:MAX_TERMS]


def stem(word):
    """The light stemming of both databases: a final plural mark is optional ("logiciels")."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


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


class Unaccent(Func):
    """unaccent(lower(x)) on both backends (a Python function on SQLite: communs/search/sqlite.py)."""

    function = "unaccent"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(Lower(Coalesce(expression, Value(""), output_field=TextField())), **extra)


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


def ranked(queryset, rank, words, approximate):
    """`queryset` annotated with its rank, an exact name, acronym or alias above every other match."""
    exact = Case(
        When(_doc_lines__contains=f"\n{' '.join(words)}\n", then=Value(EXACT_NAME_BONUS)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return queryset.annotate(
        search_rank=rank + exact, search_approximate=Value(approximate, output_field=BooleanField())
    )


# Knuth's multiplicative hash: a sample of the matches (communs.filters.sampled) follows no period
# of the keys (entries imported in cycles, every fourth a dataset…), as `pk % step` would.
SAMPLE_HASH, SAMPLE_MODULUS = 2654435761, 2**32
