"""The listing of actors: one FilterSet shared by /acteurs/ and /api/v1/actors/."""

import django_filters
from django.db.models import Count

from actors.models import Actor
from communs.filters import SearchOrderingMixin
from communs.listing import Facet, count_through
from communs.models import visible_q
from initiatives.models import Initiative, Involvement, Sector, Territory


def _public_involvements():
    # Sectors and roles reach actors through their involvements in published initiatives only:
    # a draft must not show through a filter or a count.
    return Involvement.objects.filter(visible_q(Initiative, prefix="initiative__"))


class ActorFilter(SearchOrderingMixin):
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Actor.Kind.choices, distinct=False)
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
        Facet(
            "territory", lambda fs: count_through(Territory.objects, "actors", fs.within("territory"), "code", "name")
        ),
    ]

    def filter_sector(self, queryset, name, value):
        if not value:  # django-filter calls a method even for an empty ModelMultipleChoice value
            return queryset
        return queryset.filter(pk__in=_public_involvements().filter(initiative__sectors__in=value).values("actor_id"))

    def filter_role(self, queryset, name, value):
        return queryset.filter(pk__in=_public_involvements().filter(role__in=value).values("actor_id"))
