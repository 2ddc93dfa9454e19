"""The uses of a commons (initiatives.Deployment) as a reader finds them: the commons' page, the
actor's, the territory's, the list's filters and the API."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communs.cache import bump_content_version
from initiatives.models import Deployment, DeploymentRedirect
from tests.factories import make_actor, make_initiative, make_territory

pytestmark = pytest.mark.django_db

PUBLISHED = "published"


@pytest.fixture
def places():
    bretagne = make_territory("reg-53", "Bretagne", kind="region")
    finistere = make_territory("dep-29", "Finistère", parent=bretagne)
    brest = make_territory("com-29019", "Brest", kind="commune", parent=finistere)
    paris = make_territory("reg-11", "Île-de-France", kind="region")
    return {"bretagne": bretagne, "finistere": finistere, "brest": brest, "paris": paris}


@pytest.fixture
def peertube(places):
    commons = make_initiative("peertube", "PeerTube", publication_status=PUBLISHED)
    rennes = make_actor("academie-de-rennes", "Académie de Rennes", publication_status=PUBLISHED)
    brest = make_actor("ville-de-brest", "Ville de Brest", publication_status=PUBLISHED)
    hidden = make_actor("organisme-brouillon", "Organisme en brouillon")  # a draft
    uses = {
        "rennes": Deployment.objects.create(
            initiative=commons,
            actor=rennes,
            name="Tube Rennes",
            url="https://tube.ac-rennes.fr",
            territory=places["bretagne"],
            since="2020-10",
            publication_status=PUBLISHED,
            sources=[{"source": "sill-services"}],
        ),
        "brest": Deployment.objects.create(
            initiative=commons,
            actor=brest,
            url="https://video.brest.fr",
            territory=places["brest"],
            publication_status=PUBLISHED,
            sources=[{"document": "Délibération du conseil municipal"}],
        ),
        "hidden": Deployment.objects.create(
            initiative=commons,
            actor=hidden,
            url="https://cache.example.fr",
            territory=places["brest"],
            publication_status=PUBLISHED,
        ),
        "draft": Deployment.objects.create(
            initiative=commons, actor=rennes, url="https://brouillon.ac-rennes.fr", territory=places["paris"]
        ),
    }
    return commons, uses


def test_the_commons_page_lists_who_uses_it_where_and_from_which_source(client, peertube):
    commons, uses = peertube
    html = client.get("/initiatives/peertube/").content.decode()

    assert "Utilisé par 2 organisations" in html
    assert f'id="deploiement-{uses["rennes"].pk}"' in html
    assert 'href="/acteurs/academie-de-rennes/">Académie de Rennes</a>' in html
    assert 'href="https://tube.ac-rennes.fr" rel="noopener">Tube Rennes</a>' in html
    assert 'href="/territoires/reg-53/">Bretagne</a>' in html and "2020-10" in html
    assert "Délibération du conseil municipal" in html
    # A use by an organisation the public cannot see, or not published itself, is not shown.
    assert "cache.example.fr" not in html and "brouillon.ac-rennes.fr" not in html


def test_an_organisation_using_the_commons_is_named_once_under_its_uses(client, peertube):
    commons, uses = peertube
    commons.involvements.create(actor=uses["rennes"].actor, role="user")  # publiccode.yml's usedBy, say
    lyon = make_actor("ville-de-lyon", "Ville de Lyon", publication_status=PUBLISHED)
    commons.involvements.create(actor=lyon, role="user")  # a user whose use has no entry of its own
    html = client.get("/initiatives/peertube/").content.decode()
    assert html.count('href="/acteurs/academie-de-rennes/"') == 1
    roles = html[: html.index('id="titre-utilisations"')]
    assert 'href="/acteurs/ville-de-lyon/"' in roles and "academie-de-rennes" not in roles


def test_the_commons_page_maps_its_uses_by_region_and_departement(client, peertube, places):
    places["finistere"].official_code = "29"  # the shipped map's shape of the Finistère
    places["finistere"].save()
    html = client.get("/initiatives/peertube/").content.decode()
    uses = html[html.index('data-map="uses"') :]
    # Rennes's académie in the Bretagne, Brest's city in the Finistère: 2 in the région, 1 in the
    # département; the draft use in Île-de-France is not counted, and that région is drawn empty.
    assert 'aria-label="Bretagne : 2 utilisations"' in uses
    assert 'aria-label="Finistère : 1 utilisation"' in uses
    table = uses[uses.index("<caption>Utilisations par région</caption>") :]
    assert '<td data-code="reg-53">2</td>' in table and "reg-11" not in table.split("</table>")[0]


def test_a_commons_used_nowhere_in_france_has_no_map(client, places):
    commons = make_initiative("outil", "Outil", publication_status=PUBLISHED)
    Deployment.objects.create(
        initiative=commons, url="https://outil.example.org", publication_status=PUBLISHED, sources=[]
    )
    html = client.get("/initiatives/outil/").content.decode()
    assert 'href="https://outil.example.org"' in html  # the use is listed, with no place to draw
    assert 'data-map="uses"' not in html


def test_the_commons_page_costs_the_same_with_2_or_30_uses(client, peertube, places):
    commons, _ = peertube
    client.get("/initiatives/peertube/")
    bump_content_version()  # the page is rendered afresh, not read from the page cache
    with CaptureQueriesContext(connection) as few:
        client.get("/initiatives/peertube/")
    for n in range(30):
        actor = make_actor(f"mairie-{n}", f"Mairie {n}", publication_status=PUBLISHED)
        Deployment.objects.create(
            initiative=commons,
            actor=actor,
            url=f"https://tube-{n}.example.fr",
            territory=places["finistere"],
            publication_status=PUBLISHED,
            sources=[{"source": "sill-services"}],
        )
    bump_content_version()
    with CaptureQueriesContext(connection) as many:
        html = client.get("/initiatives/peertube/").content.decode()
    assert "Utilisé par 32 organisations" in html
    assert len(many) == len(few) > 0


def test_an_actor_page_shows_what_it_uses(client, peertube):
    html = client.get("/acteurs/academie-de-rennes/").content.decode()
    assert "Communs que Académie de Rennes utilise" in html
    assert f'href="/initiatives/peertube/#deploiement-{peertube[1]["rennes"].pk}">PeerTube</a>' in html
    assert 'href="/initiatives/?used_by=academie-de-rennes"' in html


def test_a_territory_page_lists_the_commons_used_there_and_in_the_places_inside_it(client, peertube):
    html = client.get("/territoires/reg-53/").content.decode()
    assert "Communs utilisés sur ce territoire" in html
    assert "Académie de Rennes" in html and "Ville de Brest" in html  # Brest is in Bretagne
    assert "Organisme en brouillon" not in html
    assert "Communs utilisés sur ce territoire" not in client.get("/territoires/reg-11/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("used_in=reg-53", {"peertube"}),
        ("used_in=dep-29", {"peertube"}),  # Brest's use rolls up to its département
        ("used_in=reg-11", set()),  # only a draft use there
        ("used_by=ville-de-brest", {"peertube"}),
        ("used_by=ville-de-brest&used_in=reg-11", set()),
    ],
)
def test_used_by_and_used_in_give_the_same_commons_on_the_site_and_in_the_api(client, peertube, query, expected):
    make_initiative("autre-commun", "Autre commun", publication_status=PUBLISHED)
    api = APIClient().get(f"/api/v1/initiatives/?{query}").json()
    assert {item["slug"] for item in api["results"]} == expected
    html = client.get(f"/initiatives/?{query}").content.decode()
    assert f'data-total="{api["count"]}"' in html
    assert ('href="/initiatives/peertube/"' in html) == bool(expected)


def test_the_api_gives_the_uses_on_the_commons_and_on_their_own_endpoint(peertube):
    commons, uses = peertube
    api = APIClient()
    data = api.get("/api/v1/initiatives/peertube/").json()
    rennes = next(item for item in data["deployments"] if item["id"] == uses["rennes"].pk)
    assert (rennes["actor"]["slug"], rennes["instance_url"], rennes["territory"]["code"], rennes["since"]) == (
        "academie-de-rennes",
        "https://tube.ac-rennes.fr",
        "reg-53",
        "2020-10",
    )
    assert rennes["html_url"].endswith(f"/initiatives/peertube/#deploiement-{uses['rennes'].pk}")
    assert len(data["deployments"]) == 2

    listed = api.get("/api/v1/deployments/?territory=reg-53").json()
    assert {item["id"] for item in listed["results"]} == {uses["rennes"].pk, uses["brest"].pk}
    assert listed["results"][0]["commons"]["slug"] == "peertube"
    only = api.get("/api/v1/deployments/?territory=reg-53&territory_level=only").json()
    assert [item["id"] for item in only["results"]] == [uses["rennes"].pk]
    assert api.get(f"/api/v1/deployments/{uses['hidden'].pk}/").status_code == 404


def test_the_census_exports_include_the_uses(peertube):
    api = APIClient()
    census = api.get("/api/v1/initiatives/export.csv/?used_in=reg-53")
    rows = list(csv.DictReader(io.StringIO(b"".join(census.streaming_content).decode("utf-8-sig"))))
    assert [(row["slug"], row["used_by"]) for row in rows] == [("peertube", "academie-de-rennes|ville-de-brest")]
    uses = api.get("/api/v1/deployments/export.csv/?territory=reg-53")
    rows = list(csv.DictReader(io.StringIO(b"".join(uses.streaming_content).decode("utf-8-sig"))))
    assert sorted((row["commons"], row["actor"], row["territory"], row["instance_url"]) for row in rows) == [
        ("peertube", "academie-de-rennes", "reg-53", "https://tube.ac-rennes.fr"),
        ("peertube", "ville-de-brest", "com-29019", "https://video.brest.fr"),
    ]


def test_the_old_address_of_a_hosted_instance_answers_301_to_its_row_on_the_commons_page(client, peertube):
    _, uses = peertube
    DeploymentRedirect.objects.create(old_slug="peertube-academie-de-rennes", deployment=uses["rennes"])
    DeploymentRedirect.objects.create(old_slug="cache-brouillon", deployment=uses["hidden"])
    anchor = f"#deploiement-{uses['rennes'].pk}"

    page = client.get("/initiatives/peertube-academie-de-rennes/")
    assert (page.status_code, page["Location"]) == (301, f"/initiatives/peertube/{anchor}")
    api = APIClient().get("/api/v1/initiatives/peertube-academie-de-rennes/")
    assert (api.status_code, api["Location"]) == (301, f"http://testserver/api/v1/initiatives/peertube/{anchor}")
    # A use the public cannot see gives nothing away.
    assert client.get("/initiatives/cache-brouillon/").status_code == 404
    assert APIClient().get("/api/v1/initiatives/cache-brouillon/").status_code == 404


def test_the_database_refuses_two_rows_for_one_address_and_a_badly_written_date(peertube):
    from django.db import IntegrityError, transaction

    commons, uses = peertube
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(initiative=commons, url="https://tube.ac-rennes.fr", name="Doublon")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(initiative=commons, name="Date", since="2020/10/01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(initiative=commons)  # neither who nor where
    # Without an address, several uses of one commons are fine (publiccode.yml's usedBy).
    Deployment.objects.create(initiative=commons, actor=uses["rennes"].actor)
    Deployment.objects.create(initiative=commons, actor=uses["brest"].actor)


def test_the_public_history_of_a_commons_tells_its_published_uses(client, peertube):
    html = client.get("/initiatives/peertube/historique/").content.decode()
    assert "Utilisation : Académie de Rennes" in html and "Utilisation : Ville de Brest" in html
    # Not the use by an organisation the public cannot see, nor an unpublished one.
    assert "Organisme en brouillon" not in html and html.count("Utilisation : Académie de Rennes") == 1
