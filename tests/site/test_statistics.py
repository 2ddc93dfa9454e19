"""/statistiques/: every bar counts what its link lists, only published commons, CSV equal to the tables."""

import csv
import io

import pytest
from django.core.cache import caches
from django.test import override_settings

from funding.models import Award, FundingEdition
from initiatives.models import CriterionAssessment, Initiative
from territories.models import Territory
from tests.factories import PUBLISHED, make_initiative

TITLES = [
    "Communs par secteur",
    "Communs par type",
    "Communs par région",
    "Communs par année de lancement",
    "Communs par état",
    "Communs par licence",
    "Critères du commun remplis",
    "Communs soutenus par dispositif",
    "Soutiens par année d'édition",
]


@pytest.fixture
def figures(directory):
    """The small directory, with licences, launch years, a région's commons and unpublished entries
    that carry every counted value (none of them may show)."""
    bretagne = directory["territories"]["bretagne"]
    Territory.objects.create(code="reg-84", kind="region", name="Auvergne-Rhône-Alpes", official_code="84")
    initiatives = directory["initiatives"]
    Initiative.objects.filter(pk=initiatives["decidim"].pk).update(licence="AGPL-3.0-or-later", launch_year=2016)
    Initiative.objects.filter(pk=initiatives["ban"].pk).update(licence="etalab-2.0", launch_year=2016)
    breizh = make_initiative(
        "breizh-carto",
        "Breizh carto",
        publication_status=PUBLISHED,
        kind="data",
        licence="etalab-2.0",
        launch_year=2019,
        territories=[bretagne],
        sectors=[directory["sectors"]["geodata"]],
    )
    CriterionAssessment.objects.create(initiative=breizh, criterion="open_licence", status="met")
    CriterionAssessment.objects.create(initiative=breizh, criterion="shared_governance", status="met")
    call = directory["schemes"]["call"]
    edition_2030 = FundingEdition.objects.get(scheme=call, year=2030)
    Award.objects.create(edition=edition_2030, initiative=breizh, amount=20000)
    Award.objects.create(edition=call.editions.get(year=2023), initiative=initiatives["ban"])  # no amount known
    for status in ("draft", "archived"):
        hidden = make_initiative(
            f"cache-{status}",
            publication_status=status,
            kind="ai_model",
            licence="MIT",
            launch_year=2001,
            territories=[bretagne],
            development_status="concept",
        )
        CriterionAssessment.objects.create(initiative=hidden, criterion="contribution_rules", status="met")
        Award.objects.create(edition=edition_2030, initiative=hidden, amount=999999)
    Award.objects.create(edition=edition_2030, initiative=initiatives["draft"], amount=111111)
    return directory


def charts(client):
    response = client.get("/statistiques/")
    assert response.status_code == 200
    return {chart["slug"]: chart for chart in response.context["charts"]}


def numbers(chart):
    return {row["label"]: row["count"] for row in chart["rows"]}


