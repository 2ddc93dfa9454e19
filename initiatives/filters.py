"""One FilterSet per listing, shared by the site's pages and the API.

The query-string names defined here are the public contract of both: the same
query string gives the same entries on /initiatives/ and /api/v1/initiatives/.
"""

import django_filters
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from actors.models import Actor
from initiatives.models import FundingScheme, Initiative, Involvement, Sector, Territory
from initiatives.search import search


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
    ordering = django_filters.ChoiceFilter(
        label="Trier par",
        choices=[
            ("relevance", "Pertinence"),
            ("name", "Nom (A → Z)"),
            ("-name", "Nom (Z → A)"),
            ("-updated_at", "Dernière mise à jour"),
            ("updated_at", "Plus ancienne mise à jour"),
        ],
        method="filter_ordering",
        empty_label=None,
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label="Modifié depuis (ISO 8601)", field_name="updated_at", lookup_expr="gte"
    )

    def filter_q(self, queryset, name, value):
        return search(queryset, value)

    def filter_ordering(self, queryset, name, value):
        # Applied last in filter_queryset below, once search_rank may exist.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering") or ("relevance" if self.form.cleaned_data.get("q") else "name")
        if ordering == "relevance" and "search_rank" not in queryset.query.annotations:
            ordering = "name"
        return queryset.order_by(*self.ORDERINGS[ordering], "pk")


class InitiativeFilter(SearchOrderingMixin):
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", field_name="sectors", to_field_name="slug", queryset=Sector.objects.all()
    )
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Initiative.Kind.choices)
    actor = django_filters.ModelMultipleChoiceFilter(
        label="Acteur", to_field_name="slug", queryset=Actor.objects.published(), method="filter_involvement"
    )
    role = django_filters.MultipleChoiceFilter(
        label="Rôle", choices=Involvement.Role.choices, method="filter_involvement"
    )
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territories", to_field_name="code", queryset=Territory.objects.all()
    )
    development_status = django_filters.MultipleChoiceFilter(
        label="État", choices=Initiative.DevelopmentStatus.choices
    )
    funding_scheme = django_filters.ModelMultipleChoiceFilter(
        label="Financement", to_field_name="slug", queryset=FundingScheme.objects.published(),
        field_name="awards__edition__scheme",
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label="Mot-clé", field_name="tags", to_field_name="slug", queryset=Tag.objects.all()
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
        condition = Q()
        if actors:
            condition &= Q(actor__in=actors)
        if roles:
            condition &= Q(role__in=roles)
        return queryset.filter(pk__in=Involvement.objects.filter(condition).values("initiative_id"))


class ActorFilter(SearchOrderingMixin):
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Actor.Kind.choices)
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territory", to_field_name="code", queryset=Territory.objects.all()
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", to_field_name="slug", queryset=Sector.objects.all(), method="filter_sector"
    )
    role = django_filters.MultipleChoiceFilter(label="Rôle", choices=Involvement.Role.choices, method="filter_role")

    class Meta:
        model = Actor
        fields = []

    def filter_sector(self, queryset, name, value):
        involved = Involvement.objects.filter(
            initiative__sectors__in=value,
            initiative__publication_status=Initiative.PublicationStatus.PUBLISHED,
        )
        return queryset.filter(pk__in=involved.values("actor_id"))

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=Involvement.objects.filter(role__in=value).values("actor_id"))


class FundingSchemeFilter(SearchOrderingMixin):
    class Availability:
        OPEN = "open"
        RECURRING = "recurring"
        CLOSED = "closed"
        CHOICES = [(OPEN, "Ouvert maintenant"), (RECURRING, "Récurrent"), (CLOSED, "Clos")]

    availability = django_filters.MultipleChoiceFilter(
        label="Disponibilité", choices=Availability.CHOICES, method="filter_availability"
    )
    beneficiary = django_filters.MultipleChoiceFilter(
        label="Bénéficiaire", choices=FundingScheme.Beneficiary.choices, method="filter_beneficiary"
    )
    kind = django_filters.MultipleChoiceFilter(label="Type de soutien", choices=FundingScheme.Kind.choices)
    operator = django_filters.ModelMultipleChoiceFilter(
        label="Opérateur", field_name="operators", to_field_name="slug", queryset=Actor.objects.published()
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", field_name="sectors", to_field_name="slug", queryset=Sector.objects.all()
    )
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territory", to_field_name="code", queryset=Territory.objects.all()
    )

    class Meta:
        model = FundingScheme
        fields = []

    @staticmethod
    def open_now_condition(today=None):
        """Open now: the scheme says so, or one of its editions is between its dates."""
        today = today or timezone.localdate()
        return Q(status=FundingScheme.Status.OPEN) | Q(
            editions__opens_on__lte=today, editions__closes_on__gte=today
        )

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
