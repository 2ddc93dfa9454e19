"""What the page of a territory (territories/sections.py) and the map of France (territories/maps.py)
show of the commons: the commons of the place, its census downloads and the places inside it that
hold commons. Imported by InitiativesConfig.ready()."""

from django.urls import reverse
from django.utils.http import urlencode

from communs.listing import paginate
from initiatives.models import Initiative
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


maps.count_with(commons_counts)
sections.register(10, commons_sections)
