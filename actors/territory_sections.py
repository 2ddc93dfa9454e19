"""The actors of a territory's page (territories/sections.py). Imported by ActorsConfig.ready()."""

from actors.models import Actor
from territories import sections


def actors_section(request, territory, places, only):
    return {
        "template": "actors/_territory_actors.html",
        "area": "aside",
        "heading_id": "titre-acteurs",
        "context": {"actors": Actor.objects.published().filter(territory__in=places).order_by("name")},
    }


sections.register(20, actors_section)
