"""SIREN and SIRET through the API: the model's validators, La Poste's rules included."""

import pytest

from actors.models import Actor

from .conftest import token_client

pytestmark = pytest.mark.django_db


def test_la_poste_head_office_siret_is_accepted(curator):
    response = token_client(curator).post(
        "/api/v1/actors/",
        {"slug": "la-poste", "name": "La Poste", "kind": "company", "siren": "356000000", "siret": "35600000000048"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Actor.objects.get(slug="la-poste").siret == "35600000000048"


def test_a_bad_la_poste_siret_is_refused_in_french(curator):
    response = token_client(curator).post(
        "/api/v1/actors/",
        {"slug": "la-poste", "name": "La Poste", "kind": "company", "siren": "356000000", "siret": "35600000000002"},
        format="json",
    )
    assert response.status_code == 400
    assert "clé de contrôle" in str(response.json()["errors"]["siret"])
    assert not Actor.objects.filter(slug="la-poste").exists()
