"""Read endpoints: what anonymous clients and curators see, and how entries embed each other."""

import pytest

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/initiatives/",
    "/api/v1/actors/",
    "/api/v1/funding-schemes/",
    "/api/v1/sectors/",
    "/api/v1/territories/",
    "/api/v1/tags/",
    "/api/v1/involvements/",
    "/api/v1/editions/",
    "/api/v1/awards/",
]


def slugs(response, key="slug"):
    return [row[key] for row in response.json()["results"]]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_paginated_json(api, directory, url):
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"]) > 0


def test_root_lists_the_endpoints(api, db):
    body = api.get("/api/v1/").json()
    for name in ("initiatives", "actors", "funding-schemes", "sectors", "territories", "tags"):
        assert body[name].endswith(f"/api/v1/{name}/")


def test_anonymous_clients_see_only_published_entries(api, directory):
    assert slugs(api.get("/api/v1/initiatives/")) == ["base-adresse-nationale", "decidim", "fabrique-des-geocommuns"]
    assert "acteur-brouillon" not in slugs(api.get("/api/v1/actors/"))
    assert slugs(api.get("/api/v1/funding-schemes/")) == ["appel-a-communs-ademe"]
    assert api.get("/api/v1/initiatives/brouillon-secret/").status_code == 404
    assert api.get("/api/v1/actors/acteur-brouillon/").status_code == 404
    assert api.get("/api/v1/funding-schemes/fonds-cache/").status_code == 404
    # Nor do they leak through the entries that point at them.
    ban = api.get("/api/v1/initiatives/base-adresse-nationale/").json()
    assert "acteur-brouillon" not in [row["actor"]["slug"] for row in ban["involvements"]]
    assert "étiquette-secrète" not in [row["name"] for row in api.get("/api/v1/tags/").json()["results"]]
    edition = api.get(f"/api/v1/editions/{directory['edition'].pk}/").json()
    assert [row["initiative"]["slug"] for row in edition["awards"]] == ["fabrique-des-geocommuns"]
    assert [row["initiative"]["slug"] for row in api.get("/api/v1/awards/").json()["results"]] == [
        "fabrique-des-geocommuns"
    ]
    involved = [
        (r["initiative"]["slug"], r["actor"]["slug"]) for r in api.get("/api/v1/involvements/").json()["results"]
    ]
    assert ("base-adresse-nationale", "acteur-brouillon") not in involved
    assert len(involved) == 4


def test_a_token_without_view_rights_sees_only_published_entries(reader_client, directory):
    assert "brouillon-secret" not in slugs(reader_client.get("/api/v1/initiatives/"))
    assert reader_client.get("/api/v1/initiatives/brouillon-secret/").status_code == 404


def test_a_curator_sees_unpublished_entries_too(curator_client, directory):
    listed = slugs(curator_client.get("/api/v1/initiatives/"))
    assert "brouillon-secret" in listed
    draft = curator_client.get("/api/v1/initiatives/brouillon-secret/").json()
    assert draft["publication_status"] == "draft"
    ban = curator_client.get("/api/v1/initiatives/base-adresse-nationale/").json()
    assert "acteur-brouillon" in [row["actor"]["slug"] for row in ban["involvements"]]


