"""The listing of actors: one FilterSet shared by /acteurs/ and /api/v1/actors/."""

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from actors.models import Actor
from communs.filters import SearchOrderingMixin
from communs.listing import Facet, count_through
from communs.models import visible_q
from initiatives.models import Initiative, Involvement, Sector
from territories.filters import TerritoryFilterMixin, territory_filters


def _public_involvements():
    # Sectors and roles reach actors through their involvements in published initiatives only:
    # a draft must not show through a filter or a count.
    return Involvement.objects.filter(visible_q(Initiative, prefix="initiative__"))


def published_commons_count():
    """The number of published commons an actor is involved in (whatever its roles), as a subquery:
    no GROUP BY on the list's query, which the search's ranking also annotates."""
    counted = (
        Involvement.objects.filter(visible_q(Initiative, prefix="initiative__"), actor=OuterRef("pk"))
        .order_by()
        .values("actor")
        .annotate(count=Count("initiative", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ActorFilter(TerritoryFilterMixin, SearchOrderingMixin):
    # The actors involved in the most commons first (then by name): those a visitor looks for. A
    # text search is ordered by relevance, as every list.
    ORDERINGS = {**SearchOrderingMixin.ORDERINGS, "-initiative_count": ("-initiative_count", "name")}
    ORDERING_CHOICES = [("-initiative_count", _("Nombre de communs")), *SearchOrderingMixin.ORDERING_CHOICES]
    DEFAULT_ORDERING = "-initiative_count"
    ordering = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=ORDERING_CHOICES, method="filter_ordering", empty_label=None
    )
    kind = django_filters.MultipleChoiceFilter(label=_("Type"), choices=Actor.Kind.choices, distinct=False)
    # A place stands for the places inside it, as for commons (territories/filters.py).
    territory, territory_level = territory_filters()
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Secteur"), to_field_name="slug", queryset=Sector.objects.all(), method="filter_sector"
    )
    role = django_filters.MultipleChoiceFilter(label=_("Rôle"), choices=Involvement.Role.choices, method="filter_role")

    class Meta:
        model = Actor
        fields = []

    # How actors reach their places (territories/filters.py): their own `territory`.
    territory_related_name = "actors"

    def territory_links(self):
        return Actor.objects

    facets = [
        Facet("kind"),
        Facet(
            "sector",
            lambda fs: count_through(
                Sector.objects,
                "initiatives__involvements__actor",
                fs.within("sector"),
                "slug",
                "name",
                condition=visible_q(Initiative, prefix="initiatives__"),
            ),
        ),
        Facet(
            "role",
            lambda fs: (
                _public_involvements()
                .filter(actor__in=fs.within("role"))
                .order_by()
                .values_list("role")
                .annotate(Count("actor", distinct=True))
            ),
        ),
        Facet("territory", lambda fs: fs.territory_rows()),
    ]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.annotate(initiative_count=published_commons_count()))

    def in_places(self, queryset, inside):
        return queryset.filter(territory__in=inside)

    def filter_sector(self, queryset, name, value):
        if not value:  # django-filter calls a method even for an empty ModelMultipleChoice value
            return queryset
        return queryset.filter(pk__in=_public_involvements().filter(initiative__sectors__in=value).values("actor_id"))

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=_public_involvements().filter(role__in=value).values("actor_id"))
