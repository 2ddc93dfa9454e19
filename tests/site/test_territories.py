"""Territories that add up (a place counts the commons of the places inside it), the territory page's
census downloads, and the map of France on the home page and on /territoires/."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative
from territories.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    france = Territory.objects.create(code="fr", kind="country", name="France")
    bretagne = Territory.objects.create(
        code="reg-53", kind="region", name="Bretagne", official_code="53", parent=france
    )
    finistere = Territory.objects.create(
        code="dep-29", kind="departement", name="Finistère", official_code="29", parent=bretagne
    )
    ille = Territory.objects.create(
        code="dep-35", kind="departement", name="Ille-et-Vilaine", official_code="35", parent=bretagne
    )
    # Brest's parent is its département; its EPCI is a second link.
    metropole = Territory.objects.create(
        code="epci-242900314", kind="epci", name="Brest Métropole", official_code="242900314", parent=finistere
    )
    brest = Territory.objects.create(
        code="com-29019", kind="commune", name="Brest", official_code="29019", parent=finistere, epci=metropole
    )
    idf = Territory.objects.create(
        code="reg-11", kind="region", name="Île-de-France", official_code="11", parent=france
    )
    paris_dep = Territory.objects.create(
        code="dep-75", kind="departement", name="Paris", official_code="75", parent=idf
    )
    paris = Territory.objects.create(
        code="com-75056", kind="commune", name="Paris", official_code="75056", parent=paris_dep
    )

    def commons(slug, territory, status="published"):
        initiative = Initiative.objects.create(
            name=slug.replace("-", " ").capitalize(), slug=slug, kind="software", publication_status=status
        )
        initiative.territories.set([territory])
        return initiative

    commons("commun-brestois", brest)
    commons("commun-finisterien", finistere)
    commons("commun-parisien", paris)
    commons("brouillon-brestois", brest, status="draft")
    Actor.objects.create(
        name="Ville de Brest",
        slug="ville-de-brest",
        kind="local_authority",
        territory=brest,
        publication_status="published",
    )
    Actor.objects.create(
        name="Ville de Paris",
        slug="ville-de-paris",
        kind="local_authority",
        territory=paris,
        publication_status="published",
    )
    for slug, territory in [
        ("aide-bretonne", bretagne),
        ("aide-francilienne", idf),
        ("aide-nationale", None),
        ("aide-metropolitaine", metropole),
    ]:
        FundingScheme.objects.create(
            name=slug.replace("-", " ").capitalize(),
            slug=slug,
            kind="fund",
            status="open",
            publication_status="published",
            territory=territory,
        )
    return {"bretagne": bretagne, "ille": ille, "brest": brest, "metropole": metropole}


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed_slugs(html):
    return set(re.findall(r'href="/initiatives/([a-z0-9-]+)/"', html))


def api_slugs(query):
    response = APIClient().get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 200
    return {entry["slug"] for entry in response.json()["results"]}


def test_a_region_page_counts_the_commons_of_its_communes(client, places):
    html = html_of(client, "/territoires/reg-53/")
    assert "2 communs" in html
    assert listed_slugs(html) == {"commun-brestois", "commun-finisterien"}
    # The places inside, each with what it holds, itself included.
    assert 'href="/territoires/dep-29/">Finistère (2)</a>' in html
    assert "Ille-et-Vilaine (" not in html  # nothing there: not listed
    # Its actors, and the schemes open to it: its own, and the national ones, not another région's.
    assert "Ville de Brest" in html and "Ville de Paris" not in html
    assert "Aide bretonne" in html and "Aide nationale" in html and "Aide francilienne" not in html


def test_france_counts_everything_published(client, places):
    html = html_of(client, "/territoires/fr/")
    assert "3 communs" in html
    assert listed_slugs(html) == {"commun-brestois", "commun-finisterien", "commun-parisien"}
    assert "Bretagne (2)" in html and "Île-de-France (1)" in html


def test_only_this_level_counts_what_is_attached_to_the_place_itself(client, places):
    html = html_of(client, "/territoires/dep-29/?territory_level=only")
    assert "1 commun" in html and listed_slugs(html) == {"commun-finisterien"}
    assert html_of(client, "/territoires/reg-53/?territory_level=only").count("0 commun") >= 1
    # The page says which count it shows, and the list link keeps the choice.
    assert re.search(r'href="/territoires/dep-29/\?territory_level=only" aria-current="page"', html)
    assert 'href="/initiatives/?territory=dep-29&amp;territory_level=only"' in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("territory=dep-29", {"commun-brestois", "commun-finisterien"}),
        ("territory=reg-53", {"commun-brestois", "commun-finisterien"}),
        ("territory=fr", {"commun-brestois", "commun-finisterien", "commun-parisien"}),
        ("territory=dep-29&territory_level=only", {"commun-finisterien"}),
        ("territory=reg-53&territory_level=only", set()),
        ("territory=com-29019&territory=dep-75", {"commun-brestois", "commun-parisien"}),
    ],
)
def test_the_territory_filter_includes_the_places_inside_on_the_site_and_in_the_api(client, places, query, expected):
    assert listed_slugs(html_of(client, f"/initiatives/?{query}")) == expected
    assert api_slugs(query) == expected


def test_an_epci_counts_the_commons_of_its_member_communes(client, places):
    html = html_of(client, "/territoires/epci-242900314/")
    assert "1 commun" in html and listed_slugs(html) == {"commun-brestois"}
    # Its member communes are the places inside it, though their parent is the département.
    assert 'href="/territoires/com-29019/">Brest (1)</a>' in html
    assert "Ville de Brest" in html
    # The schemes open to it: its own, its département's région's, the national ones.
    assert "Aide metropolitaine" in html and "Aide bretonne" in html and "Aide nationale" in html
    assert "Aide francilienne" not in html
    assert listed_slugs(html_of(client, "/territoires/epci-242900314/?territory_level=only")) == set()
    # The census downloads follow the same rule.
    census = client.get("/api/v1/initiatives/export.csv/?territory=epci-242900314")
    rows = csv.DictReader(io.StringIO(b"".join(census.streaming_content).decode("utf-8-sig")))
    assert {row["slug"] for row in rows} == {"commun-brestois"}


def test_a_commune_page_names_its_epci_and_the_epci_schemes_open_to_it(client, places):
    html = html_of(client, "/territoires/com-29019/")
    assert re.search(
        r"Membre de l'intercommunalité : <a [^>]*href=\"/territoires/epci-242900314/\">Brest Métropole</a>", html
    )
    assert "Aide metropolitaine" in html and "Aide bretonne" in html
    # The API says it too.
    body = APIClient().get("/api/v1/territories/com-29019/").json()
    assert (body["parent"], body["epci"]) == ("dep-29", "epci-242900314")
    assert APIClient().get("/api/v1/territories/dep-29/").json()["epci"] is None
    # A commune outside the EPCI is not eligible to the EPCI's scheme.
    assert "Aide metropolitaine" not in html_of(client, "/territoires/com-75056/")
    # The funding finder's territory filter says the same, on the site and in the API.
    response = APIClient().get("/api/v1/funding-schemes/?territory=com-29019")
    assert response.status_code == 200
    assert {entry["slug"] for entry in response.json()["results"]} == {
        "aide-bretonne",
        "aide-nationale",
        "aide-metropolitaine",
    }
    assert "Aide metropolitaine" in html_of(client, "/financements/?territory=com-29019")
    assert "Aide metropolitaine" not in html_of(client, "/financements/?territory=dep-29")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("territory=epci-242900314", {"commun-brestois"}),
        ("territory=epci-242900314&territory_level=only", set()),
    ],
)
def test_the_territory_filter_includes_an_epci_member_communes(client, places, query, expected):
    assert listed_slugs(html_of(client, f"/initiatives/?{query}")) == expected
    assert api_slugs(query) == expected
    actors = APIClient().get(f"/api/v1/actors/?{query}").json()["results"]
    assert {entry["slug"] for entry in actors} == ({"ville-de-brest"} if expected else set())


def test_the_list_offers_only_this_level_as_a_box_to_tick(client, places):
    box = r'<input type="checkbox" name="territory_level" value="only" id="territory_level"'
    assert re.search(box + ">", html_of(client, "/initiatives/?territory=dep-29"))
    assert re.search(box + " checked>", html_of(client, "/initiatives/?territory=dep-29&territory_level=only"))


def test_territory_facet_counts_follow_the_same_rule(client, places):
    def facet(url):
        html = html_of(client, url)
        section = html[html.index('data-facet="territory"') :]
        section = section[: section.index("</fieldset>")]
        return dict(re.findall(r'data-option="([^"]+)" data-count="(\d+)"', section))

    assert facet("/initiatives/") == {
        "fr": "3",
        "reg-53": "2",
        "dep-29": "2",
        "com-29019": "1",
        "epci-242900314": "1",
        "reg-11": "1",
        "dep-75": "1",
        "com-75056": "1",
    }
    assert facet("/initiatives/?territory_level=only") == {"dep-29": "1", "com-29019": "1", "com-75056": "1"}


def test_actors_filter_includes_the_places_inside(client, places):
    response = APIClient().get("/api/v1/actors/?territory=reg-53")
    assert {entry["slug"] for entry in response.json()["results"]} == {"ville-de-brest"}
    response = APIClient().get("/api/v1/actors/?territory=reg-53&territory_level=only")
    assert response.json()["results"] == []
    assert "Ville de Brest" in html_of(client, "/acteurs/?territory=reg-53")
    html = html_of(client, "/acteurs/?territory=reg-53&territory_level=only")
    assert "Ville de Brest" not in html and 'value="only" id="territory_level" checked>' in html


def test_an_unknown_level_is_refused(client, places):
    response = APIClient().get("/api/v1/initiatives/?territory=reg-53&territory_level=tout")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "territory_level" in response.json()["errors"]
    html = html_of(client, "/initiatives/?territory=reg-53&territory_level=tout")
    assert "Niveau du territoire :" in html


def test_the_territory_page_offers_its_census_as_csv_and_json(client, places):
    html = html_of(client, "/territoires/reg-53/")
    csv_url = re.search(r'href="([^"]+)" data-format="csv"', html).group(1).replace("&amp;", "&")
    json_url = re.search(r'href="([^"]+)" data-format="json"', html).group(1).replace("&amp;", "&")
    assert csv_url == "/api/v1/initiatives/export.csv/?territory=reg-53"

    response = client.get(csv_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row["slug"] for row in rows} == {"commun-brestois", "commun-finisterien"}

    response = client.get(json_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    entries = json.loads(b"".join(response.streaming_content))
    assert {entry["slug"] for entry in entries} == {"commun-brestois", "commun-finisterien"}

    only = html_of(client, "/territoires/reg-53/?territory_level=only")
    assert 'href="/api/v1/initiatives/export.csv/?territory=reg-53&amp;territory_level=only"' in only


def map_areas(html, level):
    svg = html[html.index(f'data-level="{level}"') :]
    svg = svg[: svg.index("</svg>")]
    return {
        code: (href, label, int(count))
        for href, label, code, count in re.findall(
            r'<a href="([^"]+)" aria-label="([^"]+)" class="annuaire-carte-\d" data-code="([^"]+)" data-count="(\d+)"',
            svg,
        )
    }


def table_counts(html, level):
    table = html[html.index(f'<table data-level="{level}"') :]
    table = table[: table.index("</table>")]
    return {code: int(count) for code, count in re.findall(r'<td data-code="([^"]+)">(\d+)</td>', table)}


@pytest.mark.parametrize("url", ["/", "/territoires/"])
def test_the_map_links_each_area_to_its_page_with_its_count(client, places, url):
    html = html_of(client, url)
    regions, departements = map_areas(html, "region"), map_areas(html, "departement")
    assert regions["reg-53"] == ("/territoires/reg-53/", "Bretagne : 2 communs", 2)
    assert regions["reg-11"] == ("/territoires/reg-11/", "Île-de-France : 1 commun", 1)
    assert departements["dep-29"] == ("/territoires/dep-29/", "Finistère : 2 communs", 2)
    assert departements["dep-35"] == ("/territoires/dep-35/", "Ille-et-Vilaine : 0 commun", 0)
    # The tables say the same, for every région and département.
    assert table_counts(html, "region") == {code: area[2] for code, area in regions.items()}
    assert table_counts(html, "departement") == {code: area[2] for code, area in departements.items()}
    assert "CC BY 4.0" in html  # the map's credit


def test_every_official_territory_is_on_the_map_after_the_import(client):
    call_command("import_territories", verbosity=0)
    assert client.get("/territoires/dep-35/").status_code == 200
    html = html_of(client, "/territoires/")
    regions, departements = map_areas(html, "region"), map_areas(html, "departement")
    assert len(regions) == 18 and len(departements) == 101
    # Overseas included, each a link too.
    assert departements["dep-974"][:2] == ("/territoires/dep-974/", "La Réunion : 0 commun")
    assert regions["reg-94"][1] == "Corse : 0 commun"
    assert len(table_counts(html, "departement")) == 101


def test_the_territory_pages_run_a_fixed_number_of_queries(client, places, django_assert_num_queries):
    # The page, its commons (count, page, sectors), its actors, the places inside, its schemes, the
    # commons used there (one query with their organisations).
    with django_assert_num_queries(11):
        client.get("/territoires/reg-53/")
    # The régions and départements, and the commons they hold.
    with django_assert_num_queries(2):
        client.get("/territoires/")
