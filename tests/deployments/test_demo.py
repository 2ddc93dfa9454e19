"""The demo of `make run`: hosted instances are uses of their commons, not commons of their own."""

import csv

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from rest_framework.test import APIClient

from catalogues.deployments import HOSTED_INSTANCE_RULE, is_own_site
from catalogues.models import Record
from curation.duplicates import url_key
from initiatives.models import Deployment, Initiative
from tests.sharing import shared_per_module

_demo = shared_per_module(lambda: call_command("load_demo_data", verbosity=0))


@pytest.fixture
def demo(db, _demo):
    return _demo.get()


def services():
    with open(settings.DATA_DIR / "sill" / "codegouvfr-sill-api" / "services.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_no_published_initiative_is_a_hosted_instance_of_another_commons(demo):
    """The rule "sill-service-is-a-deployment" (catalogues/deployments.py): every row of the SILL's
    services.csv is a use of its software's commons, so no published entry is made of a service alone."""
    assert HOSTED_INSTANCE_RULE == "sill-service-is-a-deployment"
    service_type = ContentType.objects.get_for_model(Initiative)
    # An entry is the record of a service only when the service is the commons itself, at its own site.
    for record in Record.objects.filter(source__key="sill-services", content_type=service_type):
        if record.external_id.startswith("service:"):
            assert record.entry.kind != "software" and record.entry.website, record
    records = Record.objects.filter(
        source__key="sill-services", external_id__startswith="service:", content_type__model="deployment"
    )
    deployments = {record.external_id: record.entry for record in records}
    published = list(Initiative.objects.published())
    by_address = {}
    for entry in published:
        by_address.setdefault(url_key(entry.website), []).append(entry)
    instances = []
    for row in services():
        use = deployments.get(f"service:{row['id']}")
        if use is None:  # a service on its commons' own site (Pix runs Pix at pix.fr)
            at_address = by_address.get(url_key(row["service_url"]), [])
            assert any(is_own_site(entry, row["service_url"]) for entry in at_address), row["service_name"]
            continue
        # The published entries at a service's address are commons that other sources describe (data.gouv.fr
        # for udata), never an entry made of the service alone.
        for entry in by_address.get(url_key(use.url), []) if use.url else []:
            if entry.pk != use.initiative_id:
                cited = {item.get("source") for item in entry.sources}
                assert cited - {"sill-services"}, (HOSTED_INSTANCE_RULE, entry.slug)
                instances.append(entry.slug)
    assert instances == ["data-gouv-fr"]
    assert len(deployments) >= 95


def test_peertube_lists_the_academies_that_run_it(client, demo):
    html = client.get("/initiatives/peertube/").content.decode()
    academies = Deployment.objects.published().filter(initiative__slug="peertube", actor__name__startswith="Académie")
    assert academies.count() >= 19
    assert "Utilisé par 20 organisations" in html
    for use in academies:
        assert f'id="deploiement-{use.pk}"' in html and use.actor.name.replace("'", "&#x27;") in html
    assert not Initiative.objects.filter(slug__startswith="peertube-academie").exists()


def test_used_in_bretagne_gives_the_same_commons_on_the_site_and_in_the_api(client, demo):
    api = APIClient().get("/api/v1/initiatives/?used_in=reg-53&page_size=100").json()
    assert api["count"] >= 1
    assert "etherpad" in {item["slug"] for item in api["results"]}  # the académie de Rennes' pad
    html = client.get("/initiatives/?used_in=reg-53").content.decode()
    assert f'data-total="{api["count"]}"' in html
    for item in api["results"]:
        assert f'href="/initiatives/{item["slug"]}/"' in html
