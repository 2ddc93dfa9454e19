"""The listing of commons: one FilterSet shared by /initiatives/ and /api/v1/initiatives/.

The query-string names defined here are the public contract of both.
"""

import django_filters
from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from actors.models import Actor
from communs.filters import SearchOrderingMixin, UtcIsoDateTimeFilter
from communs.listing import ConditionFacet, Facet, Rows, count_through, tally
from communs.validators import is_open_licence, normalize_spdx
from funding.models import FundingScheme
from initiatives.models import (
    LAUNCH_YEAR_MAX,
    LAUNCH_YEAR_MIN,
    Category,
    CriterionAssessment,
    Deployment,
    Initiative,
    Involvement,
    Sector,
)
from territories import places
from territories.filters import TerritoryFilterMixin, territory_filters
from territories.models import Territory

# `?licence=open`: any licence that lets anyone use, study, modify and share (communs.validators).
OPEN_LICENCE = "open"
OPEN_LICENCE_LABEL = _("Toute licence ouverte")


class LicenceField(forms.MultipleChoiceField):
    """SPDX expressions written as the entries store them (normalised: `mit` is `MIT`), or `open`."""

    def validate(self, value):
        # Any valid SPDX expression is a value, not only the declared choice (`open`): checked in clean().
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        values = super().clean(value)
        longest = Initiative._meta.get_field("licence").max_length
        for value in values:
            # As long as the stored column at most: the SPDX parser is not given a page of text.
            if len(value) > longest:
                raise forms.ValidationError(
                    gettext("Une licence s'écrit en %(count)s caractères au plus.") % {"count": longest},
                    code="max_length",
                )
        return [value if value == OPEN_LICENCE else normalize_spdx(value) for value in values]


class LicenceFilter(django_filters.MultipleChoiceFilter):
    field_class = LicenceField
    # Read by the OpenAPI schema (communs/rest/schema.py): the declared choice is not the only value.
    other_values = "Or an SPDX expression as the entries store it (`MIT`, `Apache-2.0 OR MIT`; `mit` is read as `MIT`)."


class LicenceFacet(Facet):
    """The stored licences by count, with "any open licence" (the sum of the open ones) first."""

    def __init__(self):
        super().__init__("licence")

    def read_counts(self, filterset, rows):
        return self.counts_of(rows)

    def counts_of(self, rows):
        """The counts of aggregate rows (licence, count), for a caller that also reads the rows
        (/statistiques/ counts the entries without a licence from the same rows)."""
        counts, _labels = tally(rows)
        open_count = sum(count for licence, count in counts.items() if is_open_licence(licence))
        return {OPEN_LICENCE: open_count, **counts}, {OPEN_LICENCE: OPEN_LICENCE_LABEL}


def logic_conditions():
    return {code: Q(**{f"logic_{code}": True}) for code in Initiative.Logic.values}


def criterion_rows(filterset):
    # Repeated criteria must all be met: each option counts what ticking it *as well* gives, so the
    # counts are taken within every active filter, this one included (the other facets leave theirs
    # out because their options add up).
    return (
        CriterionAssessment.objects.filter(status=CriterionAssessment.Status.MET, initiative__in=filterset.within(None))
        .order_by()
        .values_list("criterion")
        .annotate(Count("initiative", distinct=True))
    )


# django-filter matches a ModelMultipleChoiceFilter's `to_field_name` value against
# `field_name`, so the field names below end with the slug or code they compare.


LAUNCH_YEARS = [(str(year), str(year)) for year in range(LAUNCH_YEAR_MAX, LAUNCH_YEAR_MIN - 1, -1)]


def launch_year_rows(filterset):
    """(year, count) rows with the year as the query string writes it, so that it matches the choices."""
    entries = Initiative._base_manager.filter(pk__in=filterset.within("launch_year"), launch_year__isnull=False)
    rows = entries.values_list("launch_year").annotate(Count("pk")).order_by()
    return Rows(rows, lambda rows: [(str(year), count) for year, count in rows])


