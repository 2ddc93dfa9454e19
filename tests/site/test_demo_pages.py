"""Every public page of the demo data renders, and the demo data's search journeys hold."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector
from territories.models import Territory
from tests.site.test_linked_data import INITIATIVE_TYPES, SCRIPT, assert_valid


def actor_type(actor):
    return (
        "GovernmentOrganization"
        if actor.kind in {"state", "agency", "local_authority", "eu_institution"}
        else "Organization"
    )


# Every page is a minute on this machine: `make test` reads one initiative, actor and scheme page
# in 20 (and every other page), `make test-postgres` all of them.
@pytest.mark.parametrize("every", [pytest.param(20, id="a-sample"), pytest.param(1, id="all", marks=pytest.mark.long)])
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")
def test_every_demo_page_renders_and_every_entry_has_its_graph(client, demo_data, every):
    """Every public page of the demo renders with one h1 (each page read once: there are a
    thousand); each published initiative, actor and scheme embeds its graph, which parses, with the
    type its kind gives, its name and address, only properties schema.org defines for that type,
    and its Wikidata item."""
    urls = ["/", "/initiatives/", "/acteurs/", "/financements/", "/a-propos/", "/label/"]
    urls += [s.get_absolute_url() for s in Sector.objects.all()]
    # The demo's own territories (its fixture): the ~3,600 official ones that load_demo_data imports
    # share one template, and rendering them all would take minutes.
    fixture = json.loads((Path(settings.BASE_DIR) / "fixtures" / "02_territories.json").read_text(encoding="utf-8"))
    codes = [entry["fields"]["code"] for entry in fixture]
    territories = Territory.objects.filter(code__in=codes)
    assert territories.count() == len(codes)
    urls += [t.get_absolute_url() for t in territories]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url

    entries = [(i, INITIATIVE_TYPES[i.kind]) for i in Initiative.objects.published().order_by("pk")[::every]]
    entries += [(a, actor_type(a)) for a in Actor.objects.published().order_by("pk")[::every]]
    entries += [(s, "MonetaryGrant") for s in FundingScheme.objects.published().order_by("pk")[::every]]
    with_qid = 0
    for entry, schema_type in entries:
        url = entry.get_absolute_url()
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count("<h1") == 1, url
        scripts = SCRIPT.findall(html)
        assert len(scripts) == 1, url
        document = json.loads(scripts[0])
        assert_valid(document, schema_type, f"http://testserver{url}")
        if isinstance(entry, Initiative) and entry.wikidata_qid:
            assert f"https://www.wikidata.org/entity/{entry.wikidata_qid}" in json.dumps(document["sameAs"])
            with_qid += 1
    assert len(entries) > 500 // every  # the whole demo, not an empty directory
    assert with_qid > 10 // every  # the QIDs the SILL gives

    for model in (Initiative, Actor, FundingScheme):
        for entry in model.objects.exclude(publication_status="published"):
            expected = 410 if entry.publication_status == "archived" else 404  # archived: "Gone", with why
            assert client.get(entry.get_absolute_url()).status_code == expected


@pytest.mark.parametrize("text, slug", [("geocommuns", "fabrique-des-geocommuns"), ("Decidim", "decidim")])
def test_demo_search(client, demo_data, text, slug):
    results = client.get("/initiatives/", {"q": text}).context["page"].object_list
    assert slug in [initiative.slug for initiative in results]


def test_ign_finds_the_initiatives_it_takes_part_in(client, demo_data):
    ign = Actor.objects.get(slug="ign")
    involved = set(Initiative.objects.published().filter(involvements__actor=ign).values_list("slug", flat=True))
    assert involved
    found = {i.slug for i in client.get("/initiatives/", {"q": "IGN"}).context["page"].object_list}
    assert involved <= found
