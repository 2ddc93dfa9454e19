"""What the page of a territory (territories/sections.py) and the map of France (territories/maps.py)
show of the commons: the commons of the place, its census downloads and the places inside it that
hold commons. Imported by InitiativesConfig.ready()."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode

from communs.listing import paginate
from initiatives.models import Deployment, Initiative
from territories import maps, places, sections


def commons_counts():
    """(code, count) of every place holding or containing the territory of a published commons."""
    return places.rolled_up_rows(
        Initiative.territories.through.objects, Initiative.objects.published().values("pk"), "initiative_id", "code"
    )


def commons_sections(request, territory, inside, only):
    links = Initiative.territories.through.objects.filter(territory__in=inside)
    initiatives = (
        Initiative.objects.published()
        .filter(pk__in=links.values("initiative_id"))
        .prefetch_related("sectors", "criteria")
        .order_by("name")
    )
    # The places directly inside this one (an EPCI's: its member communes), each counting the
    # commons of the places inside it.
    rows = places.rolled_up_rows(
        Initiative.territories.through.objects.filter(territory__in=places.inside([territory])),
        Initiative.objects.published().values("pk"),
        "initiative_id",
        "code",
        "name",
        "parent_id",
        "epci_id",
    )
    children = sorted(
        (
            {"code": code, "name": name, "count": count}
            for code, name, parent_id, epci_id, count in rows
            if territory.pk in (parent_id, epci_id)
        ),
        key=lambda child: child["name"],
    )
    page, page_notice = paginate(request, initiatives)
    query = {"territory": territory.code, **({"territory_level": places.ONLY} if only else {})}
    census = {
        "csv": reverse("api:initiative-export-csv") + "?" + urlencode(query),
        "json": reverse("api:initiative-export-json") + "?" + urlencode(query),
    }
    return [
        {
            "template": "initiatives/_commons_section.html",
            "area": "main",
            "heading_id": "titre-communs",
            "context": {"page": page, "page_notice": page_notice, "filter_query": urlencode(query)},
        },
        {
            "template": "initiatives/_territory_census.html",
            "area": "end",
            "heading_id": "titre-recensement",
            "context": {"page": page, "census": census, "children": children},
        },
    ]


# The scales of commons usable anywhere in France, whatever place they name.
WIDE_SCOPES = (Initiative.Scope.NATIONAL, Initiative.Scope.EUROPEAN, Initiative.Scope.INTERNATIONAL)
FRENCH_PLACES = ("country", "region", "departement", "epci", "commune", "other")
WIDE_SHOWN = 12


def usable_here_section(request, territory, inside, only):
    """The national, European and international commons usable in a French place, apart from the
    commons of the place itself (those are in the section above and not repeated here)."""
    if only or territory.kind not in FRENCH_PLACES:
        return []
    links = Initiative.territories.through.objects.filter(territory__in=inside)
    wide = (
        Initiative.objects.published()
        .filter(territorial_scope__in=WIDE_SCOPES)
        .exclude(pk__in=links.values("initiative_id"))
        .order_by("name")
    )
    counts = dict(wide.order_by().values_list("territorial_scope").annotate(count=Count("pk")))
    shown = list(wide.prefetch_related("sectors", "criteria")[:WIDE_SHOWN])
    scopes = [
        {
            "label": Initiative.Scope(scope).label,
            "count": counts.get(scope, 0),
            "url": reverse("initiatives:list") + "?" + urlencode({"scope": scope}),
        }
        for scope in WIDE_SCOPES
    ]
    return {
        "template": "initiatives/_usable_here.html",
        "area": "end",
        "heading_id": "titre-communs-utilisables",
        "context": {"wide": shown, "wide_total": sum(counts.values()), "wide_scopes": scopes},
    }


USED_SHOWN = 50


def used_here_section(request, territory, inside, only):
    """The commons organisations of the place use (their deployments there, and in the places inside
    it unless `only`), with who runs each: an académie's PeerTube counts for its région."""
    uses = (
        Deployment.objects.published()
        .filter(territory__in=inside)
        .select_related("initiative", "actor", "territory")
        .order_by("initiative__name", "actor__name", "pk")
    )
    rows = list(uses[: USED_SHOWN + 1])
    if not rows:
        return []
    commons = {}
    for deployment in rows[:USED_SHOWN]:
        commons.setdefault(deployment.initiative, []).append(deployment)
    query = {"used_in": territory.code}
    return {
        "template": "initiatives/_used_here.html",
        "area": "main",
        "heading_id": "titre-communs-utilises",
        "context": {
            "used": [{"initiative": initiative, "deployments": items} for initiative, items in commons.items()],
            "used_more": len(rows) > USED_SHOWN,
            "used_list_url": reverse("initiatives:list") + "?" + urlencode(query),
            "used_census_url": reverse("api:deployment-export-csv") + "?" + urlencode({"territory": territory.code}),
        },
    }


maps.count_with(commons_counts)
sections.register(10, commons_sections)
sections.register(11, usable_here_section)
sections.register(12, used_here_section)