class InitiativeFilter(TerritoryFilterMixin, SearchOrderingMixin):
    sector = django_filters.ModelMultipleChoiceFilter(
        label=_("Secteur"), field_name="sectors__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    # What it is for: publiccode.yml's categories, by the standard's codes (?category=office).
    category = django_filters.ModelMultipleChoiceFilter(
        label=_("Catégorie"), field_name="categories__slug", to_field_name="slug", queryset=Category.objects.all()
    )
    # A choice on one of the entry's own columns cannot repeat rows: no DISTINCT (django-filter's
    # default), which would compare every column of every matching row to count a page.
    kind = django_filters.MultipleChoiceFilter(label=_("Type"), choices=Initiative.Kind.choices, distinct=False)
    actor = django_filters.ModelMultipleChoiceFilter(
        label=_("Acteur"), to_field_name="slug", queryset=Actor.objects.published(), method="filter_involvement"
    )
    role = django_filters.MultipleChoiceFilter(
        label=_("Rôle"), choices=Involvement.Role.choices, method="filter_involvement"
    )
    # A place stands for the places inside it (Bretagne for Brest): see territories/filters.py.
    territory, territory_level = territory_filters()
    # Its uses (initiatives.Deployment): the organisations that run it, and where, with the roll-up
    # of `territory` (a commons used in Brest is used in Finistère, Bretagne and France).
    used_by = django_filters.ModelMultipleChoiceFilter(
        label=_("Utilisé par"),
        to_field_name="slug",
        queryset=Actor.objects.published(),
        method="filter_used_by",
        help_text=_("Organisation qui l'utilise (une instance qu'elle met en œuvre)"),
    )
    used_in = django_filters.ModelMultipleChoiceFilter(
        label=_("Utilisé à"),
        to_field_name="code",
        queryset=Territory.objects.all(),
        method="filter_used_in",
        help_text=_("Territoire où il est utilisé, avec les territoires qu'il contient"),
    )
    development_status = django_filters.MultipleChoiceFilter(
        label=_("État"), choices=Initiative.DevelopmentStatus.choices, distinct=False
    )
    funding_scheme = django_filters.ModelMultipleChoiceFilter(
        label=_("Financement"),
        to_field_name="slug",
        queryset=FundingScheme.objects.published(),
        field_name="awards__edition__scheme__slug",
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label=_("Mot-clé"), field_name="tags__slug", to_field_name="slug", queryset=Tag.objects.all()
    )
    scope = django_filters.MultipleChoiceFilter(
        label=_("Échelle"), field_name="territorial_scope", choices=Initiative.Scope.choices, distinct=False
    )
    # The commons label (/label/): criteria met, public-interest logics, licence.
    criterion = django_filters.MultipleChoiceFilter(
        label=_("Critère du commun rempli"),
        choices=CriterionAssessment.Criterion.choices,
        method="filter_criterion",
        conjoined=True,  # filter_criterion applies it; the OpenAPI schema says so
        distinct=False,
    )
    logic = django_filters.MultipleChoiceFilter(
        label=_("Logique d'intérêt général"), choices=Initiative.Logic.choices, method="filter_logic", distinct=False
    )
    licence = LicenceFilter(
        label=_("Licence"),
        choices=[(OPEN_LICENCE, OPEN_LICENCE_LABEL)],
        method="filter_licence",
        distinct=False,
    )
    # The years the database accepts (initiatives_initiative_launch_year_range), latest first: a
    # year outside them is refused like any unknown choice, and the facet lists the latest first.
    launch_year = django_filters.MultipleChoiceFilter(
        label=_("Année de lancement"), choices=LAUNCH_YEARS, distinct=False
    )

    class Meta:
        model = Initiative
        fields = []

    # How commons reach their places (territories/filters.py): the many-to-many's rows.
    territory_entry = "initiative_id"
    territory_related_name = "initiatives"

    def territory_links(self):
        return Initiative.territories.through.objects

    facets = [
        Facet("sector", lambda fs: count_through(Sector.objects, "initiatives", fs.within("sector"), "slug", "name")),
        Facet(
            "category",
            lambda fs: count_through(Category.objects, "initiatives", fs.within("category"), "slug", "name"),
        ),
        Facet("kind"),
        Facet("actor", lambda fs: fs.actor_rows()),
        Facet("role", lambda fs: fs.role_rows()),
        Facet("territory", lambda fs: fs.territory_rows()),
        Facet(
            "used_by",
            lambda fs: count_through(
                Actor.objects.published(),
                "deployments__initiative",
                fs.within("used_by"),
                "slug",
                "name",
                "acronym",
                condition=Q(deployments__in=Deployment.objects.published().values("pk")),
            ),
        ),
        Facet(
            "used_in",
            lambda fs: places.rolled_up_query(
                Deployment.objects.published(), fs.within("used_in"), "initiative_id", "code", "name"
            ),
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
        Facet("criterion", criterion_rows),
        ConditionFacet("logic", logic_conditions, keep_all=False),
        LicenceFacet(),
        Facet("launch_year", launch_year_rows),
    ]

    def filter_used_by(self, queryset, name, value):
        # An empty ModelMultipleChoice value still calls the method (see filter_involvement).
        if not value:
            return queryset
        uses = Deployment.objects.published().filter(actor__in=value)
        return queryset.filter(pk__in=uses.values("initiative_id"))

    def filter_used_in(self, queryset, name, value):
        if not value:
            return queryset
        uses = Deployment.objects.published().filter(territory__in=places.inside(value))
        return queryset.filter(pk__in=uses.values("initiative_id"))

    def filter_criterion(self, queryset, name, value):
        # Repeated, every criterion must be met: one condition each.
        for criterion in value:
            met = CriterionAssessment.objects.filter(criterion=criterion, status=CriterionAssessment.Status.MET)
            queryset = queryset.filter(pk__in=met.values("initiative_id"))
        return queryset

    def filter_logic(self, queryset, name, value):
        # Repeated, any of the logics (as sectors or kinds): an entry often answers several.
        condition = Q()
        for code in value:
            condition |= logic_conditions()[code]
        return queryset.filter(condition)

    def filter_licence(self, queryset, name, value):
        licences = {licence for licence in value if licence != OPEN_LICENCE}
        if OPEN_LICENCE in value:
            licences |= set(self.open_licences())
        return queryset.filter(licence__in=licences)

    def open_licences(self):
        """The stored licences that are open: SPDX is parsed in Python, so the few distinct values are read
        once per request (every facet's count filters again)."""
        if not hasattr(self, "_open_licences"):
            stored = Initiative.objects.exclude(licence="").order_by().values_list("licence", flat=True).distinct()
            self._open_licences = [licence for licence in stored if is_open_licence(licence)]
        return self._open_licences

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

    updated_since = UtcIsoDateTimeFilter(
        label=_("Modifié depuis (ISO 8601)"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Involvement
        fields = []


class DeploymentFilter(TerritoryFilterMixin, django_filters.FilterSet):
    """/api/v1/deployments/: the uses of the commons, by commons, organisation and place (with the
    roll-up: a région's uses include those of its départements and communes)."""

    commons = django_filters.ModelMultipleChoiceFilter(
        label=_("Commun"), field_name="initiative__slug", to_field_name="slug", queryset=Initiative.objects.published()
    )
    actor = django_filters.ModelMultipleChoiceFilter(
        label=_("Organisation"), field_name="actor__slug", to_field_name="slug", queryset=Actor.objects.published()
    )
    territory, territory_level = territory_filters()
    updated_since = UtcIsoDateTimeFilter(
        label=_("Modifié depuis (ISO 8601)"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Deployment
        fields = []

    territory_entry = "pk"
    territory_related_name = "deployments"

    def territory_links(self):
        return Deployment.objects.all()

    def in_places(self, queryset, inside):
        return queryset.filter(territory__in=inside)


# --- The facet values on the search documents -------------------------------------------------

# The relations facet_keys() reads: saving or deleting one of their rows rewrites the documents
# of the commons it concerns (communs/search_index.py). Sectors, tags and the involved actors are
# already watched as searched names. A place renamed or moved under another keeps its old
# ancestors on the documents until `manage.py rebuild_search_index`.
FACET_WATCHED = [
    "categories__name",
    "territories__name",
    "deployments__actor__name",
    "deployments__territory__name",
    "awards__edition__scheme__name",
    "criteria__status",
]


def facet_keys(pks):
    """{pk: [[facet, value, label…], …]}: for each commons of `pks`, the rows each facet of
    InitiativeFilter would count for it alone (without the count), so that a search page counts
    all its facets from the matching documents (communs.listing.count_facets)."""
    keys = {pk: [] for pk in pks}

    def add(facet, rows):
        for pk, *value in rows:
            if value[0] not in (None, "") and pk in keys:
                keys[pk].append([facet, *value])

    entries = Initiative._base_manager.filter(pk__in=pks)
    logics = [f"logic_{code}" for code in Initiative.Logic.values]
    columns = ["kind", "development_status", "licence", "launch_year", *logics]
    for pk, kind, status, licence, year, *flags in entries.values_list("pk", *columns):
        add("kind", [(pk, kind)])
        add("development_status", [(pk, status)])
        add("licence", [(pk, licence)])
        add("launch_year", [(pk, None if year is None else str(year))])
        add("logic", [(pk, code) for code, flag in zip(Initiative.Logic.values, flags, strict=True) if flag])
    add("sector", entries.values_list("pk", "sectors__slug", "sectors__name"))
    add("category", entries.values_list("pk", "categories__slug", "categories__name"))
    add("tag", entries.values_list("pk", "tags__slug", "tags__name"))
    involvements = Involvement.objects.filter(initiative__in=pks)
    add("role", involvements.values_list("initiative_id", "role"))
    actors = involvements.filter(actor__in=Actor.objects.published())
    add("actor", actors.values_list("initiative_id", "actor__slug", "actor__name", "actor__acronym"))
    # A place stands for the places that contain it (territories/places.py): Brest counts in
    # Finistère, Bretagne and France, as the territory filter finds it there.
    chain = places.links("territory")
    places_of = [f"{link}__{column}" for link in chain for column in ("code", "name")]
    for facet, rows in (
        ("territory", Initiative.territories.through.objects.filter(initiative__in=pks)),
        ("used_in", Deployment.objects.published().filter(initiative__in=pks)),
    ):
        for pk, *cells in rows.values_list("initiative_id", *places_of):
            add(facet, [(pk, cells[index], cells[index + 1]) for index in range(0, len(cells), 2)])
    uses = Deployment.objects.published().filter(initiative__in=pks, actor__in=Actor.objects.published())
    add("used_by", uses.values_list("initiative_id", "actor__slug", "actor__name", "actor__acronym"))
    schemes = FundingScheme.objects.published().filter(editions__awards__initiative__in=pks)
    add("funding_scheme", schemes.values_list("editions__awards__initiative", "slug", "name"))
    met = CriterionAssessment.objects.filter(initiative__in=pks, status=CriterionAssessment.Status.MET)
    add("criterion", met.values_list("initiative_id", "criterion"))
    return keys
