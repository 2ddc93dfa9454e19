"""The `territory` filter of the listings (commons, actors): a place stands for the places inside it
(Bretagne for Brest, see territories/places.py), unless `territory_level=only`.

A FilterSet declares the two filters in its body, where they belong among its own:

    class ActorFilter(TerritoryFilterMixin, SearchOrderingMixin):
        kind = …
        territory, territory_level = territory_filters()

rather than inheriting them: django-filter puts a base class's filters first, and the filters' order
is public (the form, the OpenAPI schema, the `unknown_parameter` error). The mixin gives the filter's
method and the facet's counts; the FilterSet says how its entries reach their places.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from communs.listing import count_through
from territories import places
from territories.models import Territory


def territory_filters():
    """New `territory` and `territory_level` filters, for one FilterSet's body."""
    territory = django_filters.ModelMultipleChoiceFilter(
        label=_("Territoire"),
        to_field_name="code",
        queryset=Territory.objects.all(),
        method="filter_territory",
        help_text=_("Territoire, avec les territoires qu'il contient (Bretagne : ses départements, leurs communes…)"),
    )
    territory_level = django_filters.ChoiceFilter(
        label=_("Niveau du territoire"),
        choices=places.LEVEL_CHOICES,
        method="filter_territory",
        help_text=_("`only` : les seuls territoires demandés, sans ceux qu'ils contiennent"),
    )
    return territory, territory_level


class TerritoryFilterMixin:
    """`filter_territory` (both filters' method) and `territory_rows()` (the facet's rows) for a
    FilterSet that declares territory_filters().

    The FilterSet sets how its entries reach their places: `territory_links()`, the rows entry →
    territory (a many-to-many's rows, or the entries themselves), `territory_entry` the rows' column
    naming the entry, `territory_related_name` Territory's name of the entries; and may override
    `in_places()` with a shorter condition."""

    territory_entry = "pk"
    territory_related_name = None

    def territory_links(self):
        raise NotImplementedError

    def in_places(self, queryset, inside):
        """The entries of `queryset` attached to one of the territories `inside`."""
        links = self.territory_links().filter(territory__in=inside)
        return queryset.filter(pk__in=links.values(self.territory_entry))

    def territory_rows(self):
        # The counts follow the filter: ticking Bretagne gives what its count said, Brest included.
        within = self.within("territory")
        if self.form.cleaned_data.get("territory_level") == places.ONLY:
            return count_through(Territory.objects, self.territory_related_name, within, "code", "name")
        return places.rolled_up_query(self.territory_links(), within, self.territory_entry, "code", "name")

    def filter_territory(self, queryset, name, value):
        # `territory_level` only qualifies `territory`: both filters call this; the work is done once.
        data = self.form.cleaned_data
        chosen = data.get("territory")
        if name == "territory_level" or not chosen:
            return queryset
        return self.in_places(queryset, places.places_of(chosen, only=data.get("territory_level") == places.ONLY))
