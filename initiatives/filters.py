"""One FilterSet per listing, shared by the site's pages and the API.

The query-string names defined here are the public contract of both: the same
query string gives the same entries on /initiatives/ and /api/v1/initiatives/.
"""

import datetime

import django_filters
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from taggit.models import Tag

from actors.models import Actor
from initiatives.models import FundingEdition, FundingScheme, Initiative, Involvement, Sector, Territory
from initiatives.search import search, searches_anything


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
        "relevance": ("-search_rank", "name"),
        "name": ("name",),
        "-name": ("-name",),
        "-updated_at": ("-updated_at", "name"),
        "updated_at": ("updated_at", "name"),
    }

    q = django_filters.CharFilter(label="Recherche", method="filter_q", max_length=10_000)
    ORDERING_CHOICES = [
        ("relevance", "Pertinence"),
        ("name", "Nom (A → Z)"),
        ("-name", "Nom (Z → A)"),
        ("-updated_at", "Dernière mise à jour"),
        ("updated_at", "Plus ancienne mise à jour"),
    ]

    ordering = django_filters.ChoiceFilter(
        label="Trier par", choices=ORDERING_CHOICES, method="filter_ordering", empty_label=None
    )
    updated_since = UtcIsoDateTimeFilter(label="Modifié depuis (ISO 8601)", field_name="updated_at", lookup_expr="gte")

    def filter_q(self, queryset, name, value):
        return search(queryset, value)

    def filter_ordering(self, queryset, name, value):
        # Applied last in filter_queryset below, once search_rank may exist.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or (
            "relevance" if self.form.cleaned_data.get("q") else "name"
        )
        if ordering == "relevance" and "search_rank" not in queryset.query.annotations:
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

    def queryset_without(self, name):
        """The entries matching every valid filter except `name`, unordered.

        A facet's counts say what ticking one of its options would give with the
        *other* active filters, so they are computed on this queryset. The form is
        validated once; only its cleaned data is narrowed.
        """
        self.errors  # noqa: B018 -- validates the form, filling cleaned_data
        cleaned = self.form.cleaned_data
        self.form.cleaned_data = {key: value for key, value in cleaned.items() if key not in (name, "q")}
        try:
            # django-filter's own filter_queryset: filters only, without the ordering above.
            queryset = django_filters.FilterSet.filter_queryset(self, self.queryset.all())
        finally:
            self.form.cleaned_data = cleaned
        if name != "q" and searches_anything(cleaned.get("q")):
            queryset = queryset.filter(pk__in=self.search_matches())
        return queryset.order_by()


# django-filter matches a ModelMultipleChoiceFilter's `to_field_name` value against
# `field_name`, so the field names below end with the slug or code they compare.


class InitiativeFilter(SearchOrderingMixin):
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", field_name="sectors__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Initiative.Kind.choices)
    actor = django_filters.ModelMultipleChoiceFilter(
        label="Acteur", to_field_name="slug", queryset=Actor.objects.published(), method="filter_involvement"
    )
    role = django_filters.MultipleChoiceFilter(
        label="Rôle", choices=Involvement.Role.choices, method="filter_involvement"
    )
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territories__code", to_field_name="code", queryset=Territory.objects.all()
    )
    development_status = django_filters.MultipleChoiceFilter(label="État", choices=Initiative.DevelopmentStatus.choices)
    funding_scheme = django_filters.ModelMultipleChoiceFilter(
        label="Financement",
        to_field_name="slug",
        queryset=FundingScheme.objects.published(),
        field_name="awards__edition__scheme__slug",
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label="Mot-clé", field_name="tags__slug", to_field_name="slug", queryset=Tag.objects.all()
    )
    scope = django_filters.MultipleChoiceFilter(
        label="Échelle", field_name="territorial_scope", choices=Initiative.Scope.choices
    )

    class Meta:
        model = Initiative
        fields = []

    def filter_involvement(self, queryset, name, value):
        # Actor and role name the same involvement: "IGN as funder", not "IGN in any
        # role, and some funder". Both filters call this; the work is done once.
        data = self.form.cleaned_data
        actors, roles = data.get("actor"), data.get("role")
        if name == "role" and actors:
            return queryset
        # django-filter calls a method even for an empty ModelMultipleChoice value (an empty
        # queryset is not in its EMPTY_VALUES): no actor and no role means no filter.
        if not actors and not roles:
            return queryset
        condition = Q()
        if actors:
            condition &= Q(actor__in=actors)
        if roles:
            condition &= Q(role__in=roles)
        return queryset.filter(pk__in=Involvement.objects.filter(condition).values("initiative_id"))


