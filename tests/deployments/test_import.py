"""The importers record uses (initiatives.Deployment) with their provenance; a curator's value wins."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from catalogues.models import Record
from initiatives.models import Deployment, Initiative
from territories.models import Territory

pytestmark = pytest.mark.django_db


def run(command, *locations, **options):
    out = io.StringIO()
    call_command(command, *[str(p) for p in locations], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_sill_services_become_uses_with_their_place_and_a_curators_value_is_kept(client):
    # The places the reviewed file names (data/derivation/deployment-places.csv) are official territories.
    Territory.objects.create(code="reg-32", kind="region", name="Hauts-de-France")
    run("import_sill", settings.DATA_DIR / "sill")
    peertube = Initiative.objects.get(sill_id=197)
    uses = peertube.deployments.select_related("actor", "territory")
    assert uses.count() == 20
    amiens = uses.get(actor__name="Académie d'Amiens")
    assert (amiens.url, amiens.territory.code, amiens.publication_status) == (
        "https://tube-amiens.beta.education.fr",
        "reg-32",
        "published",
    )
    record = Record.objects.get(source__key="sill-services", object_id=amiens.pk, content_type__model="deployment")
    assert record.imported["territory"] == amiens.territory_id
    # A curator corrects the place; the next import keeps it and says so.
    somme = Territory.objects.create(code="dep-80", kind="departement", name="Somme")
    amiens.territory = somme
    amiens.save()

    report = run("import_sill", settings.DATA_DIR / "sill")

    amiens.refresh_from_db()
    assert amiens.territory == somme
    conflict = next(c for c in report["conflicts"] if c["field"] == "territory")
    assert conflict["entry"].startswith(f"{peertube.slug} : ")
    assert report["created"] == []


def test_publiccode_used_by_names_uses_without_an_address():
    folder = settings.DATA_DIR / "publiccode" / "awesome-codegouvfr" / "onyxia_publiccode.yml"
    run("import_publiccode", folder, "--source", "awesome-codegouvfr", "--lenient")
    onyxia = Initiative.objects.get(name="Onyxia")
    uses = onyxia.deployments.select_related("actor")
    assert sorted(use.actor.name for use in uses) == [
        "Expertise France",
        "Genes",
        "Insee",
        "Mercator Ocean",
        "Statistics Norway",
    ]
    assert {use.url for use in uses} == {""}
    assert {json.dumps(use.sources) for use in uses} == {json.dumps([{"source": "awesome-codegouvfr"}])}

    again = run("import_publiccode", folder, "--source", "awesome-codegouvfr", "--lenient")
    assert again["created"] == [] and Deployment.objects.count() == 5
