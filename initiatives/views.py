"""The public pages of commons and sectors: server-rendered, usable without JavaScript.

Every list page runs a fixed number of queries whatever the number of results (tests pin it):
results are paginated, relations are prefetched, and each facet's counts come from one aggregate
query (communs/listing.py).
"""

import hashlib
from itertools import groupby

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, npgettext
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from actors.models import Actor
from communs.cache import content_version
from communs.feeds import feed_query
from communs.filters import compiled_or_nothing
from communs.linked_data import json_for_script
from communs.listing import cached, list_context, paginate
from communs.models import visible_q
from communs.search import count_matches, search, searches_anything
from communs.sources import cite, cited_keys, source_catalogue
from communs.views import gone_or_404
from funding.models import Award, FundingScheme
from initiatives.filters import InitiativeFilter
from initiatives.linked_data import initiative_jsonld
from initiatives.models import (
    CriterionAssessment,
    Deployment,
    DeploymentRedirect,
    Derivation,
    Initiative,
    Involvement,
    Sector,
)
from territories import maps
from territories.places import rolled_up_rows


def initiative_list(request):
    filterset = InitiativeFilter(request.GET, queryset=Initiative.objects.published())
    context = list_context(request, filterset, filterset.qs.prefetch_related("sectors", "criteria"))
    context["elsewhere"] = _search_elsewhere(context["query"])
    context["feed_query"] = feed_query(request)
    return render(request, "initiatives/initiative_list.html", context)


def _search_elsewhere(query):
    """How many actors and funding schemes the same words find, so that a search for "ADEME"
    or "Appel à communs" on the list of commons is not a dead end (two queries, only with a query)."""
    if not searches_anything(query):
        return []
    # Kept in the shared cache until the directory changes, as the list's own counts are.
    key = f"elsewhere:{content_version()}:{hashlib.sha256(query.encode()).hexdigest()[:32]}"
    actors, schemes = cached(
        key,
        lambda: (
            count_matches(search(Actor.objects.published(), query, typos=False)),
            count_matches(search(FundingScheme.objects.published(), query, typos=False)),
        ),
    )
    found = [
        (npgettext("search elsewhere", "acteur", "acteurs", actors), reverse("actors:list"), actors),
        (
            npgettext("search elsewhere", "dispositif de financement", "dispositifs de financement", schemes),
            reverse("funding:list"),
            schemes,
        ),
    ]
    return [
        {"label": label, "count": count, "url": f"{url}?{urlencode({'q': query})}"}
        for label, url, count in found
        if count
    ]


SIMILAR_CANDIDATES = 200


def shared_count(links, column):
    """How many of `links` (rows of a link table) point to the outer entry: a correlated count,
    read from the link table's index (a join through taggit's generic relation casts its column
    and cannot use it)."""
    rows = links.filter(**{column: OuterRef("pk")}).order_by().values(column).annotate(count=Count("pk"))
    return Coalesce(Subquery(rows.values("count")[:1]), 0)


def _either(*candidates):
    """The keys of any of the one-column `candidates` querysets, SIMILAR_CANDIDATES of each, as one
    subquery: `pk IN (a) OR pk IN (b)` made PostgreSQL read every entry to test both (140 ms at
    100,000 entries), one IN over their union reads the few hundred by key. Each is wrapped in a
    derived table so that SQLite accepts their LIMIT inside the UNION."""
    parts, params = [], []
    for queryset in candidates:
        sql, part_params = compiled_or_nothing(queryset[:SIMILAR_CANDIDATES])  # no tag: no candidate
        parts.append(f"SELECT * FROM ({sql}) AS candidates_{len(parts)}")
        params += part_params
    return RawSQL(" UNION ".join(parts), params)


