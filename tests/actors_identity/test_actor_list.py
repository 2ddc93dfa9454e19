"""/acteurs/ and /api/v1/actors/: the actors involved in the most published commons first."""

import re

import pytest
from rest_framework.test import APIClient

from initiatives.models import Involvement
from tests.factories import make_actor, make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    busy = make_actor("busy", "Zèbre numérique", publication_status="published")
    some = make_actor("some", "Yack public", publication_status="published")
    idle = make_actor("idle", "Abeille", publication_status="published")
    published = [make_initiative(f"commun-{n}", publication_status="published") for n in range(3)]
    draft = make_initiative("brouillon", publication_status="draft")
    for initiative in published:
        # Two roles in one commons count it once.
        Involvement.objects.create(initiative=initiative, actor=busy, role="carrier")
        Involvement.objects.create(initiative=initiative, actor=busy, role="user")
    Involvement.objects.create(initiative=published[0], actor=some, role="user")
    # A draft counts for nothing: it is not shown.
    for n in range(5):
        Involvement.objects.create(
            initiative=draft, actor=idle, role=["carrier", "user", "funder", "contributor", "maintainer"][n]
        )
    return busy, some, idle


def page_slugs(client, query=""):
    html = client.get(f"/acteurs/{query}").content.decode()
    return [slug for slug in re.findall(r'href="/acteurs/([^/"?]+)/"', html) if slug in {"busy", "some", "idle"}]


def api_slugs(query=""):
    return [row["slug"] for row in APIClient().get(f"/api/v1/actors/{query}").json()["results"]]


def test_by_default_the_most_involved_come_first_on_the_site_and_in_the_api(client, actors):
    assert page_slugs(client) == ["busy", "some", "idle"]
    assert api_slugs() == ["busy", "some", "idle"]


def test_the_sort_can_be_chosen_and_is_offered(client, actors):
    assert page_slugs(client, "?ordering=name") == ["idle", "some", "busy"]
    assert api_slugs("?ordering=name") == ["idle", "some", "busy"]
    html = client.get("/acteurs/").content.decode()
    assert '<option value="-initiative_count" selected>Nombre de communs</option>' in html


def test_a_bad_sort_is_a_clear_error_on_the_api(actors):
    response = APIClient().get("/api/v1/actors/?ordering=taille")
    assert response.status_code == 400
    assert "ordering" in response.content.decode()


def test_facets_count_each_actor_once(client, actors):
    # busy has two roles in three commons: the "Porteur" option counts one actor.
    html = client.get("/acteurs/").content.decode()
    assert re.search(r"Porteur[^<]*</label>|Porteur", html)
    facet = APIClient().get("/api/v1/actors/?role=carrier").json()
    assert [row["slug"] for row in facet["results"]] == ["busy"]
