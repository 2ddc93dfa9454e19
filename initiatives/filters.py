"""The listing of commons: one FilterSet shared by /initiatives/ and /api/v1/initiatives/.

The query-string names defined here are the public contract of both.
"""

import django_filters
from django.db.models import Count, Q
from taggit.models import Tag

from actors.models import Actor
from communs.filters import SearchOrderingMixin, UtcIsoDateTimeFilter
from communs.listing import Facet, count_through
from funding.models import FundingScheme
from initiatives.models import LAUNCH_YEAR_MAX, LAUNCH_YEAR_MIN, Initiative, Involvement, Sector, Territory

# django-filter matches a ModelMultipleChoiceFilter's `to_field_name` value against
# `field_name`, so the field names below end with the slug or code they compare.


LAUNCH_YEARS = [(str(year), str(year)) for year in range(LAUNCH_YEAR_MAX, LAUNCH_YEAR_MIN - 1, -1)]


def launch_year_rows(filterset):
    """(year, count) rows with the year as the query string writes it, so that it matches the choices."""
    entries = Initiative._base_manager.filter(pk__in=filterset.within("launch_year"), launch_year__isnull=False)
    return [(str(year), count) for year, count in entries.values_list("launch_year").annotate(Count("pk")).order_by()]


class InitiativeFilter(SearchOrderingMixin):
    sector = django_filters.ModelMultipleChoiceFilter(
        label="Secteur", field_name="sectors__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    # A choice on one of the entry's own columns cannot repeat rows: no DISTINCT (django-filter's
    # default), which would compare every column of every matching row to count a page.
    kind = django_filters.MultipleChoiceFilter(label="Type", choices=Initiative.Kind.choices, distinct=False)
    actor = django_filters.ModelMultipleChoiceFilter(
        label="Acteur", to_field_name="slug", queryset=Actor.objects.published(), method="filter_involvement"
    )
    role = django_filters.MultipleChoiceFilter(
        label="Rôle", choices=Involvement.Role.choices, method="filter_involvement"
    )
    territory = django_filters.ModelMultipleChoiceFilter(
        label="Territoire", field_name="territories__code", to_field_name="code", queryset=Territory.objects.all()
    )
    development_status = django_filters.MultipleChoiceFilter(
        label="État", choices=Initiative.DevelopmentStatus.choices, distinct=False
    )
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
        label="Échelle", field_name="territorial_scope", choices=Initiative.Scope.choices, distinct=False
    )
    # The years the database accepts (initiatives_initiative_launch_year_range), latest first: a
    # year outside them is refused like any unknown choice, and the facet lists the latest first.
    launch_year = django_filters.MultipleChoiceFilter(label="Année de lancement", choices=LAUNCH_YEARS, distinct=False)

    class Meta:
        model = Initiative
        fields = []

    facets = [
        Facet("sector", lambda fs: count_through(Sector.objects, "initiatives", fs.within("sector"), "slug", "name")),
        Facet("kind"),
        Facet("actor", lambda fs: fs.actor_rows()),
        Facet("role", lambda fs: fs.role_rows()),
        Facet(
            "territory",
            lambda fs: count_through(Territory.objects, "initiatives", fs.within("territory"), "code", "name"),
        ),
        Facet("development_status"),
        Facet(
            "funding_scheme",
            lambda fs: count_through(
                FundingScheme.objects.published(),
                "editions__awards__initiative",
                fs.within("funding_scheme"),
                "slug",
                "name",
            ),
        ),
        Facet("tag", lambda fs: count_through(Tag.objects, "initiative", fs.within("tag"), "slug", "name")),
        Facet("launch_year", launch_year_rows),
    ]

    # Actor and role describe the same involvement row ("IGN as funder"), so each facet's counts
    # keep the other's restriction on that row, in the same filter().
    def actor_rows(self):
        roles = self.form.cleaned_data.get("role")
        condition = Q(involvements__role__in=roles) if roles else None
        return count_through(
            Actor.objects.published(),
            "involvements__initiative",
            self.within("actor"),
            "slug",
            "name",
            "acronym",
            condition=condition,
        )

    def role_rows(self):
        involvements = Involvement.objects.filter(initiative__in=self.within("role"))
        if self.form.cleaned_data.get("actor"):
            involvements = involvements.filter(actor__in=self.form.cleaned_data["actor"])
        return involvements.order_by().values_list("role").annotate(Count("initiative", distinct=True))

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


class InvolvementFilter(django_filters.FilterSet):
    """/api/v1/involvements/: what a synced copy must fetch again. A deleted involvement bumps its
    initiative's updated_at instead (communs/search_index.py), the initiative embedding its involvements."""

    updated_since = UtcIsoDateTimeFilter(label="Modifié depuis (ISO 8601)", field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Involvement
        fields = []
