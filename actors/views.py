from itertools import groupby

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from actors.models import Actor
from initiatives.filters import ActorFilter
from initiatives.models import FundingScheme, Initiative, Involvement, Sector, Territory
from initiatives.views import (
    active_filters,
    build_facet,
    effective_ordering,
    filter_describer,
    form_errors,
    paginate,
    tally,
)

PUBLISHED = Initiative.PublicationStatus.PUBLISHED
ACTOR_FACETS = ["kind", "sector", "role", "territory"]


def _actor_facets(filterset):
    def within(name):
        return filterset.queryset_without(name).values("pk")

    kinds = tally(Actor.objects.filter(pk__in=within("kind")).order_by().values_list("kind").annotate(Count("pk")))[0]
    # Sector and role reach actors through their involvements in published initiatives.
    sectors = tally(
        Sector.objects.filter(
            initiatives__involvements__actor__in=within("sector"), initiatives__publication_status=PUBLISHED
        )
        .values_list("slug", "name")
        .annotate(Count("initiatives__involvements__actor", distinct=True))
    )
    roles = tally(
        Involvement.objects.filter(actor__in=within("role"), initiative__publication_status=PUBLISHED)
        .order_by()
        .values_list("role")
        .annotate(Count("actor", distinct=True))
    )[0]
    territories = tally(
        Territory.objects.filter(actors__in=within("territory"))
        .values_list("code", "name")
        .annotate(Count("actors", distinct=True))
    )
    return [
        build_facet(filterset, "kind", kinds, Actor.Kind.choices),
        build_facet(filterset, "sector", *sectors),
        build_facet(filterset, "role", roles, Involvement.Role.choices),
        build_facet(filterset, "territory", *territories),
    ]


def actor_list(request):
    filterset = ActorFilter(request.GET, queryset=Actor.objects.published())
    actors = filterset.qs.select_related("territory").annotate(
        initiative_count=Count(
            "involvements__initiative",
            filter=Q(involvements__initiative__publication_status=PUBLISHED),
            distinct=True,
        )
    )
    page, page_notice = paginate(request, actors)
    describe = filter_describer(filterset, {"kind": Actor.Kind.choices, "role": Involvement.Role.choices})
    context = {
        "filterset": filterset,
        "query": filterset.form.cleaned_data.get("q") or "",
        "ordering": effective_ordering(filterset),
        "ordering_choices": filterset.form.fields["ordering"].choices,
        "facets": _actor_facets(filterset),
        "active_filters": active_filters(request, filterset, ACTOR_FACETS, describe),
        "errors": form_errors(filterset),
        "page": page,
        "page_notice": page_notice,
        "total": page.paginator.count,
    }
    return render(request, "actors/actor_list.html", context)


def actor_detail(request, slug):
    actor = get_object_or_404(
        Actor.objects.published()
        .select_related("parent", "territory")
        .prefetch_related(
            Prefetch("children", queryset=Actor.objects.published().order_by("name")),
            Prefetch(
                "involvements",
                queryset=Involvement.objects.filter(initiative__publication_status=PUBLISHED)
                .select_related("initiative")
                .order_by("initiative__name"),
            ),
            Prefetch("operated_schemes", queryset=FundingScheme.objects.published().order_by("name")),
            Prefetch("funded_schemes", queryset=FundingScheme.objects.published().order_by("name")),
        ),
        slug=slug,
    )
    # A parent still in draft is not shown: its page would answer 404.
    parent = actor.parent if actor.parent and actor.parent.is_published else None
    role_order = {value: index for index, value in enumerate(Involvement.Role.values)}
    involvements = sorted(actor.involvements.all(), key=lambda i: (role_order[i.role], i.initiative.name))
    roles = [
        {"role": role, "label": Involvement.Role(role).label, "involvements": list(items)}
        for role, items in groupby(involvements, key=lambda i: i.role)
    ]
    context = {
        "actor": actor,
        "parent": parent,
        "children": list(actor.children.all()),
        "roles": roles,
        "operated_schemes": list(actor.operated_schemes.all()),
        "funded_schemes": list(actor.funded_schemes.all()),
    }
    return render(request, "actors/actor_detail.html", context)
