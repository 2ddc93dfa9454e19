"""Token-authenticated writes: permissions, the admin's validation, history, archiving, If-Match."""

import pytest

from actors.models import Actor
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative, Involvement

pytestmark = pytest.mark.django_db

NEW_INITIATIVE = {
    "slug": "albert",
    "name": "Albert",
    "kind": "ai_model",
    "licence": "mit OR apache-2.0",
    "sectors": ["geodonnees"],
    "territories": ["fr"],
    "tags": ["IA", "souveraineté"],
    "logics": ["sovereignty", "public_action"],
    "summary": "Modèle d'IA de l'État",
    "contributing_url": "https://example.org/contribuer",
    "sources": [{"document": "Rapport Sciences Po", "note": "nom et type"}],
}


# --- The permission matrix --------------------------------------------------------------------

WRITES = [
    ("post", "/api/v1/initiatives/", NEW_INITIATIVE),
    ("patch", "/api/v1/initiatives/decidim/", {"summary": "Nouveau résumé"}),
    ("put", "/api/v1/initiatives/decidim/", {"slug": "decidim", "name": "Decidim", "kind": "software"}),
    ("post", "/api/v1/actors/", {"slug": "adullact", "name": "ADULLACT", "kind": "association"}),
    ("patch", "/api/v1/actors/ign/", {"website": "https://www.ign.fr"}),
    ("post", "/api/v1/involvements/", {"initiative": "decidim", "actor": "dinum", "role": "promoter"}),
    ("post", "/api/v1/funding-schemes/", {"slug": "ngi", "name": "NGI Commons Fund", "kind": "fund"}),
    ("patch", "/api/v1/funding-schemes/appel-a-communs-ademe/", {"total_budget": "1000000.00"}),
    ("post", "/api/v1/editions/", {"scheme": "appel-a-communs-ademe", "label": "2024", "year": 2024}),
    ("post", "/api/v1/awards/", {"edition": "EDITION", "initiative": "decidim", "amount": "1000.00"}),
]


def write(client, method, url, body=None):
    """A write as a client makes it: read the entry, send its ETag back as If-Match (required)."""
    etag = client.get(url.split("?")[0].removesuffix("transition/"))["ETag"]
    return getattr(client, method)(url, body, format="json", HTTP_IF_MATCH=etag)


def _payload(payload, directory):
    return {k: (directory["edition"].pk if v == "EDITION" else v) for k, v in payload.items()}


@pytest.mark.parametrize("method, url, payload", WRITES)
def test_anonymous_writes_get_401(api, directory, method, url, payload):
    response = getattr(api, method)(url, _payload(payload, directory), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("method, url, payload", WRITES)
def test_a_token_without_rights_gets_403_and_changes_nothing(reader_client, directory, method, url, payload):
    before = [model.objects.count() for model in (Initiative, Actor, Involvement, FundingScheme, FundingEdition, Award)]
    response = getattr(reader_client, method)(url, _payload(payload, directory), format="json")
    assert response.status_code == 403
    after = [model.objects.count() for model in (Initiative, Actor, Involvement, FundingScheme, FundingEdition, Award)]
    assert before == after
    assert Initiative.objects.get(slug="decidim").summary == ""


@pytest.mark.parametrize("method, url, payload", WRITES)
def test_a_curator_may_write(curator_client, directory, method, url, payload):
    if method == "post":
        response = curator_client.post(url, _payload(payload, directory), format="json")
    else:
        response = write(curator_client, method, url, _payload(payload, directory))
    assert response.status_code == (201 if method == "post" else 200), response.content
    assert response["Content-Type"] == "application/json"
    assert response["ETag"]


def test_creating_an_initiative_validates_normalises_and_links(curator_client, directory):
    response = curator_client.post("/api/v1/initiatives/", NEW_INITIATIVE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"] == "http://testserver/api/v1/initiatives/albert/"
    # New entries are drafts: publication goes through the editorial workflow.
    assert body["publication_status"] == "draft"
    # clean() normalises the SPDX expression, as in the admin.
    assert body["licence"] == "MIT OR Apache-2.0"
    albert = Initiative.objects.get(slug="albert")
    assert albert.licence == "MIT OR Apache-2.0"
    assert [s.slug for s in albert.sectors.all()] == ["geodonnees"]
    assert [t.code for t in albert.territories.all()] == ["fr"]
    assert sorted(t.name for t in albert.tags.all()) == ["IA", "souveraineté"]
    assert albert.logic_sovereignty and albert.logic_public_action and not albert.logic_free_software
    assert albert.sources == [{"document": "Rapport Sciences Po", "note": "nom et type"}]


def test_writes_record_the_tokens_user_in_the_history(curator_client, curator, directory):
    write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"summary": "Participation citoyenne"})
    decidim = Initiative.objects.get(slug="decidim")
    latest = decidim.history.first()
    assert latest.history_user == curator
    assert latest.summary == "Participation citoyenne"
    curator_client.post(
        "/api/v1/involvements/", {"initiative": "decidim", "actor": "dinum", "role": "promoter"}, format="json"
    )
    assert Involvement.history.first().history_user == curator


