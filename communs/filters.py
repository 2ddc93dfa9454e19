"""The base of every listing's FilterSet: search, ordering, `updated_since` and the facets' counts.

Each listing has one FilterSet (initiatives/filters.py, actors/filters.py, funding/filters.py),
shared by the site's page and the API: the same query string gives the same entries on both.
"""

import contextlib
import datetime

import django_filters
from django.core.exceptions import EmptyResultSet
from django.db.models import F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Mod
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from communs.search import search, searches_anything
from communs.search.text import SAMPLE_HASH, SAMPLE_MODULUS


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Compares in UTC: ISO 8601 allows offsets (-19:41) that PostgreSQL refuses in a query."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except (OverflowError, ValueError):  # year 1 at +14:00: before any entry
                return qs
        return super().filter(qs, value)


def compiled_or_nothing(queryset):
    """(sql, params) of a one-column queryset, or of a query of no row when Django knows it is empty
    (`.none()`, an empty list of keys), which it refuses to compile."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT 0 WHERE 1 = 0", []


def sampled(queryset, step):
    """About one entry in `step` of `queryset`, the same ones on every request."""
    spread = Mod(F("pk") * Value(SAMPLE_HASH), Value(SAMPLE_MODULUS))
    return queryset.alias(_facet_sample=Mod(spread, Value(step))).filter(_facet_sample=0)


class SearchOrderingMixin(django_filters.FilterSet):
    """`q` through the one search() entry point, and `ordering` with relevance first."""

    ORDERINGS = {
        # Ties on the rank by the document's title (the folded names): the order that
        # communs.search.ranked_page() reads from the documents alone.
        "relevance": ("-search_rank", "_doc_title"),
        "name": ("name",),
        "-name": ("-name",),
        "-updated_at": ("-updated_at", "name"),
        "updated_at": ("updated_at", "name"),
    }

    # A listing's order when nothing is searched nor chosen.
    DEFAULT_ORDERING = "name"
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_q", max_length=10_000)
    ORDERING_CHOICES = [
        ("relevance", _("Pertinence")),
        ("name", _("Nom (A → Z)")),
        ("-name", _("Nom (Z → A)")),
        ("-updated_at", _("Dernière mise à jour")),
        ("updated_at", _("Plus ancienne mise à jour")),
    ]

    ordering = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=ORDERING_CHOICES, method="filter_ordering", empty_label=None
    )
    updated_since = UtcIsoDateTimeFilter(
        label=_("Modifié depuis (ISO 8601)"), field_name="updated_at", lookup_expr="gte"
    )

    def filter_q(self, queryset, name, value):
        return search(queryset, value)

    def filter_ordering(self, queryset, name, value):
        # Applied last in filter_queryset below, once search_rank may exist.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or (
            "relevance" if self.form.cleaned_data.get("q") else self.DEFAULT_ORDERING
        )
        if ordering == "relevance" and "_doc_title" not in queryset.query.annotations:  # nothing searched
            ordering = "name"
        return queryset.order_by(*self.ORDERINGS[ordering], "pk")

    # Above this many matches the facets run the search as a subquery again rather than
    # send the list of matches (PostgreSQL takes at most 65,535 parameters per query).
    MAX_MATCHES_AS_LIST = 10_000

    def search_matches(self):
        """The pks that the text query matches, found once per request for all the facets.

        Every facet count combines the search with other filters; running the search once
        and passing its matches makes a search page several times faster than running it
        in each facet's query (see benchmarks/search_and_lists.py).
        """
        if not hasattr(self, "_search_matches"):
            matches = search(self.queryset.all(), self.form.cleaned_data["q"]).order_by().values("pk")
            pks = list(matches.values_list("pk", flat=True)[: self.MAX_MATCHES_AS_LIST + 1])
            self._search_matches = matches if len(pks) > self.MAX_MATCHES_AS_LIST else pks
        return self._search_matches

    # The facets of the list page (communs.listing), declared by each listing next to its filters.
    facets = []

    def within(self, name):
        """The pks of the entries a facet on `name` counts (see queryset_without).

        Inside facet_statement(), a facet whose own filter is not active counts the entries of
        every filter, read from the statement's CTE `facet_matches`, and every facet counts a
        sample when the statement asks for one.
        """
        statement = getattr(self, "_facet_statement", None)
        if statement and not self.narrows(name):
            # The keys themselves, for `…__in=`: no join back to the entries' table in each facet.
            return RawSQL("SELECT pk FROM facet_matches", [])
        queryset = self.queryset_without(name)
        if statement and statement["step"] > 1:
            queryset = sampled(queryset, statement["step"])
        return queryset.values("pk")

    def narrows(self, name):
        """Whether the filter `name` is active: without it, the facet on `name` counts the entries
        of every filter."""
        self.errors  # noqa: B018 -- validates the form once, filling cleaned_data
        if name is None:
            return False
        value = self.form.cleaned_data.get(name)
        # An empty multiple choice of entries (sectors, actors) is an empty queryset, not [].
        if isinstance(value, QuerySet):
            return not value.query.is_empty()
        return value not in EMPTY_VALUES

    @contextlib.contextmanager
    def facet_statement(self, step=1):
        """Facets described inside this block read the matches from CTEs (within): yields the CTEs
        [(name, sql, params)] that communs.listing.count_facets puts before its one statement,
        `facet_search` the search's matches, `facet_matches` the entries of every filter, about
        one in `step` of them when `step` > 1 (sampled())."""
        self.errors  # noqa: B018
        ctes = []
        self._facet_statement = {"step": 1}
        try:
            if searches_anything(self.form.cleaned_data.get("q")):
                matches = search(self.queryset.all(), self.form.cleaned_data["q"]).order_by().values("pk")
                ctes.append(("facet_search", *compiled_or_nothing(matches)))
            self._facet_statement = {"step": step, "search": bool(ctes)}
            # Compiled with the statement on: the search is read from facet_search.
            matching = self.queryset_without(None)
            if step > 1:
                matching = sampled(matching, step)
            ctes.append(("facet_matches", *compiled_or_nothing(matching.values("pk"))))
            yield ctes
        finally:
            self._facet_statement = None

    def apply_filters(self, queryset, skip=()):
        """`queryset` narrowed by each valid filter whose name is not in `skip`, unordered.

        Each filter is its own condition, applied by name (what django-filter's filter_queryset
        does for all of them): a facet leaves its own out without touching the form.
        """
        for name, value in self.form.cleaned_data.items():
            if name not in skip:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def queryset_without(self, name):
        """The entries matching every valid filter except `name`, unordered.

        A facet's counts say what ticking one of its options would give with the *other* active
        filters, so they are computed on this queryset. The text query is applied through its
        matches, found once for all the facets (search_matches).
        """
        self.errors  # noqa: B018 -- validates the form once, filling cleaned_data
        queryset = self.apply_filters(self.queryset.all(), skip=(name, "q", "ordering"))
        if name != "q" and searches_anything(self.form.cleaned_data.get("q")):
            statement = getattr(self, "_facet_statement", None)
            if statement and statement.get("search"):
                queryset = queryset.filter(pk__in=RawSQL("SELECT pk FROM facet_search", []))
            else:
                queryset = queryset.filter(pk__in=self.search_matches())
        return queryset.order_by()


class ArchivedFilter(django_filters.FilterSet):
    """Archived entries for the API's `…/archived/` lists: what a synced copy must remove."""

    updated_since = UtcIsoDateTimeFilter(
        label=_("Archivé depuis (ISO 8601)"), field_name="status_changed_at", lookup_expr="gte"
    )
