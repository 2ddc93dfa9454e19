"""The map of France of the home page and of /territoires/: régions and départements coloured by
their number of published commons (counted as the territory pages count them: a place counts the
commons of the places inside it), drawn inline as SVG links, with the same numbers as tables.

The shapes are those of static/cartes/france-departements.svg (CC BY 4.0, see the README beside it),
read once per process; a région is drawn as the group of its départements.

What the map counts belongs to the app that holds it: the initiatives app gives its counter with
`count_with()` (from its AppConfig.ready()), so that this app imports no feature app.
"""

import functools
import xml.etree.ElementTree as ET

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from territories.models import Territory

SVG_FILE = "cartes/france-departements.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
# The package's drawing, widened on the left for the overseas départements, which it lacks.
VIEWBOX = "-150 0 763 585"
# Overseas départements: a labelled square each, in a column left of metropolitan France.
OVERSEAS = ["971", "972", "973", "974", "976"]
OVERSEAS_X, OVERSEAS_TOP, OVERSEAS_STEP, OVERSEAS_SIZE = -145, 250, 64, 40

# Count classes: (lowest count, label); the fill of each is in static/css/annuaire.css
# (`.annuaire-carte-N`), colours of the DSFR's blue-france scale, darker for more commons.
CLASSES = [(0, _("aucun")), (1, _("1 ou 2")), (3, _("de 3 à 9")), (10, _("de 10 à 29")), (30, _("30 ou plus"))]


@functools.cache
def departement_shapes():
    """{INSEE code of a département: SVG path data}, from the shipped map."""
    tree = ET.parse(finders.find(SVG_FILE))
    return {path.get("id"): path.get("d") for path in tree.getroot().iter(f"{SVG_NS}path")}


def count_class(count):
    return max(index for index, (lowest, _label) in enumerate(CLASSES) if count >= lowest)


def commons_label(count):
    return ngettext("%(count)s commun", "%(count)s communs", count) % {"count": count}


def uses_label(count):
    return ngettext("%(count)s utilisation", "%(count)s utilisations", count) % {"count": count}


_counters = []


def count_with(counter):
    """Set what the map counts: `counter()` gives rows (code, count) of the places, each counting
    what the places inside it hold (see territories.places.rolled_up_rows), in one query."""
    _counters[:] = [counter]


def france_map(counts=None, label=commons_label):
    """The map's régions and départements with their counts, links and shapes (two queries).

    `counts` ({place code: count}, each place counting what the places inside it hold) draws another
    map than the commons' (a commons' uses, labelled by `label`); None counts the commons."""
    places = Territory.objects.filter(kind__in=[Territory.Kind.REGION, Territory.Kind.DEPARTEMENT]).values_list(
        "code", "name", "kind", "official_code", "parent__code"
    )
    if counts is None:
        counts = dict(_counters[0]()) if _counters else {}
    shapes = departement_shapes()
    regions, departements = {}, []
    for code, name, kind, official_code, parent_code in sorted(places, key=lambda place: place[1]):
        count = counts.get(code, 0)
        area = {
            "code": code,
            "name": name,
            "count": count,
            "label": gettext("%(place)s : %(commons)s") % {"place": name, "commons": label(count)},
            "url": reverse("territories:detail", args=[code]),
            "class": count_class(count),
            "shapes": [],
        }
        if kind == Territory.Kind.REGION:
            regions[code] = area
        else:
            area["region"] = parent_code
            if official_code in shapes:
                area["shapes"] = [{"d": shapes[official_code]}]
            elif official_code in OVERSEAS:
                y = OVERSEAS_TOP + OVERSEAS.index(official_code) * OVERSEAS_STEP
                area["shapes"] = [{"x": OVERSEAS_X, "y": y, "size": OVERSEAS_SIZE, "text_x": OVERSEAS_X + 46}]
                area["inset"] = name
            departements.append(area)
    for departement in departements:
        region = regions.get(departement["region"])
        if region is not None:
            region["shapes"] += [dict(shape, text=departement.get("inset")) for shape in departement["shapes"]]
    for departement in departements:
        for shape in departement["shapes"]:
            shape["text"] = departement.get("inset")
    return {
        "viewbox": VIEWBOX,
        "regions": [region for region in regions.values() if region["shapes"]],
        "departements": [departement for departement in departements if departement["shapes"]],
        "region_rows": list(regions.values()),
        "departement_rows": departements,
        "legend": [{"class": index, "label": str(label)} for index, (_lowest, label) in enumerate(CLASSES)],
    }