@pytest.mark.parametrize(
    "url, payload, field",
    [
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "licence": "not a licence"}, "licence"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "slug": "decidim"}, "slug"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "launch_year": 1800}, "__all__|non_field_errors|launch_year"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "wikidata_qid": "90"}, "wikidata_qid"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "sectors": ["no-such-sector"]}, "sectors"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "sources": [{"note": "no document"}]}, "sources"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "website": "not a url"}, "website"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "nmae": "typo"}, "nmae"),
        ("/api/v1/initiatives/", {**NEW_INITIATIVE, "publication_status": "published"}, "publication_status"),
        ("/api/v1/actors/", {"slug": "a", "name": "A", "kind": "agency", "siren": "123456789"}, "siren"),
        (
            "/api/v1/actors/",
            {"slug": "a", "name": "A", "kind": "agency", "siren": "130025265", "siret": "11000201100044"},
            "siret",
        ),
        (
            "/api/v1/involvements/",
            {"initiative": "decidim", "actor": "ign", "role": "user", "since": 2020, "until": 2010},
            "until",
        ),
        (
            "/api/v1/involvements/",
            {"initiative": "base-adresse-nationale", "actor": "ign", "role": "carrier"},
            "non_field_errors",
        ),
        (
            "/api/v1/funding-schemes/",
            {"slug": "f", "name": "F", "kind": "fund", "amount_min": "10", "amount_max": "5"},
            "amount_max",
        ),
        ("/api/v1/funding-schemes/", {"slug": "f", "name": "F", "kind": "fund", "amount_min": "-1"}, "amount_min"),
        (
            "/api/v1/editions/",
            {"scheme": "appel-a-communs-ademe", "label": "X", "opens_on": "2024-05-01", "closes_on": "2024-04-01"},
            "closes_on",
        ),
        ("/api/v1/editions/", {"scheme": "appel-a-communs-ademe", "label": "2023"}, "non_field_errors"),
        ("/api/v1/awards/", {"edition": "EDITION", "initiative": "decidim", "amount": "-5"}, "amount"),
    ],
)
def test_bad_values_give_400_with_field_errors_and_change_nothing(curator_client, directory, url, payload, field):
    before = Initiative.history.count() if hasattr(Initiative, "history") else 0
    counts = [m.objects.count() for m in (Initiative, Actor, Involvement, FundingScheme, FundingEdition, Award)]
    response = curator_client.post(url, _payload(payload, directory), format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(field.split("|")) & set(errors), errors
    assert counts == [m.objects.count() for m in (Initiative, Actor, Involvement, FundingScheme, FundingEdition, Award)]
    assert before == (Initiative.history.count() if hasattr(Initiative, "history") else 0)


def test_an_actor_cannot_become_its_own_ancestor(curator_client, directory):
    Actor.objects.filter(slug="dinum").update(parent=directory["ign"])
    response = write(curator_client, "patch", "/api/v1/actors/ign/", {"parent": "dinum"})
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_the_slug_cannot_be_changed(curator_client, directory):
    response = write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"slug": "decidim-2"})
    assert response.status_code == 400 and "slug" in response.json()["errors"]
    assert Initiative.objects.filter(slug="decidim").exists()


