"""The funding finder's listing: one FilterSet shared by /financements/ and /api/v1/funding-schemes/."""

import django_filters
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from actors.models import Actor
from communs.filters import SearchOrderingMixin
from communs.listing import ConditionFacet, Facet, count_through
from funding.models import FundingEdition, FundingScheme
from initiatives.models import Sector, Territory


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
    kind = django_filters.MultipleChoiceFilter(
        label="Type de soutien", choices=FundingScheme.Kind.choices, distinct=False
    )
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

    facets = [
        ConditionFacet("availability", lambda: FundingSchemeFilter.availability_conditions()),
        ConditionFacet(
            "beneficiary",
            lambda: {code: Q(**{f"eligible_{code}": True}) for code in FundingScheme.Beneficiary.values},
        ),
        Facet("kind"),
        Facet(
            "operator",
            lambda fs: count_through(
                Actor.objects.published(), "operated_schemes", fs.within("operator"), "slug", "name", "acronym"
            ),
        ),
        Facet(
            "sector", lambda fs: count_through(Sector.objects, "funding_schemes", fs.within("sector"), "slug", "name")
        ),
        Facet(
            "territory",
            lambda fs: count_through(Territory.objects, "funding_schemes", fs.within("territory"), "code", "name"),
        ),
    ]

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

    @classmethod
    def availability_conditions(cls, today=None):
        """{availability: Q}, for the filter and its facet's counts alike."""
        open_pks = FundingScheme.objects.filter(cls.open_now_condition(today)).values("pk")
        return {
            cls.Availability.OPEN: Q(pk__in=open_pks),
            cls.Availability.RECURRING: Q(status=FundingScheme.Status.RECURRING),
            cls.Availability.CLOSED: Q(status=FundingScheme.Status.CLOSED),
        }

    def filter_availability(self, queryset, name, value):
        conditions = self.availability_conditions()
        condition = Q()
        for choice in value:
            condition |= conditions[choice]
        return queryset.filter(condition)

    def filter_beneficiary(self, queryset, name, value):
        condition = Q()
        for code in value:
            condition |= Q(**{f"eligible_{code}": True})
        return queryset.filter(condition)