def test_the_page_shows_every_chart_with_a_french_heading_a_table_and_a_csv_link(client, figures):
    response = client.get("/statistiques/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>L'état des communs en chiffres</h1>" in html
    assert "5 communs publiés" in html
    for title in TITLES:
        assert f">{title}</h2>" in html.replace("&#x27;", "'")
        assert f"<caption>{title}</caption>" in html.replace("&#x27;", "'")
    assert html.count("Télécharger les données (CSV)") == len(TITLES)
    assert html.count('<th scope="row">') == sum(len(chart["rows"]) for chart in response.context["charts"])
    # The site's menu and footer lead here (and the language selector's French version); so does the sitemap.
    assert html.count('href="/statistiques/"') == 3
    assert "/statistiques/" in client.get("/sitemap-pages.xml").content.decode()


def test_each_bar_counts_the_results_of_the_list_it_links_to(client, figures):
    linked = 0
    for chart in charts(client).values():
        for row in chart["rows"]:
            if row["url"]:
                listed = client.get(row["url"])
                assert listed.status_code == 200
                assert listed.context["errors"] == [], row["url"]
                assert listed.context["total"] == row["count"], (chart["slug"], row["label"], row["url"])
                linked += 1
    assert linked >= 20  # sectors, kinds, régions, years, states and schemes all link


def test_licences_and_criteria_link_to_the_label_filters(client, figures):
    found = charts(client)
    licence_links = {row["label"]: row["url"] for row in found["licences"]["rows"]}
    assert licence_links == {
        "Toute licence ouverte": "/initiatives/?licence=open",
        "etalab-2.0": "/initiatives/?licence=etalab-2.0",
        "AGPL-3.0-or-later": "/initiatives/?licence=AGPL-3.0-or-later",
        "Non renseignée": "",  # no filter lists the commons without a licence
    }
    criteria_links = {row["label"]: row["url"] for row in found["criteres-remplis"]["rows"]}
    assert criteria_links["Licence ouverte"] == "/initiatives/?criterion=open_licence"
    assert criteria_links["Gouvernance partagée et documentée"] == "/initiatives/?criterion=shared_governance"
    assert all(criteria_links.values())
    # The open-licence list names the commons the row counts.
    listed = client.get("/initiatives/?licence=open")
    assert {entry.slug for entry in listed.context["page"].object_list} == {
        "decidim",
        "base-adresse-nationale",
        "breizh-carto",
    }


def test_the_figures_count_published_commons_only(client, figures):
    found = charts(client)
    assert numbers(found["secteurs"]) == {
        "Géodonnées": 3,
        "Participation citoyenne": 1,
        "Outils de l'administration": 1,
    }
    assert numbers(found["types"])["Modèle d'IA"] == 0
    assert numbers(found["types"])["Données"] == 2
    # Bretagne counts Breizh carto and the commons of Brest, a place inside it.
    assert numbers(found["regions"]) == {"Auvergne-Rhône-Alpes": 0, "Bretagne": 2}
    assert numbers(found["annees-de-lancement"]) == {"2016": 2, "2019": 1, "2022": 1}
    assert numbers(found["etats"])["Idée"] == 0
    assert numbers(found["licences"]) == {
        "Toute licence ouverte": 3,
        "etalab-2.0": 2,
        "AGPL-3.0-or-later": 1,
        "Non renseignée": 2,
    }
    assert numbers(found["criteres-remplis"]) == {
        "Licence ouverte": 2,
        "Ressource accessible": 0,
        "Communauté d'acteurs hétérogènes": 0,
        "Gouvernance partagée et documentée": 1,
        "Règles de contribution documentées": 0,
    }
    assert numbers(found["dispositifs"]) == {"Appel à communs": 3}
    years = {row["label"]: (row["count"], row["extra"]) for row in found["financements-par-annee"]["rows"]}
    assert years == {"2023": (2, [50000]), "2030": (1, [20000])}


def test_each_csv_holds_its_table(client, figures):
    for slug, chart in charts(client).items():
        response = client.get(chart["csv_url"])
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="statistiques-{slug}.csv"' in response["Content-Disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")  # spreadsheets then read the accents as UTF-8
        header, *lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        assert header == [chart["column"], chart["count_column"], *chart["extra_columns"]]
        expected = [[row["label"], str(row["count"]), *[str(cell) for cell in row["extra"]]] for row in chart["rows"]]
        assert lines == expected
    amounts = client.get("/statistiques/financements-par-annee.csv").content.decode()
    assert "Année,Nombre de soutiens,Montant connu (€)\r\n2023,2,50000\r\n2030,1,20000\r\n" in amounts


def test_an_unknown_chart_is_a_404(client, figures):
    assert client.get("/statistiques/inconnu.csv").status_code == 404


def test_the_launch_year_filter_of_the_list_and_the_api(client, figures):
    response = client.get("/initiatives/", {"launch_year": "2016"})
    assert response.context["total"] == 2
    assert "Année de lancement : 2016" in response.content.decode()
    assert client.get("/api/v1/initiatives/", {"launch_year": "2016"}).json()["count"] == 2
    refused = client.get("/api/v1/initiatives/", {"launch_year": "1900"})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert "launch_year" in refused.json()["errors"]


@override_settings(PAGE_CACHE_TIMEOUT=60)
def test_anonymous_visitors_get_the_page_from_the_cache(client, figures):
    for cache in ("default", "pages"):
        if cache in caches:
            caches[cache].clear()
    assert client.get("/statistiques/")["X-Cache"] == "miss"
    assert client.get("/statistiques/")["X-Cache"] == "hit"
    assert client.get("/statistiques/licences.csv")["X-Cache"] == "miss"
    assert client.get("/statistiques/licences.csv")["X-Cache"] == "hit"


QUERIES = 11  # the total, one aggregate per chart, and the list of régions


def test_the_page_runs_a_fixed_number_of_queries(client, figures, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        small = client.get("/statistiques/")
    sector = figures["sectors"]["tools"]
    scheme = figures["schemes"]["call"]
    edition = scheme.editions.get(year=2023)
    for index in range(30):
        region = Territory.objects.create(code=f"reg-x{index}", kind="region", name=f"Région {index}")
        initiative = make_initiative(
            f"commun-{index}",
            publication_status=PUBLISHED,
            licence=f"LicenceRef-{index}",
            launch_year=1990 + index,
            sectors=[sector],
            territories=[region],
        )
        CriterionAssessment.objects.create(initiative=initiative, criterion="open_licence", status="met")
        Award.objects.create(edition=edition, initiative=initiative, amount=index)
    with django_assert_num_queries(QUERIES):
        large = client.get("/statistiques/")
    assert len(large.content) > len(small.content)
