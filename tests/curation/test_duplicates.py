"""Duplicate warnings: accents and case ignored, acronyms, aliases, websites, repositories,
typos; on SQLite (normalised comparison) and PostgreSQL (trigram similarity)."""

import html

import pytest
from django.urls import reverse

from actors.models import Actor
from curation.duplicates import find_duplicates, name_key, url_key
from initiatives.models import Initiative
from tests.factories import make_actor, make_initiative

from .conftest import form_data, logged_in


def test_keys():
    assert name_key("Géo-Communs ") == name_key("GEOCOMMUNS") == "geocommuns"
    assert url_key("https://www.Decidim.org/") == url_key("http://decidim.org") == "decidim.org"
    assert url_key("https://github.com/decidim/decidim.git") == url_key("https://github.com/decidim/decidim/")


@pytest.fixture
def ban(db):
    return make_initiative(
        name="Base Adresse Nationale",
        acronym="BAN",
        aliases="Base adresse\nadresse.data.gouv.fr",
        website="https://adresse.data.gouv.fr/",
        repository_url="https://github.com/BaseAdresseNationale/ban-plateforme",
    )


@pytest.mark.parametrize(
    "query",
    [
        {"name": "base adresse nationale"},  # case
        {"name": "Basé Adrésse Nationâle"},  # accents
        {"name": "Base-Adresse  Nationale"},  # punctuation and spaces
        {"name": "Base Adresse Nationalle"},  # a typo
        {"name": "Autre chose", "acronym": "ban"},  # acronym
        {"name": "Base adresse"},  # an alias
        {"name": "Autre", "website": "http://www.adresse.data.gouv.fr"},
        {"name": "Autre", "repository_url": "https://github.com/baseadressenationale/ban-plateforme.git"},
    ],
)
def test_finds_the_likely_duplicate(ban, query):
    found = find_duplicates(Initiative, **query)
    assert [d.obj for d in found] == [ban]
    assert found[0].reasons


@pytest.mark.parametrize(
    "query",
    [
        {"name": "Base Sirene des entreprises"},
        {"name": "Banque de France", "acronym": "BDF"},
        {"name": "Autre", "website": "https://data.gouv.fr"},
    ],
)
def test_unrelated_entries_are_not_flagged(ban, query):
    assert find_duplicates(Initiative, **query) == []


def test_excludes_the_entry_itself(ban):
    assert find_duplicates(Initiative, name=ban.name, exclude_pk=ban.pk) == []


def test_actors(db):
    ign = make_actor(
        name="Institut national de l'information géographique et forestière",
        acronym="IGN",
        website="https://www.ign.fr",
    )
    assert [
        d.obj for d in find_duplicates(Actor, name="Institut National de l'Information Geographique et Forestiere")
    ] == [ign]
    assert [d.obj for d in find_duplicates(Actor, name="Autre", acronym="ign")] == [ign]
    assert [d.obj for d in find_duplicates(Actor, name="Autre", website="https://ign.fr/")] == [ign]
    assert find_duplicates(Actor, name="IGNF") == []


def test_admin_add_warns_with_links_then_saves_when_confirmed(client, curator, ban):
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_add")
    data = {
        "name": "Base adresse nationale",
        "slug": "ban-2",
        "kind": "data",
        "sources": "[]",
        "involvements-TOTAL_FORMS": "0",
        "involvements-INITIAL_FORMS": "0",
        "criteria-TOTAL_FORMS": "0",
        "criteria-INITIAL_FORMS": "0",
        "awards-TOTAL_FORMS": "0",
        "awards-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "Doublon probable" in page
    assert reverse("admin:initiatives_initiative_change", args=[ban.pk]) in page
    assert Initiative.objects.count() == 1
    response = client.post(url, {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Initiative.objects.count() == 2


def test_admin_change_warns_only_when_names_or_links_change(client, curator, ban):
    other = make_initiative(name="Adresses locales")
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_change", args=[other.pk])
    data = form_data(client, url)
    data["summary"] = "Un résumé"
    assert client.post(url, data).status_code == 302
    data = form_data(client, url)
    data["website"] = "https://adresse.data.gouv.fr"
    response = client.post(url, data)
    assert response.status_code == 200 and "Doublon probable" in html.unescape(response.text)


def test_admin_add_actor_warns(client, curator):
    make_actor(name="Agence nationale de la cohésion des territoires", acronym="ANCT")
    response = logged_in(client, curator).post(
        reverse("admin:actors_actor_add"),
        {
            "name": "ANCT",
            "slug": "anct-2",
            "kind": "agency",
            "sources": "[]",
            "involvements-TOTAL_FORMS": "0",
            "involvements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Doublon probable" in html.unescape(response.text)


def test_typo_is_caught_by_trigram_similarity_in_sql_on_both_databases(ban):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_initiative(name="Plateforme sans rapport", slug="sans-rapport")
    with CaptureQueriesContext(connection) as queries:
        found = find_duplicates(Initiative, name="Base Adresse Nationalle")
    sql = " ".join(q["sql"] for q in queries).upper()
    # One query for both backends: pg_trgm's similarity(), or the same function in Python on SQLite.
    assert "SIMILARITY" in sql
    assert [d.obj.slug for d in found] == [ban.slug]


def test_sqlite_trigram_similarity_matches_pg_trgm():
    from communs.search import trigram_similarity

    # Figures given by PostgreSQL 15's pg_trgm for the same pairs.
    assert trigram_similarity("decidim", "decidm") == 0.5
    assert trigram_similarity("base adresse nationale", "base adresse nationalle") == 0.875
    assert round(trigram_similarity("fabrique des geocommuns", "la fabrique des geo-communs"), 4) == 0.7333
    assert trigram_similarity("l'état", "etat") == 0.2
    assert trigram_similarity("IGN", "ign") == 1.0
    assert trigram_similarity("", "ign") == 0.0
