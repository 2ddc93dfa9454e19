"""Territories that add up: a place counts the commons of the places inside it.

A territory's chain of parents is short and bounded (commune < département < région < France, and
above it at most Europe and the world), so "inside X" is a fixed set of joins on the indexed
`parent` key rather than a recursive query or a stored path that every import would have to keep
in step. The same rule serves the page of a territory, the `territory` filter of the listings, their
facets and the map. Upwards, `with_ancestors()` and `containing_ids()` give the places that contain
a place: the funding finder's eligibility (a scheme of the Bretagne is open to Brest) follows them.

EPCI: a commune's parent is its département, and its EPCI a second link (`Territory.epci`, from the
official membership file), since an EPCI may straddle départements. So "inside an EPCI" is the EPCI
and its member communes, and a commune is counted for its EPCI as well as for its département.
"""

from django.db.models import Q, QuerySet

from territories.models import Territory

# Links of the longest chain the directory holds, the place itself included (upwards, see ANCESTRY
# below).
DEPTH = 5
# `territory_level=only`: the exact places asked for, not the places inside them.
ONLY = "only"
LEVEL_CHOICES = [(ONLY, "Ce niveau seulement")]


def links(field):
    """The lookups from a territory to itself and to each place that contains it, nearest first, its
    EPCI last: links("territory") == ["territory", "territory__parent", …, "territory__epci"]."""
    return [field + "__parent" * depth for depth in range(DEPTH)] + [field + "__epci"]


def inside(territories):
    """Territories that are one of `territories` or lie inside one of them (a queryset or a list)."""
    if not isinstance(territories, QuerySet):
        territories = [territory.pk for territory in territories]
    condition = Q(pk__in=territories) | Q(epci__in=territories)
    for depth in range(1, DEPTH):
        condition |= Q(**{"parent__" * (depth - 1) + "parent__in": territories})
    return Territory.objects.filter(condition)


def places_of(territories, only=False):
    """The territories an entry attached to any of `territories` is counted for: themselves, and
    unless `only` the places inside them."""
    return territories if only else inside(territories)


def rolled_up_rows(through, entries, entry_field, *values):
    """Aggregate rows (values…, count) of every place that holds or contains a territory of the
    listed `entries`: an entry attached to Brest counts once for Brest, Finistère, Bretagne and
    France. `through` is the queryset of the links entry → territory (a many-to-many's rows or the
    entries themselves), read in one query; `values` are fields of Territory ("code", "name")."""
    return list(rolled_up_query(through, entries, entry_field, *values))


def rolled_up_query(through, entries, entry_field, *values):
    """rolled_up_rows() as a query and its roll-up, for a list's facets to read with the others
    (communs.listing.count_facets)."""
    from communs.listing import Rows

    chain = links("territory")
    columns = [entry_field] + [f"{link}__{value}" for link in chain for value in values]

    def roll_up(rows):
        seen = {}
        for row in rows:
            entry, rest = row[0], row[1:]
            for index in range(0, len(rest), len(values)):
                place = rest[index : index + len(values)]
                if place[0] is not None:
                    seen.setdefault(place, set()).add(entry)
        return [(*place, len(members)) for place, members in seen.items()]

    return Rows(through.filter(**{f"{entry_field}__in": entries}).values_list(*columns), roll_up)


# --- Upwards: the places that contain a place ----------------------------------------------------

# Deep enough for the longest chain the directory has (commune < département < région < pays <
# Europe < monde), fetched with the chosen place in one query: select_related(ANCESTRY).
ANCESTRY = "parent__" * 4 + "parent"
# The kinds of place wide enough to hold every place of the directory, whether or not a place's
# chain of parents reaches that level (France has no parent in the demo data).
EVERYWHERE = (Territory.Kind.WORLD, Territory.Kind.EUROPE)


def with_ancestors(territory):
    """The territory and the places that contain it, nearest first (follows the loaded parents)."""
    chain, seen = [], set()
    while territory is not None and territory.pk not in seen:  # a cycle in bad data must not hang
        chain.append(territory)
        seen.add(territory.pk)
        territory = territory.parent
    return chain


def containing_ids(territory):
    """The keys of the territory, of the places that contain it and of its EPCI: a scheme of Brest
    Métropole is open to Brest, whose parent is the Finistère."""
    return [place.pk for place in with_ancestors(territory)] + ([territory.epci_id] if territory.epci_id else [])