def initiative_detail(request, slug):
    try:
        initiative = get_object_or_404(
            Initiative.objects.published().prefetch_related(
                "sectors",
                "categories",
                "tags",
                "territories",
                Prefetch("derivations", queryset=Derivation.objects.select_related("source")),
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
                Prefetch(
                    "deployments",
                    queryset=Deployment.objects.published()
                    .select_related("actor", "territory")
                    .order_by("actor__name", "name", "pk"),
                ),
            ),
            slug=slug,
        )
    except Http404:
        moved = moved_to_deployment(slug)
        if moved:
            return redirect(moved, permanent=True)
        return gone_or_404(request, Initiative, slug, reverse("initiatives:list"), gettext("Parcourir les communs"))
    # Actors grouped by role, in the order of the Role choices (carriers first). An organisation that
    # uses the commons and whose use is listed below ("Utilisé par") is named there only, not twice.
    deployments = list(initiative.deployments.all())
    deployed_by = {deployment.actor_id for deployment in deployments if deployment.actor_id}
    role_order = {value: index for index, value in enumerate(Involvement.Role.values)}
    involvements = sorted(initiative.involvements.all(), key=lambda i: (role_order[i.role], i.actor.name))
    shown = [i for i in involvements if not (i.role == Involvement.Role.USER and i.actor_id in deployed_by)]
    roles = [
        {"role": role, "label": Involvement.Role(role).label, "involvements": list(items)}
        for role, items in groupby(shown, key=lambda i: i.role)
    ]
    assessed = {criterion.criterion: criterion for criterion in initiative.criteria.all()}
    # The values a rule derived and no curator has confirmed yet are marked as such on the page.
    derived = {(row.fact, row.value): row for row in initiative.standing_derivations() if row.is_derived}
    Fact = Derivation.Fact
    criteria = [
        {
            "code": code,
            "label": label,
            "assessment": assessed.get(code),
            "derived": assessed.get(code) and derived.get((Fact.CRITERION, f"{code}:{assessed[code].status}")),
        }
        for code, label in CriterionAssessment.Criterion.choices
    ]
    sector_ids = [sector.pk for sector in initiative.sectors.all()]
    tag_ids = [tag.pk for tag in initiative.tags.all()]
    # Similar: most sectors and tags in common, among the latest entries sharing one. The
    # candidates are read newest first from the link tables' own indexes, stopping at
    # SIMILAR_CANDIDATES, so that a page costs the same with a sector of 50 entries or 50,000 (a
    # join over the entries, ordered by date, scanned a whole sector on every page); one query.
    sector_links = Initiative.sectors.through.objects.filter(sector_id__in=sector_ids).order_by("-initiative_id")
    tag_links = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Initiative), tag_id__in=tag_ids
    ).order_by("-object_id")
    similar = (
        Initiative.objects.published()
        .filter(pk__in=_either(sector_links.values("initiative_id"), tag_links.values("object_id")))
        .exclude(pk=initiative.pk)
        .annotate(shared=shared_count(sector_links, "initiative_id") + shared_count(tag_links, "object_id"))
        .order_by("-shared", "name")
        .prefetch_related("sectors", "criteria")[:4]
        if sector_ids or tag_ids
        else Initiative.objects.none()
    )
    awards = list(initiative.awards.all())
    context = {
        "initiative": initiative,
        "sectors": [(sector, derived.get((Fact.SECTOR, sector.slug))) for sector in initiative.sectors.all()],
        "categories": [
            (category, derived.get((Fact.CATEGORY, category.slug))) for category in initiative.categories.all()
        ],
        "territories": [(place, derived.get((Fact.TERRITORY, place.code))) for place in initiative.territories.all()],
        "scope_derived": derived.get((Fact.SCOPE, initiative.territorial_scope)),
        "ways": initiative.ways_to_take_part(),
        "roles": roles,
        "awards": awards,
        "deployments": deployment_rows(deployments),
        "user_count": len(deployed_by),
        "uses_map": uses_map(deployments),
        "criteria": criteria,
        "criteria_assessed": bool(assessed),
        "logics": [Initiative.Logic(code).label for code in initiative.logics],
        "similar": similar,
        "linked_data": json_for_script(
            initiative_jsonld(initiative, request, involvements=involvements, awards=awards)
        ),
    }
    return render(request, "initiatives/initiative_detail.html", context)


def moved_to_deployment(slug):
    """The address an entry that became a deployment of its commons now answers with (migration
    0016), or None: the commons' page anchored on the deployment, when the public may see it."""
    redirect_row = (
        DeploymentRedirect.objects.filter(old_slug=slug, deployment__in=Deployment.objects.published().values("pk"))
        .select_related("deployment__initiative")
        .first()
    )
    return redirect_row.deployment.get_absolute_url() if redirect_row else None


