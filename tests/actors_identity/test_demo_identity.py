"""The demo (`make run`): one public body, one actor; old addresses answer; re-imports add nothing."""

import io
import json
import re
from collections import defaultdict

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from actors.models import Actor
from catalogues.demo import DEMO_IMPORTS
from communs.models import Redirect
from curation.duplicates import name_key
from initiatives.models import Initiative
from territories.models import Territory

pytestmark = pytest.mark.django_db


def actor_slugs(html):
    return re.findall(r'href="/acteurs/([^/"?#]+)/"', html)


def test_no_two_published_actors_share_an_identifier_or_a_name(demo_data):
    seen = defaultdict(set)
    for actor in Actor.objects.published():
        for key in (
            ("siren", actor.siren),
            ("annuaire", actor.annuaire_id),
            ("name", name_key(actor.name)),
            ("name", name_key(actor.acronym)),
            *(("name", name_key(alias)) for alias in actor.alias_list),
        ):
            if key[1]:
                seen[key].add(actor.slug)
    assert {key: slugs for key, slugs in seen.items() if len(slugs) > 1} == {}


def test_a_search_for_dinum_opens_on_dinum_which_lists_the_sill(client, demo_data):
    assert actor_slugs(client.get("/acteurs/?q=DINUM").content.decode())[0] == "dinum"
    assert 'href="/initiatives/sill/"' in client.get("/acteurs/dinum/").content.decode()
    # Etalab is a department of the DINUM, shown both ways.
    assert "Organisation parente" in client.get("/acteurs/etalab/").content.decode()
    assert "Services rattachés" in client.get("/acteurs/dinum/").content.decode()


def test_ademe_lists_its_commons_and_its_old_address_answers_301(client, demo_data):
    page = client.get("/acteurs/ademe/").content.decode()
    assert "Aucune implication renseignée" not in page
    assert 'href="/initiatives/publicodes/"' in page
    response = client.get("/acteurs/ademe-2/")
    assert (response.status_code, response["Location"]) == (301, "/acteurs/ademe/")
    response = client.get("/api/v1/actors/ademe-2/")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/actors/ademe/")
    # Every redirect leads to a published entry.
    for redirect in Redirect.objects.all():
        assert client.get(f"/acteurs/{redirect.old_slug}/").status_code in (301, 404)


def test_apache_is_one_commons(client, demo_data):
    response = client.get("/initiatives/apache/")
    assert response.status_code == 301 and response["Location"] == "/initiatives/apache-http-server/"
    assert "Apache" in Initiative.objects.get(slug="apache-http-server").alias_list


def test_local_authorities_of_a_commune_or_epci_have_its_siren(demo_data):
    governing = Actor.objects.filter(kind="local_authority", territory__kind=Territory.Kind.EPCI)
    assert governing.exists()
    for actor in governing:
        assert actor.siren == actor.territory.siren
    brest = Actor.objects.get(slug="ville-de-brest")
    assert brest.siren == "212900195" and any(item.get("source") == "geo-fr" for item in brest.sources)


def test_the_actors_list_opens_on_the_most_involved(client, demo_data):
    first = actor_slugs(client.get("/acteurs/").content.decode())[:10]
    counts = {
        actor.slug: actor.involvements.filter(initiative__publication_status="published")
        .values("initiative")
        .distinct()
        .count()
        for actor in Actor.objects.published()
    }
    assert counts[first[0]] == max(counts.values())
    assert "dinum" in first


def test_re_running_every_importer_after_the_merges_adds_nothing(demo_data):
    merged = set()
    for model in (Actor, Initiative):
        kept = Redirect.objects.filter(content_type=ContentType.objects.get_for_model(model)).values("object_id")
        merged |= set(model.objects.filter(pk__in=kept).values_list("slug", flat=True))
    actors, initiatives = Actor.objects.count(), Initiative.objects.count()
    for command, *args in DEMO_IMPORTS:
        args = [str(settings.DATA_DIR / arg) if "/" in arg else arg for arg in args]
        out = io.StringIO()
        call_command(command, *args, "--json", stdout=out)
        report = json.loads(out.getvalue())
        assert report["created"] == [], command
        assert report["possible_duplicates"] == [], command
        assert [c for c in report["conflicts"] if c["entry"] in merged or c["field"] == "identité"] == [], command
    assert (Actor.objects.count(), Initiative.objects.count()) == (actors, initiatives)
