"""/statistiques/: the state of the directory in figures, drawn from the database, no outside service.

Each chart is a table (caption, headers) whose rows carry their bar; a row links to the list of
commons it counts, `/initiatives/?<filter>=<value>`. The linked counts are the list's own facet
counts (InitiativeFilter.facets, communs/listing.py) on the published entries with no filter
active, so a bar's number is the number of results its link shows (tests/site/test_statistics.py).
Every chart also downloads as CSV (/statistiques/<chart>.csv), the same columns as its table.

The page runs a fixed number of queries whatever the size of the directory: one aggregate per
chart (two for the regions), and the anonymous page cache (communs/page_cache.py) keeps it.
"""

from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communs.models import visible_q
from communs.rest.formats import csv_text
from funding.models import Award, FundingScheme
from initiatives.filters import OPEN_LICENCE, InitiativeFilter
from initiatives.models import Initiative
from territories.models import Territory

COUNT_COLUMN = _("Nombre de communs")
NO_LICENCE = _("Non renseignée")


def _facet_counts(filterset, name):
    """({value: count}, labels) of the list's facet `name`, as /initiatives/ counts it unfiltered."""
    facet = next(facet for facet in filterset.facets if facet.name == name)
    return facet.counts(filterset)


def _list_url(name, value):
    return f"{reverse('initiatives:list')}?{urlencode({name: value})}"


def _row(label, count, filter_name=None, value=None, **cells):
    return {
        "label": str(label),
        "count": count,
        "url": _list_url(filter_name, value) if filter_name else "",
        "cells": cells,
    }


def _choice_rows(filterset, name):
    """One row per declared choice, in the declared order, zero counts included."""
    counts, choices = _facet_counts(filterset, name)
    return [_row(label, counts.get(value, 0), name, value) for value, label in choices]


def _entry_rows(filterset, name):
    """One row per counted entry (sector, scheme …), most counted first."""
    counts, labels = _facet_counts(filterset, name)
    rows = [_row(labels.get(value, value), count, name, value) for value, count in counts.items() if count]
    for row in rows:
        row["content"] = True  # a name as entered (in French), which the English page marks as such
    return sorted(rows, key=lambda row: (-row["count"], row["label"].casefold()))


def sectors(filterset):
    return _entry_rows(filterset, "sector")


def kinds(filterset):
    return _choice_rows(filterset, "kind")


def development_statuses(filterset):
    return _choice_rows(filterset, "development_status")


def regions(filterset):
    """Every région, through the list's `territory` filter: a commons counts where the list finds it."""
    counts, _labels = _facet_counts(filterset, "territory")
    places = Territory.objects.filter(kind=Territory.Kind.REGION).order_by("name").values_list("code", "name")
    return [_row(name, counts.get(code, 0), "territory", code) for code, name in places]


def launch_years(filterset):
    counts, _choices = _facet_counts(filterset, "launch_year")
    return [_row(year, counts[year], "launch_year", year) for year in sorted(counts, key=int)]


def funding_schemes(filterset):
    return _entry_rows(filterset, "funding_scheme")


def licences(filterset):
    """The list's licence facet: one row per stored licence, "any open licence" first, each linked to
    `?licence=…`; the commons without a licence close the chart, unlinked (no filter lists them)."""
    facet = next(facet for facet in filterset.facets if facet.name == "licence")
    stored = list(facet.rows(filterset))
    counts, labels = facet.counts_of(stored)
    rows = [_row(labels.get(value, value), count, "licence", value) for value, count in counts.items() if count]
    rows.sort(
        key=lambda row: (row["url"] != _list_url("licence", OPEN_LICENCE), -row["count"], row["label"].casefold())
    )
    unknown = sum(count for licence, count in stored if not licence)
    if unknown:
        rows.append(_row(NO_LICENCE, unknown))
    return rows


def criteria_met(filterset):
    """Each criterion's met count, as the list's criterion facet counts it, linked to `?criterion=…`."""
    return _choice_rows(filterset, "criterion")


FUNDING_AWARDS = _("Nombre de soutiens")
FUNDING_AMOUNT = _("Montant connu (€)")


