"""An actor's identifiers: on its page, in the API and in its JSON-LD; validated and unique."""

import json

import pytest
from rest_framework.test import APIClient

from actors.models import Actor
from curation.roles import CURATOR
from tests.api.conftest import token_client, user_with_role
from tests.factories import make_actor, make_territory

pytestmark = pytest.mark.django_db

DINUM_PSO = "6a7cd2a0-af32-4b55-9125-671b16df777b"


@pytest.fixture
def dinum():
    return make_actor(
        "dinum",
        "Direction interministérielle du numérique",
        acronym="DINUM",
        siren="130025265",
        annuaire_id=DINUM_PSO,
        website="https://www.numerique.gouv.fr/dinum/",
        forge_accounts=["https://github.com/numerique-gouv"],
        aliases="Dinum\nDINUM/Etalab",
        publication_status="published",
    )


def test_the_page_lists_the_identifiers_in_french(client, dinum):
    page = client.get("/acteurs/dinum/").content.decode()
    assert "Identifiants" in page
    assert "SIREN : <a" in page and "annuaire-entreprises.data.gouv.fr/entreprise/130025265" in page
    assert f"https://lannuaire.service-public.fr/{DINUM_PSO}" in page
    assert "Domaine du site : numerique.gouv.fr" in page
    assert 'href="https://github.com/numerique-gouv"' in page
    assert "Autres noms" in page and "DINUM/Etalab" in page


def test_a_commune_shows_its_insee_code(client):
    brest = make_territory("com-29019", "Brest", kind="commune", official_code="29019")
    make_actor(
        "ville-de-brest", "Ville de Brest", kind="local_authority", territory=brest, publication_status="published"
    )
    page = client.get("/acteurs/ville-de-brest/").content.decode()
    assert "Code INSEE : 29019" in page
    data = APIClient().get("/api/v1/actors/ville-de-brest/").json()
    assert data["insee_code"] == "29019"


def test_the_api_gives_the_new_fields_and_keeps_the_old_ones(dinum):
    data = APIClient().get("/api/v1/actors/dinum/").json()
    assert (data["siren"], data["siret"], data["wikidata_qid"]) == ("130025265", "", "")
    assert data["annuaire_id"] == DINUM_PSO
    assert data["website_domain"] == "numerique.gouv.fr"
    assert data["forge_accounts"] == ["https://github.com/numerique-gouv"]
    assert data["aliases"] == ["Dinum", "DINUM/Etalab"]
    header = APIClient().get("/api/v1/actors/?format=csv").content.decode("utf-8-sig").splitlines()[0].split(",")
    assert {"siren", "annuaire_id", "forge_accounts", "aliases"} <= set(header)


def test_the_json_ld_gives_identifiers_and_same_as(client, dinum):
    graph = APIClient().get("/api/v1/actors/dinum/?format=jsonld").json()
    identifiers = {node["propertyID"]: node["value"] for node in graph["identifier"]}
    assert identifiers == {"SIREN": "130025265", "Annuaire service-public.fr": DINUM_PSO}
    assert f"https://lannuaire.service-public.fr/{DINUM_PSO}" in graph["sameAs"]
    assert "https://github.com/numerique-gouv" in graph["sameAs"]
    assert "Dinum" in graph["alternateName"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "130025265", "SIREN"),  # the DINUM's: one legal entity, one actor
        ("siren", "123456789", "Luhn"),
        ("annuaire_id", "pas-un-uuid", "UUID"),
        ("annuaire_id", DINUM_PSO, "annuaire"),
    ],
)
def test_a_bad_or_taken_identifier_is_refused_and_nothing_changes(dinum, field, value, message):
    other = make_actor("ign", "IGN", publication_status="published")
    api = token_client(user_with_role("curatrice", CURATOR))
    response = api.patch(
        "/api/v1/actors/ign/",
        data=json.dumps({field: value}),
        content_type="application/json",
        HTTP_IF_MATCH=api.get("/api/v1/actors/ign/")["ETag"],
    )
    assert response.status_code == 400, response.content
    assert message.lower() in response.content.decode().lower()
    other.refresh_from_db()
    assert getattr(other, field) == ""


def test_siren_and_annuaire_id_are_unique_in_the_database(dinum):
    from django.db import IntegrityError, transaction

    for field, value in (("siren", "130025265"), ("annuaire_id", DINUM_PSO)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Actor.objects.create(name="Double", slug=f"double-{field}", kind="state", **{field: value})
    # Empty values are many.
    make_actor("a", "A")
    make_actor("b", "B")
    assert Actor.objects.filter(siren="", annuaire_id="").count() == 2
