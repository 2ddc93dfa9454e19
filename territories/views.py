"""The pages of places: /territoires/ (the map of France) and /territoires/<code>/, whose lists (the
commons, actors and funding schemes of the place) come from the feature apps (territories/sections.py)."""

from django.shortcuts import get_object_or_404, render

from territories import maps, places, sections
from territories.models import Territory


def territory_index(request):
    """/territoires/: the map of France and its régions, each with its number of commons."""
    context = {"map": maps.france_map()}
    return render(request, "territories/territory_index.html", context)


def territory_detail(request, code):
    # The chain of places above is loaded with the place: the schemes open to it follow it upwards.
    territory = get_object_or_404(Territory.objects.select_related(places.ANCESTRY, "epci"), code=code)
    # By default a place shows what the places inside it hold (Bretagne shows Brest's commons);
    # "only this level" shows what is attached to the place itself, as the lists' filter does.
    only = request.GET.get("territory_level") == places.ONLY
    context = {
        "territory": territory,
        "only": only,
        "sections": sections.build(request, territory, places.places_of([territory], only=only), only),
    }
    return render(request, "territories/territory_detail.html", context)