def uses_map(deployments):
    """The map of France of a commons' uses: each région and département with the number of uses in
    it (two queries), or None when no use is placed in France."""
    placed = [deployment.pk for deployment in deployments if deployment.territory_id]
    if not placed:
        return None
    counts = dict(rolled_up_rows(Deployment.objects.all(), placed, "pk", "code"))
    drawn = maps.france_map(counts, label=maps.uses_label)
    if not any(area["count"] for area in drawn["regions"]):
        return None  # used abroad or at the scale of France only: the table says it all
    return drawn


def deployment_rows(deployments):
    """Each deployment with its citations completed with their sources' titles (one query in all)."""
    keys = set().union(*(cited_keys(deployment.sources) for deployment in deployments)) if deployments else set()
    catalogue = source_catalogue(keys) if keys else {}
    blank = {"source": "", "document": "", "url": "", "title": ""}
    return [
        {"deployment": deployment, "sources": [{**blank, **item} for item in cite(deployment.sources, catalogue)]}
        for deployment in deployments
    ]


def sector_detail(request, slug):
    sector = get_object_or_404(Sector, slug=slug)
    initiatives = sector.initiatives.published().prefetch_related("sectors", "criteria").order_by("name")
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


# What a curator checks for each criterion of the grid, and what they link as its evidence.
CRITERION_GUIDE = {
    CriterionAssessment.Criterion.OPEN_LICENCE: (
        _(
            "La ressource est publiée sous une licence qui permet à chacun de l'utiliser, de l'étudier, de la "
            "modifier et de la partager : une licence libre pour un logiciel (MIT, AGPL-3.0-or-later …), une "
            "licence ouverte pour des données ou des contenus (etalab-2.0, ODbL-1.0, CC-BY-4.0 …)."
        ),
        _("le fichier de licence du dépôt, ou la page du site qui donne la licence."),
    ),
    CriterionAssessment.Criterion.ACCESSIBLE_RESOURCE: (
        _(
            "La ressource est effectivement accessible : code source publié, données téléchargeables, contenus "
            "consultables, sans demande préalable."
        ),
        _("le dépôt de code, la page de téléchargement ou le point d'accès aux données."),
    ),
    CriterionAssessment.Criterion.HETEROGENEOUS_COMMUNITY: (
        _(
            "Des acteurs de natures différentes (administrations, collectivités, entreprises, associations, "
            "personnes) y contribuent ou l'utilisent : le commun ne dépend pas d'un seul acteur."
        ),
        _("une page des contributeurs ou des utilisateurs, un rapport d'activité."),
    ),
    CriterionAssessment.Criterion.SHARED_GOVERNANCE: (
        _("Les décisions sont prises selon des règles écrites et publiques, auxquelles la communauté prend part."),
        _("la charte, les statuts ou la page de gouvernance."),
    ),
    CriterionAssessment.Criterion.CONTRIBUTION_RULES: (
        _("Un guide explique comment proposer une contribution et comment elle est examinée."),
        _("le guide de contribution (fichier CONTRIBUTING, page « contribuer »)."),
    ),
}


def commons_label(request):
    """/label/: the grid of the commons label, how a curator assesses it, and the lists it filters."""
    published = Initiative.objects.published()
    met = CriterionAssessment.objects.filter(
        status=CriterionAssessment.Status.MET, initiative__in=published.values("pk")
    ).order_by()
    met_counts = dict(met.values_list("criterion").annotate(Count("initiative", distinct=True)))
    logic_counts = published.order_by().aggregate(
        **{code: Count("pk", filter=Q(**{f"logic_{code}": True})) for code in Initiative.Logic.values}
    )
    list_url = reverse("initiatives:list")
    context = {
        "criteria": [
            {
                "code": code,
                "label": label,
                "description": CRITERION_GUIDE[code][0],
                "evidence": CRITERION_GUIDE[code][1],
                "count": met_counts.get(code, 0),
                "url": f"{list_url}?{urlencode({'criterion': code})}",
            }
            for code, label in CriterionAssessment.Criterion.choices
        ],
        "all_criteria_url": f"{list_url}?{urlencode([('criterion', code) for code in CriterionAssessment.Criterion.values])}",
        "statuses": CriterionAssessment.Status.choices,
        "logics": [
            {
                "code": code,
                "label": label,
                "count": logic_counts[code],
                "url": f"{list_url}?{urlencode({'logic': code})}",
            }
            for code, label in Initiative.Logic.choices
        ],
        "open_licence_url": f"{list_url}?{urlencode({'licence': 'open'})}",
    }
    return render(request, "initiatives/label.html", context)