def test_an_initiative_embeds_its_actors_roles_sectors_territories_tags_criteria_and_how_to_take_part(api, directory):
    response = api.get("/api/v1/initiatives/base-adresse-nationale/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "base-adresse-nationale"
    assert body["url"] == "http://testserver/api/v1/initiatives/base-adresse-nationale/"
    assert body["html_url"] == "http://testserver/initiatives/base-adresse-nationale/"
    assert body["name"] == "Base Adresse Nationale" and body["acronym"] == "BAN"
    assert body["licence"] == "etalab-2.0"
    roles = {(row["actor"]["slug"], row["role"]) for row in body["involvements"]}
    assert roles == {("ign", "carrier"), ("dinum", "funder")}
    ign = next(row["actor"] for row in body["involvements"] if row["actor"]["slug"] == "ign")
    assert ign == {
        "slug": "ign",
        "name": "Institut national de l'information géographique et forestière",
        "acronym": "IGN",
        "kind": "agency",
        "url": "http://testserver/api/v1/actors/ign/",
    }
    assert body["sectors"] == [
        {"slug": "geodonnees", "name": "Géodonnées", "url": "http://testserver/api/v1/sectors/geodonnees/"}
    ]
    assert body["territories"] == [
        {"code": "fr", "name": "France", "kind": "country", "url": "http://testserver/api/v1/territories/fr/"}
    ]
    assert sorted(tag["name"] for tag in body["tags"]) == ["adresses", "référentiel"]
    assert all(tag["url"].startswith("http://testserver/api/v1/tags/") for tag in body["tags"])
    assert body["criteria"] == [
        {
            "criterion": "open_licence",
            "status": "met",
            "evidence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
            "note": "",
        }
    ]
    assert body["contact_point"] == "adresse@data.gouv.fr"
    assert body["contributing_url"] == "https://adresse.data.gouv.fr/contribuer"
    assert body["logics"] == ["public_action"]
    # The embedded URLs lead to the related entries.
    assert api.get(ign["url"]).json()["acronym"] == "IGN"
    assert api.get(body["sectors"][0]["url"]).json()["initiative_count"] == 2
    assert api.get(body["territories"][0]["url"]).json()["code"] == "fr"
    assert api.get(body["tags"][0]["url"]).status_code == 200
    assert api.get(body["involvements"][0]["url"]).status_code == 200


def test_an_initiative_lists_the_funding_it_received(api, directory):
    body = api.get("/api/v1/initiatives/fabrique-des-geocommuns/").json()
    assert [(a["scheme"]["slug"], a["edition"], a["year"], a["amount"]) for a in body["awards"]] == [
        ("appel-a-communs-ademe", "2023", 2023, 50000.0)
    ]


def test_a_funding_scheme_embeds_its_editions_and_awards(api, directory):
    body = api.get("/api/v1/funding-schemes/appel-a-communs-ademe/").json()
    assert body["kind"] == "call_for_commons"
    assert body["beneficiaries"] == ["association", "company"]
    assert [actor["slug"] for actor in body["operators"]] == ["ademe"]
    [edition] = body["editions"]
    assert edition["label"] == "2023" and edition["laureates_count"] == 2
    assert [award["initiative"]["slug"] for award in edition["awards"]] == ["fabrique-des-geocommuns"]
    assert api.get(edition["url"]).json()["scheme"]["slug"] == "appel-a-communs-ademe"
    assert api.get(edition["awards"][0]["url"]).json()["amount"] == 50000.0


def test_an_actor_lists_its_roles_in_published_initiatives(api, directory):
    body = api.get("/api/v1/actors/ign/").json()
    assert {(row["initiative"]["slug"], row["role"]) for row in body["involvements"]} == {
        ("base-adresse-nationale", "carrier"),
        ("fabrique-des-geocommuns", "carrier"),
    }
    brest = api.get("/api/v1/actors/ville-de-brest/").json()
    assert brest["territory"]["code"] == "reg-53"


def test_territories_are_identified_by_their_code(api, directory):
    body = api.get("/api/v1/territories/reg-53/").json()
    assert body["name"] == "Bretagne" and body["parent"] == "fr" and body["kind"] == "region"


def test_tags_list_only_tags_of_published_initiatives_with_counts(api, directory):
    body = api.get("/api/v1/tags/").json()
    assert {row["name"]: row["initiative_count"] for row in body["results"]} == {
        "adresses": 1,
        "participation": 1,
        "référentiel": 1,
    }
    assert api.get("/api/v1/tags/etiquette-secrete/").status_code == 404


def test_sectors_count_published_initiatives(api, directory):
    body = api.get("/api/v1/sectors/").json()
    assert {row["slug"]: row["initiative_count"] for row in body["results"]} == {"geodonnees": 2, "participation": 1}


def test_an_initiative_without_any_actor_is_listed(api, directory):
    # Regression: an empty `actor` filter used to keep only initiatives with an involvement.
    Initiative.objects.create(name="Orphelin", slug="orphelin", kind="data", publication_status="published")
    assert "orphelin" in slugs(api.get("/api/v1/initiatives/"))


def test_actors_are_listed_without_filters(api, directory):
    # Regression: an empty `sector` filter used to hide every actor.
    # (In the default order: by the number of commons, then by name; tests/actors_identity test it.)
    assert sorted(slugs(api.get("/api/v1/actors/"))) == ["ademe", "dinum", "ign", "ville-de-brest"]


def test_citations_give_the_source_records_title_publisher_and_link(api, directory):
    """A reader of the API gets a title and a link for each cited source, not only a key."""
    detail = api.get("/api/v1/initiatives/fabrique-des-geocommuns/").json()
    listed = next(
        row
        for row in api.get("/api/v1/initiatives/?page_size=100").json()["results"]
        if row["slug"] == "fabrique-des-geocommuns"
    )
    expected = {
        "source": "fabmob-2024",
        "url": "https://example.org/source",
        "note": "IGN, 2022",
        "title": "Les communs numériques en vogue",
        "publisher": "La Fabrique des Mobilités",
        "date": "2024-07-19",
        "licence": "",
        "source_url": "",
    }
    assert detail["sources"] == [expected]
    assert listed["sources"] == [expected]


def test_a_citation_of_an_unknown_source_is_refused(editor_client, directory):
    response = editor_client.post(
        "/api/v1/initiatives/",
        {"slug": "x", "name": "X", "kind": "data", "sources": [{"source": "nulle-part"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "aucune source n'a la clé « nulle-part »" in response.content.decode()
