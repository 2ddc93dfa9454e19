"""The public pages of commons, sectors and territories: server-rendered, usable without JavaScript.

Every list page runs a fixed number of queries whatever the number of results (tests pin it):
results are paginated, relations are prefetched, and each facet's counts come from one aggregate
query (communs/listing.py).
"""

from itertools import groupby

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode

from actors.models import Actor
from communs.feeds import feed_query
from communs.listing import list_context, paginate
from communs.models import visible_q
from communs.search import search, searches_anything
from communs.views import gone_or_404
from funding.availability import ANCESTRY, open_to_condition
from funding.models import Award, FundingScheme
from initiatives import maps, territories
from initiatives.filters import InitiativeFilter
from initiatives.models import CriterionAssessment, Initiative, Involvement, Sector, Territory


def initiative_list(request):
    filterset = InitiativeFilter(request.GET, queryset=Initiative.objects.published())
    context = list_context(request, filterset, filterset.qs.prefetch_related("sectors"))
    context["elsewhere"] = _search_elsewhere(context["query"])
    context["feed_query"] = feed_query(request)
    return render(request, "initiatives/initiative_list.html", context)


def _search_elsewhere(query):
    """How many actors and funding schemes the same words find, so that a search for "ADEME"
    or "Appel à communs" on the list of commons is not a dead end (two queries, only with a query)."""
    if not searches_anything(query):
        return []
    found = [
        ("acteur", "acteurs", reverse("actors:list"), search(Actor.objects.published(), query, typos=False).count()),
        (
            "dispositif de financement",
            "dispositifs de financement",
            reverse("funding:list"),
            search(FundingScheme.objects.published(), query, typos=False).count(),
        ),
    ]
    return [
        {"label": singular if count == 1 else plural, "count": count, "url": f"{url}?{urlencode({'q': query})}"}
        for singular, plural, url, count in found
        if count
    ]


SIMILAR_CANDIDATES = 200


def initiative_detail(request, slug):
    try:
        initiative = get_object_or_404(
            Initiative.objects.published().prefetch_related(
                "sectors",
                "tags",
                "territories",
                Prefetch(
                    "involvements",
                    queryset=Involvement.objects.filter(visible_q(Actor, prefix="actor__"))
                    .select_related("actor")
                    .order_by("actor__name"),
                ),
                Prefetch(
                    "awards",
                    queryset=Award.objects.filter(visible_q(FundingScheme, prefix="edition__scheme__"))
                    .select_related("edition__scheme")
                    .order_by("-edition__year", "edition__label"),
                ),
                "criteria",
            ),
            slug=slug,
        )
    except Http404:
        return gone_or_404(request, Initiative, slug, reverse("initiatives:list"), "Parcourir les communs")
    # Actors grouped by role, in the order of the Role choices (carriers first).
    role_order = {value: index for index, value in enumerate(Involvement.Role.values)}
    involvements = sorted(initiative.involvements.all(), key=lambda i: (role_order[i.role], i.actor.name))
    roles = [
        {"role": role, "label": Involvement.Role(role).label, "involvements": list(items)}
        for role, items in groupby(involvements, key=lambda i: i.role)
    ]
    assessed = {criterion.criterion: criterion for criterion in initiative.criteria.all()}
    criteria = [
        {"code": code, "label": label, "assessment": assessed.get(code)}
        for code, label in CriterionAssessment.Criterion.choices
    ]
    sector_ids = [sector.pk for sector in initiative.sectors.all()]
    tag_ids = [tag.pk for tag in initiative.tags.all()]
    # Similar: most sectors and tags in common, among the latest entries sharing one (counting
    # the shared ones over a whole sector would cost a scan of it on every page); one query.
    sharing = Q(sectors__in=sector_ids) | Q(tags__in=tag_ids)
    candidates = Initiative.objects.published().exclude(pk=initiative.pk).filter(sharing).order_by("-updated_at", "-pk")
    similar = (
        Initiative.objects.filter(pk__in=candidates.values("pk")[:SIMILAR_CANDIDATES])
        .filter(sharing)
        .annotate(
            shared=Count("sectors", filter=Q(sectors__in=sector_ids), distinct=True)
            + Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        )
        .order_by("-shared", "name")
        .prefetch_related("sectors")[:4]
        if sector_ids or tag_ids
        else Initiative.objects.none()
    )
    context = {
        "initiative": initiative,
        "roles": roles,
        "awards": list(initiative.awards.all()),
        "criteria": criteria,
        "criteria_assessed": bool(assessed),
        "logics": [Initiative.Logic(code).label for code in initiative.logics],
        "similar": similar,
    }
    return render(request, "initiatives/initiative_detail.html", context)


def sector_detail(request, slug):
    sector = get_object_or_404(Sector, slug=slug)
    initiatives = sector.initiatives.published().prefetch_related("sectors").order_by("name")
    actors = (
        Actor.objects.published()
        .filter(
            Exists(
                Involvement.objects.filter(
                    visible_q(Initiative, prefix="initiative__"), actor=OuterRef("pk"), initiative__sectors=sector
                )
            )
        )
        .order_by("name")
    )
    schemes = sector.funding_schemes.published().order_by("name")
    page, page_notice = paginate(request, initiatives)
    context = {
        "sector": sector,
        "page": page,
        "page_notice": page_notice,
        "actors": actors,
        "schemes": schemes,
    }
    return render(request, "initiatives/sector_detail.html", context)


def territory_index(request):
    """/territoires/: the map of France and its régions, each with its number of commons."""
    context = {"map": maps.france_map()}
    return render(request, "initiatives/territory_index.html", context)


def territory_detail(request, code):
    # The chain of places above is loaded with the place: the schemes open to it follow it upwards.
    territory = get_object_or_404(Territory.objects.select_related(ANCESTRY), code=code)
    # By default a place shows what the places inside it hold (Bretagne shows Brest's commons);
    # "only this level" shows what is attached to the place itself, as the list's filter does.
    only = request.GET.get("territory_level") == territories.ONLY
    places = territories.places_of([territory], only=only)
    links = Initiative.territories.through.objects.filter(territory__in=places)
    initiatives = (
        Initiative.objects.published()
        .filter(pk__in=links.values("initiative_id"))
        .prefetch_related("sectors")
        .order_by("name")
    )
    actors = Actor.objects.published().filter(territory__in=places).order_by("name")
    # The places directly inside this one, each counting the commons of the places inside it.
    rows = territories.rolled_up_rows(
        Initiative.territories.through.objects.filter(territory__in=territories.inside([territory])),
        Initiative.objects.published().values("pk"),
        "initiative_id",
        "code",
        "name",
        "parent_id",
    )
    children = sorted(
        (
            {"code": code, "name": name, "count": count}
            for code, name, parent_id, count in rows
            if parent_id == territory.pk
        ),
        key=lambda child: child["name"],
    )
    schemes = FundingScheme.objects.published().filter(open_to_condition([territory])).order_by("name")
    page, page_notice = paginate(request, initiatives)
    query = {"territory": territory.code, **({"territory_level": territories.ONLY} if only else {})}
    context = {
        "territory": territory,
        "only": only,
        "page": page,
        "page_notice": page_notice,
        "actors": actors,
        "children": children,
        "schemes": schemes,
        "filter_query": urlencode(query),
        "census": {
            "csv": reverse("api:initiative-export-csv") + "?" + urlencode(query),
            "json": reverse("api:initiative-export-json") + "?" + urlencode(query),
        },
    }
    return render(request, "initiatives/territory_detail.html", context)