def test_what_was_read_can_be_put_back(curator_client, directory):
    body = curator_client.get("/api/v1/initiatives/decidim/").json()
    body["summary"] = "Plateforme libre de participation"
    body["sectors"] = [s["slug"] for s in body["sectors"]]
    body["territories"] = [t["code"] for t in body["territories"]]
    body["tags"] = [t["name"] for t in body["tags"]]
    response = write(curator_client, "put", "/api/v1/initiatives/decidim/", body)
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Plateforme libre de participation"
    assert [t["name"] for t in response.json()["tags"]] == ["participation"]


def test_patch_changes_only_what_it_sends(curator_client, directory):
    response = write(curator_client, "patch", "/api/v1/initiatives/base-adresse-nationale/", {"launch_year": 2016})
    assert response.status_code == 200
    ban = Initiative.objects.get(slug="base-adresse-nationale")
    assert ban.launch_year == 2016 and ban.licence == "etalab-2.0" and ban.acronym == "BAN"
    assert sorted(t.name for t in ban.tags.all()) == ["adresses", "référentiel"]


# --- Archiving and the workflow ---------------------------------------------------------------


def test_delete_archives_rather_than_destroys(editor_client, api, directory):
    response = write(editor_client, "delete", "/api/v1/initiatives/decidim/?reason=Plus maintenu")
    assert response.status_code == 204
    decidim = Initiative.objects.get(slug="decidim")
    assert decidim.publication_status == "archived"
    assert decidim.archived_reason == "Plus maintenu"
    assert api.get("/api/v1/initiatives/decidim/").status_code == 410  # gone, saying when and why
    assert editor_client.get("/api/v1/initiatives/decidim/").json()["publication_status"] == "archived"


def test_a_curator_without_the_publish_right_cannot_archive(curator_client, directory):
    response = write(curator_client, "delete", "/api/v1/initiatives/decidim/")
    assert response.status_code == 403
    assert Initiative.objects.get(slug="decidim").publication_status == "published"


