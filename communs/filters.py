"""The base of every listing's FilterSet: search, ordering, `updated_since` and the facets' counts.

Each listing has one FilterSet (initiatives/filters.py, actors/filters.py, funding/filters.py),
shared by the site's page and the API: the same query string gives the same entries on both.
"""

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from communs.search import search, searches_anything


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """Compares in UTC: ISO 8601 allows offsets (-19:41) that PostgreSQL refuses in a query."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(datetime.UTC)
            except (OverflowError, ValueError):  # year 1 at +14:00: before any entry
                return qs
        return super().filter(qs, value)


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
        """The pks of the entries a facet on `name` counts (see queryset_without)."""
        return self.queryset_without(name).values("pk")

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
            queryset = queryset.filter(pk__in=self.search_matches())
        return queryset.order_by()


class ArchivedFilter(django_filters.FilterSet):
    """Archived entries for the API's `…/archived/` lists: what a synced copy must remove."""

    updated_since = UtcIsoDateTimeFilter(
        label=_("Archivé depuis (ISO 8601)"), field_name="status_changed_at", lookup_expr="gte"
    )
