"""What a territory's page shows of the other apps: the commons, actors and funding schemes of the
place belong to the feature apps, which this app does not import. Each of them registers a builder
from its own `territory_sections.py`, imported in its AppConfig.ready():

    sections.register(20, actors_section)

`builder(request, territory, places, only)` gets the place, the places its entries are counted for
(`places_of()`: the place and, unless `only`, the places inside it) and returns a section or a list
of sections: {"template": …, "area": …, "context": {…}}, where the area is one of AREAS ("main": the
wide column, "aside": the narrow one, "end": below both) and "heading_id" (optional) the id of the
section's heading. The page renders the sections of each area in the order of their numbers, each
template with the page's context and its own.
"""

AREAS = ("main", "aside", "end")

_builders = {}


def register(order, builder):
    # Keyed by the builder's name: registering again (a second ready()) replaces, never repeats.
    _builders[f"{builder.__module__}.{builder.__qualname__}"] = (order, builder)


def build(request, territory, places, only):
    """{area: [section, …]} for the page of `territory`."""
    areas = {area: [] for area in AREAS}
    for _order, builder in sorted(_builders.values(), key=lambda item: item[0]):
        built = builder(request, territory, places, only)
        for section in built if isinstance(built, list) else [built]:
            areas[section.get("area", "main")].append(section)
    return areas