class ActorFilter(SearchOrderingMixin):
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Actor.Kind.choices)
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territory__code", to_field_name="code", queryset=Territory.objects.all()
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", to_field_name="slug", queryset=Sector.objects.all(), method="filter_sector"
    )
    role = django_filters.MultipleChoiceFilter(label="Rôle", choices=Involvement.Role.choices, method="filter_role")

    class Meta:
        model = Actor
        fields = []

    def filter_sector(self, queryset, name, value):
        if not value:  # called even when empty, see filter_involvement
            return queryset
        involved = Involvement.objects.filter(
            initiative__sectors__in=value,
            initiative__publication_status=Initiative.PublicationStatus.PUBLISHED,
        )
        return queryset.filter(pk__in=involved.values("actor_id"))

    def filter_role(self, queryset, name, value):
        # Only roles in published initiatives: a draft must not show through the filter.
        involved = Involvement.objects.filter(
            role__in=value, initiative__publication_status=Initiative.PublicationStatus.PUBLISHED
        )
        return queryset.filter(pk__in=involved.values("actor_id"))


class FundingSchemeFilter(SearchOrderingMixin):
    class Availability:
        OPEN = "open"
        RECURRING = "recurring"
        CLOSED = "closed"
        CHOICES = [(OPEN, "Ouvert maintenant"), (RECURRING, "Récurrent"), (CLOSED, "Clos")]

    ORDERINGS = {
        **SearchOrderingMixin.ORDERINGS,
        # Open calls first, the one closing soonest on top; then the others by name.
        "deadline": (F("next_closes_on").asc(nulls_last=True), "name"),
    }

    ordering = django_filters.ChoiceFilter(
        label="Trier par",
        choices=[
            SearchOrderingMixin.ORDERING_CHOICES[0],
            ("deadline", "Date limite la plus proche"),
            *SearchOrderingMixin.ORDERING_CHOICES[1:],
        ],
        method="filter_ordering",
        empty_label=None,
    )
    availability = django_filters.MultipleChoiceFilter(
        label="Disponibilité", choices=Availability.CHOICES, method="filter_availability"
    )
    beneficiary = django_filters.MultipleChoiceFilter(
        label="Bénéficiaire", choices=FundingScheme.Beneficiary.choices, method="filter_beneficiary"
    )
    kind = django_filters.MultipleChoiceFilter(label="Type de soutien", choices=FundingScheme.Kind.choices)
    operator = django_filters.ModelMultipleChoiceFilter(
        label="Opérateur", field_name="operators__slug", to_field_name="slug", queryset=Actor.objects.published()
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", field_name="sectors__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territory__code", to_field_name="code", queryset=Territory.objects.all()
    )

    class Meta:
        model = FundingScheme
        fields = []

    @staticmethod
    def next_closes_on(today=None):
        """The closing date of the scheme's next edition still open to applications."""
        today = today or timezone.localdate()
        editions = FundingEdition.objects.filter(scheme=OuterRef("pk"), closes_on__gte=today).order_by("closes_on")
        return Subquery(editions.values("closes_on")[:1])

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("ordering") == "deadline":
            queryset = queryset.annotate(next_closes_on=self.next_closes_on())
        return super().filter_queryset(queryset)

    @staticmethod
    def open_now_condition(today=None):
        """Open now: the scheme says so, or one of its editions is between its dates."""
        today = today or timezone.localdate()
        return Q(status=FundingScheme.Status.OPEN) | Q(editions__opens_on__lte=today, editions__closes_on__gte=today)

    def filter_availability(self, queryset, name, value):
        condition = Q()
        if self.Availability.OPEN in value:
            open_pks = FundingScheme.objects.filter(self.open_now_condition()).values("pk")
            condition |= Q(pk__in=open_pks)
        if self.Availability.RECURRING in value:
            condition |= Q(status=FundingScheme.Status.RECURRING)
        if self.Availability.CLOSED in value:
            condition |= Q(status=FundingScheme.Status.CLOSED)
        return queryset.filter(condition)

    def filter_beneficiary(self, queryset, name, value):
        condition = Q()
        for code in value:
            condition |= Q(**{f"eligible_{code}": True})
        return queryset.filter(condition)


class ArchivedFilter(django_filters.FilterSet):
    """Archived entries for the API's `…/archived/` lists: what a synced copy must remove."""

    updated_since = UtcIsoDateTimeFilter(
        label="Archivé depuis (ISO 8601)", field_name="status_changed_at", lookup_expr="gte"
    )