def funding_years(filterset):
    """Awards to published commons from published schemes, by the year of their edition.

    The bar is the number of awards: many awards have no public amount, so the sum of the known
    amounts is a column of its own, never the measure of a bar.
    """
    awards = (
        Award.objects.filter(
            visible_q(Initiative, prefix="initiative__"), visible_q(FundingScheme, prefix="edition__scheme__")
        )
        .order_by()
        .values_list("edition__year")
        .annotate(count=Count("pk"), amount=Sum("amount"))
    )
    rows = [
        _row(
            year or gettext("Année non renseignée"),
            count,
            **{str(FUNDING_AMOUNT): None if amount is None else round(amount)},
        )
        for year, count, amount in awards
    ]
    return sorted(rows, key=lambda row: (not row["label"].isdigit(), row["label"]))


# slug (the CSV's address), title, the first column's header, the count's header, rows, extra columns, note.
CHARTS = [
    ("secteurs", _("Communs par secteur"), _("Secteur"), COUNT_COLUMN, sectors, [], ""),
    ("types", _("Communs par type"), _("Type"), COUNT_COLUMN, kinds, [], ""),
    (
        "regions",
        _("Communs par région"),
        _("Région"),
        COUNT_COLUMN,
        regions,
        [],
        _("Un commun compte pour une région quand sa fiche cite cette région parmi ses territoires."),
    ),
    (
        "annees-de-lancement",
        _("Communs par année de lancement"),
        _("Année de lancement"),
        COUNT_COLUMN,
        launch_years,
        [],
        _("Seuls les communs dont l'année de lancement est connue sont comptés."),
    ),
    ("etats", _("Communs par état"), _("État"), COUNT_COLUMN, development_statuses, [], ""),
    ("licences", _("Communs par licence"), _("Licence (SPDX)"), COUNT_COLUMN, licences, [], ""),
    (
        "criteres-remplis",
        _("Critères du commun remplis"),
        _("Critère"),
        COUNT_COLUMN,
        criteria_met,
        [],
        _("Nombre de communs dont l'équipe éditoriale a évalué le critère comme rempli, preuve à l'appui."),
    ),
    ("dispositifs", _("Communs soutenus par dispositif"), _("Dispositif"), COUNT_COLUMN, funding_schemes, [], ""),
    (
        "financements-par-annee",
        _("Soutiens par année d'édition"),
        _("Année"),
        FUNDING_AWARDS,
        funding_years,
        [FUNDING_AMOUNT],
        _("Lauréats des éditions des dispositifs de financement ; le montant additionne les montants publiés."),
    ),
]


def build_chart(filterset, slug, title, column, count_column, rows, extra_columns, note):
    # The headers as the CSV writes them and the cells are keyed: strings in the request's language.
    column, count_column, extra_columns = str(column), str(count_column), [str(name) for name in extra_columns]
    rows = rows(filterset)
    highest = max((row["count"] for row in rows), default=0)
    for row in rows:
        # The bar's length, in percent of the longest; a non-zero count always shows a sliver.
        row["percent"] = max(1, round(row["count"] * 100 / highest)) if row["count"] else 0
        row["extra"] = [row["cells"].get(name, "") for name in extra_columns]
    return {
        "slug": slug,
        "title": str(title),
        "column": column,
        "count_column": count_column,
        "extra_columns": extra_columns,
        "rows": rows,
        "note": str(note),
        "csv_url": reverse("initiatives:statistics-csv", args=[slug]),
    }


def _filterset():
    # The list's FilterSet with no filter: its facets count exactly what each filtered list shows.
    return InitiativeFilter({}, queryset=Initiative.objects.published())


def statistics(request):
    filterset = _filterset()
    context = {
        "total": Initiative.objects.published().count(),
        "charts": [build_chart(filterset, *chart) for chart in CHARTS],
    }
    return render(request, "initiatives/statistics.html", context)


def statistics_csv(request, chart):
    spec = next((spec for spec in CHARTS if spec[0] == chart), None)
    if spec is None:
        raise Http404("Ce graphique n'existe pas.")
    data = build_chart(_filterset(), *spec)
    columns = [data["column"], data["count_column"], *data["extra_columns"]]
    lines = ({data["column"]: row["label"], data["count_column"]: row["count"], **row["cells"]} for row in data["rows"])
    # A whole response (not streamed), so that the page cache keeps it like the page.
    response = HttpResponse("".join(csv_text(columns, lines)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistiques-{chart}.csv"'
    return response
