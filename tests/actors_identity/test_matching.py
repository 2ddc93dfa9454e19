"""Importers find an organisation by identifier, then by name, acronym and the reviewed aliases."""

import io
import json

import pytest
from django.core.management import call_command

from actors.models import Actor
from catalogues.models import Record
from tests.factories import make_actor

pytestmark = pytest.mark.django_db

DINUM_PSO = "6a7cd2a0-af32-4b55-9125-671b16df777b"


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_annuaire_id_finds_the_body_whatever_its_name(client):
    renamed = make_actor("numerique", "Numérique de l'État", kind="state", annuaire_id=DINUM_PSO)

    report = run("import_organisations")

    assert Record.objects.get(external_id=f"pso:{DINUM_PSO}").object_id == renamed.pk
    assert not Actor.objects.filter(annuaire_id=DINUM_PSO).exclude(pk=renamed.pk).exists()
    assert report["errors"] == []
    # The bodies code.gouv.fr lists get their annuaire id, shown on their page.
    culture = Actor.objects.get(annuaire_id="da1d6275-6710-485d-a249-282cac69dfe7")
    page = client.get(f"/acteurs/{culture.slug}/").content.decode()
    assert "Annuaire du service public" in page


def test_a_source_that_says_no_kind_matches_the_same_name(client):
    ademe = make_actor("ademe", "ADEME", kind="agency", publication_status="published")
    run("import_publiccode")
    # publiccode.yml files name "Ademe", kind unknown: the same body.
    assert list(Actor.objects.filter(name__iexact="ademe").values_list("slug", flat=True)) == ["ademe"]
    assert ademe.involvements.exists()


def test_the_alias_file_sends_dinum_etalab_to_the_dinum_without_conflict():
    dinum = make_actor(
        "dinum",
        "Direction interministérielle du numérique",
        acronym="DINUM",
        website="https://www.numerique.gouv.fr/",
        publication_status="published",
    )

    run("import_sill")
    again = run("import_sill")

    assert not Actor.objects.filter(name="DINUM/Etalab").exists()
    # The SILL's services run by "DINUM/Etalab" are uses of their commons by the DINUM.
    assert dinum.deployments.exists()
    assert [c for c in again["conflicts"] if c["entry"] == "dinum"] == []
    assert again["created"] == []


def test_two_entries_answering_to_one_name_are_reported_never_merged():
    make_actor("insee", "INSEE", kind="state")
    make_actor("insee-bis", "Insee", kind="other")

    report = run("import_publiccode")

    conflicts = [c for c in report["conflicts"] if c["field"] == "identité"]
    assert conflicts and conflicts[0]["entry"] == "insee" and "insee-bis" in conflicts[0]["current"]
    assert Actor.objects.filter(slug__in=["insee", "insee-bis"]).count() == 2