def test_archiving_a_draft_is_a_conflict(editor_client, directory):
    response = write(editor_client, "delete", "/api/v1/initiatives/brouillon-secret/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert Initiative.objects.get(slug="brouillon-secret").publication_status == "draft"


def test_the_workflow_through_the_api(curator_client, editor_client, api, directory):
    curator_client.post("/api/v1/initiatives/", NEW_INITIATIVE, format="json")
    assert api.get("/api/v1/initiatives/albert/").status_code == 404
    response = write(curator_client, "post", "/api/v1/initiatives/albert/transition/", {"action": "submit"})
    assert response.status_code == 200 and response.json()["publication_status"] == "in_review"
    assert (
        write(curator_client, "post", "/api/v1/initiatives/albert/transition/", {"action": "publish"}).status_code
        == 403
    )
    response = write(editor_client, "post", "/api/v1/initiatives/albert/transition/", {"action": "publish"})
    assert response.status_code == 200 and response.json()["publication_status"] == "published"
    assert api.get("/api/v1/initiatives/albert/").status_code == 200
    assert (
        write(editor_client, "post", "/api/v1/initiatives/albert/transition/", {"action": "publish"}).status_code == 409
    )


def test_actors_and_schemes_are_archived_too(editor_client, directory):
    assert write(editor_client, "delete", "/api/v1/actors/dinum/").status_code == 204
    assert Actor.objects.get(slug="dinum").publication_status == "archived"
    assert write(editor_client, "delete", "/api/v1/funding-schemes/appel-a-communs-ademe/").status_code == 204
    assert FundingScheme.objects.get(slug="appel-a-communs-ademe").publication_status == "archived"


# --- If-Match: no lost update -----------------------------------------------------------------


def test_if_match_with_the_current_etag_succeeds(curator_client, directory):
    etag = curator_client.get("/api/v1/initiatives/decidim/")["ETag"]
    response = curator_client.patch("/api/v1/initiatives/decidim/", {"summary": "A"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    # The ETag of the write's answer is the one a new read gives: it can chain the next write.
    assert response["ETag"] == curator_client.get("/api/v1/initiatives/decidim/")["ETag"]


def test_a_stale_if_match_gives_412_and_changes_nothing(curator_client, directory):
    etag = curator_client.get("/api/v1/initiatives/decidim/")["ETag"]
    write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"summary": "First writer"})
    response = curator_client.patch(
        "/api/v1/initiatives/decidim/", {"summary": "Second writer"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert Initiative.objects.get(slug="decidim").summary == "First writer"
    put = curator_client.put(
        "/api/v1/initiatives/decidim/",
        {"slug": "decidim", "name": "D", "kind": "software"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert put.status_code == 412


def test_a_stale_if_match_on_delete_gives_412(editor_client, directory):
    etag = editor_client.get("/api/v1/actors/dinum/")["ETag"]
    write(editor_client, "patch", "/api/v1/actors/dinum/", {"website": "https://www.numerique.gouv.fr"})
    assert editor_client.delete("/api/v1/actors/dinum/", HTTP_IF_MATCH=etag).status_code == 412
    assert Actor.objects.get(slug="dinum").publication_status == "published"
    fresh = editor_client.get("/api/v1/actors/dinum/")["ETag"]
    assert editor_client.delete("/api/v1/actors/dinum/", HTTP_IF_MATCH=fresh).status_code == 204


def test_if_match_on_sub_resources(curator_client, directory):
    involvement = directory["ban"].involvements.get(actor__slug="ign")
    url = f"/api/v1/involvements/{involvement.pk}/"
    etag = curator_client.get(url)["ETag"]
    assert curator_client.patch(url, {"since": 2015}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert curator_client.patch(url, {"since": 2016}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    # "*" would skip the check: refused like a missing If-Match (issue 31).
    assert curator_client.patch(url, {"since": 2016}, format="json", HTTP_IF_MATCH="*").status_code == 428


def test_criteria_are_written_with_the_initiative(curator_client, directory):
    criteria = [
        {"criterion": "open_licence", "status": "met", "evidence_url": "https://example.org/licence", "note": ""},
        {"criterion": "shared_governance", "status": "partial", "evidence_url": "", "note": "Comité"},
    ]
    response = write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"criteria": criteria})
    assert response.status_code == 200, response.content
    assert response.json()["criteria"] == criteria
    # The list replaces the assessments: one left out is removed.
    response = write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"criteria": criteria[1:]})
    assert [c["criterion"] for c in response.json()["criteria"]] == ["shared_governance"]
    # Leaving the field out changes nothing.
    write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"summary": "x"})
    assert Initiative.objects.get(slug="decidim").criteria.count() == 1


@pytest.mark.parametrize(
    "criteria",
    [
        [{"criterion": "open_licence", "status": "met"}, {"criterion": "open_licence", "status": "partial"}],
        [{"criterion": "charisma", "status": "met"}],
        [{"criterion": "open_licence", "status": "brilliant"}],
        [{"criterion": "open_licence", "status": "met", "evidence_url": "not a url"}],
    ],
)
def test_bad_criteria_are_400(curator_client, directory, criteria):
    response = write(curator_client, "patch", "/api/v1/initiatives/decidim/", {"criteria": criteria})
    assert response.status_code == 400
    assert "criteria" in response.json()["errors"]
    assert Initiative.objects.get(slug="decidim").criteria.count() == 0
