"""The funding finder's listing: one FilterSet shared by /financements/ and /api/v1/funding-schemes/."""

import django_filters
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actors.models import Actor
from communs.filters import SearchOrderingMixin
from communs.listing import ConditionFacet, Facet, Rows, count_through
from funding.availability import Availability, availability_conditions, open_to_condition
from funding.models import FundingEdition, FundingScheme
from initiatives.models import Sector
from territories.models import Territory
from territories.places import ANCESTRY, EVERYWHERE, containing_ids


def territory_rows(filterset):
    """(code, label, count) for the places the listed schemes are attached to, and the chosen ones:
    each counts the schemes open to it (see open_to_condition), not only those attached to it.

    One query: the listed schemes grouped by their place, with the chain of places containing it.
    """
    entries = FundingScheme._base_manager.filter(pk__in=filterset.within("territory"))
    chain = [f"territory__{'parent__' * depth}id" for depth in range(ANCESTRY.count("parent") + 1)]
    columns = ["territory__code", "territory__name", "territory__kind", "territory__official_code"]
    grouped = entries.order_by().values_list(*chain, *columns).annotate(count=Count("pk"))
    return Rows(grouped, lambda rows: _open_to_places(filterset, rows))


def _open_to_places(filterset, grouped):
    """territory_rows() from the schemes grouped by place: each place counts those open to it."""
    attached, places = {}, {}
    for *ids, code, name, kind, official_code, count in grouped:
        attached[ids[0]] = count
        if ids[0] is not None:
            label = str(Territory(code=code, name=name, kind=kind, official_code=official_code))
            places[ids[0]] = (code, label, kind, [pk for pk in ids if pk is not None])
    for place in filterset.form.cleaned_data.get("territory") or []:
        places[place.pk] = (place.code, str(place), place.kind, containing_ids(place))
    wide = {pk for pk, (*_, kind, _ids) in places.items() if kind in EVERYWHERE}
    everywhere = attached.get(None, 0) + sum(attached.get(pk, 0) for pk in wide)
    return [
        (code, label, everywhere + sum(attached.get(pk, 0) for pk in set(ids) - wide))
        for code, label, _kind, ids in places.values()
    ]


class ProposalsFilter(django_filters.BooleanFilter):
    """Proposals (ideas from a report or a plan) are listed apart from the schemes one can apply to:
    left out of the listing and of its facets unless asked for (`?proposed=true` gives them alone).

    Applied even without a value, unlike django-filter's filters: "no value" means "the schemes"."""

    def filter(self, qs, value):
        proposed = Q(status=FundingScheme.Status.PROPOSED)
        return qs.filter(proposed) if value else qs.exclude(proposed)


class FundingSchemeFilter(SearchOrderingMixin):
    Availability = Availability

    ORDERINGS = {
        **SearchOrderingMixin.ORDERINGS,
        # Open calls first, the one closing soonest on top; then the others by name.
        "deadline": (F("next_closes_on").asc(nulls_last=True), "name"),
    }

    ordering = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[
            SearchOrderingMixin.ORDERING_CHOICES[0],
            ("deadline", _("Date limite la plus proche")),
            *SearchOrderingMixin.ORDERING_CHOICES[1:],
        ],
        method="filter_ordering",
        empty_label=None,
    )
    availability = django_filters.MultipleChoiceFilter(
        label=_("Disponibilité"), choices=Availability.choices, method="filter_availability"
    )
    beneficiary = django_filters.MultipleChoiceFilter(
        label=_("Bénéficiaire"), choices=FundingScheme.Beneficiary.choices, method="filter_beneficiary"
    )
    kind = django_filters.MultipleChoiceFilter(
        label=_("Type de soutien"), choices=FundingScheme.Kind.choices, distinct=False
    )
    operator = django_filters.ModelMultipleChoiceFilter(
        label=_("Opérateur"), field_name="operators__slug", to_field_name="slug", queryset=Actor.objects.published()
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Secteur"), field_name="sectors__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    # The applicant's place: schemes open to it, those of the places that contain it included.
    territory = django_filters.ModelMultipleChoiceFilter(
        label=_("Ouvert au territoire"),
        to_field_name="code",
        queryset=Territory.objects.select_related(ANCESTRY),
        method="filter_territory",
    )

    proposed = ProposalsFilter(label=_("Propositions (pas encore ouvertes aux candidatures)"))

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
        Facet("territory", territory_rows),
    ]

    @staticmethod
    def next_closes_on(today=None):
        """The closing date of the scheme's next edition still open to applications."""
        today = today or timezone.localdate()
        editions = FundingEdition.objects.filter(scheme=OuterRef("pk"), closes_on__gte=today).order_by("closes_on")
        return Subquery(editions.values("closes_on")[:1])

    @staticmethod
    def last_closes_on(today=None):
        """The latest deadline already past: what a recurring scheme without a dated next call shows."""
        today = today or timezone.localdate()
        editions = FundingEdition.objects.filter(scheme=OuterRef("pk"), closes_on__lt=today).order_by("-closes_on")
        return Subquery(editions.values("closes_on")[:1])

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("ordering") == "deadline":
            queryset = queryset.annotate(next_closes_on=self.next_closes_on())
        return super().filter_queryset(queryset)

    @staticmethod
    def availability_conditions(today=None):
        """{availability: Q}, for the filter and its facet's counts alike."""
        return availability_conditions(today)

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

    def filter_territory(self, queryset, name, value):
        return queryset.filter(open_to_condition(value)) if value else queryset
