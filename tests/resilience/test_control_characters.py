"""Control characters cannot break an output (issue 31, item 3): every one of them written through the
API is stripped (or refused), importers clean them, a migration cleaned what was stored, and every
output still parses even when stored text holds them all."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from importlib import import_module

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from icalendar import Calendar

from funding.models import FundingEdition
from initiatives.models import Initiative
from tests.api.conftest import token_client, user_with_role
from tests.factories import PUBLISHED, make_initiative, make_scheme

pytestmark = pytest.mark.django_db

# C0 but tab and newline, DEL, C1.
CONTROLS = [chr(code) for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
EVERY_CONTROL = "".join(CONTROLS)
ONE_LINE_CONTROLS = EVERY_CONTROL.replace("\x00", "").replace("\r", "")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def entries(db):
    initiative = make_initiative(
        "commun",
        "Commun",
        publication_status=PUBLISHED,
        summary="Résumé",
        description="Description",
        licence="MIT",
        website="https://commun.example.org/",
        repository_url="https://git.example.org/commun",
    )
    scheme = make_scheme("dispositif", "Dispositif", publication_status=PUBLISHED, summary="Résumé")
    edition = FundingEdition.objects.create(scheme=scheme, label="2026", closes_on="2026-12-31")
    return initiative, scheme, edition


@pytest.fixture
def curator_client(db):
    from curation.roles import CURATOR

    return token_client(user_with_role("curatrice", CURATOR))


def patch(client, url, body):
    etag = client.get(url)["ETag"]
    return client.patch(url, body, format="json", HTTP_IF_MATCH=etag)


def test_the_api_strips_each_control_character_and_refuses_a_line_break_in_one_line_fields(curator_client, entries):
    url = "/api/v1/initiatives/commun/"
    for char in CONTROLS:
        response = patch(curator_client, url, {"summary": f"avant{char}après", "description": f"a{char}b\nc"})
        if char == "\x00":  # PostgreSQL cannot store it: refused before anything looks it up
            assert response.status_code == 400, repr(char)
            continue
        if char == "\r":  # folded into a newline, which a one-line field refuses
            assert response.status_code == 400, repr(char)
            assert "une ligne" in json.dumps(response.json(), ensure_ascii=False)
            continue
        assert response.status_code == 200, (repr(char), response.content[:300])
        initiative = Initiative.objects.get(slug="commun")
        assert (initiative.summary, initiative.description) == ("avantaprès", "ab\nc"), repr(char)

    response = patch(curator_client, url, {"name": "Deux\nlignes"})
    assert response.status_code == 400
    assert "une ligne" in response.json()["errors"]["name"][0]


def outputs(client, initiative, scheme):
    """Every output that shows the entries' text, each parsed by a strict reader."""
    atom = client.get("/initiatives/flux.atom")
    rss = client.get("/initiatives/flux.rss")
    funding_atom = client.get("/financements/flux.atom")
    for response in (atom, rss, funding_atom):
        assert response.status_code == 200
        ET.fromstring(response.content)
    for path in ("/financements/calendrier.ics", f"/financements/{scheme.slug}/calendrier.ics"):
        response = client.get(path)
        assert response.status_code == 200
        calendar = Calendar.from_ical(response.content)
        assert calendar.walk("VEVENT")
        assert not CONTROL.search(response.content.decode().replace("\r\n", ""))
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    for location in ET.fromstring(index.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
        section = client.get(location.text.split("testserver", 1)[-1])
        assert section.status_code == 200
        ET.fromstring(section.content)
    exported = client.get("/api/v1/initiatives/export.csv/")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert [row["slug"] for row in rows] == ["commun"]
    exported = client.get("/api/v1/initiatives/export.json/")
    assert exported.status_code == 200
    json.loads(b"".join(exported.streaming_content))
    linked = client.get(f"/api/v1/initiatives/{initiative.slug}/", HTTP_ACCEPT="application/ld+json")
    assert linked.status_code == 200
    json.loads(linked.content)
    page = client.get(f"/initiatives/{initiative.slug}/")
    assert page.status_code == 200
    for script in re.findall(rb'<script type="application/ld\+json">(.*?)</script>', page.content, re.S):
        json.loads(script)
    publiccode = client.get(f"/initiatives/{initiative.slug}/publiccode.yml")
    assert publiccode.status_code in (200, 409)
    if publiccode.status_code == 200:
        yaml.safe_load(publiccode.content)


def storable(text):
    # PostgreSQL refuses NUL in any text column: no row there can hold one, on any path.
    return text.replace("\x00", "") if connection.vendor == "postgresql" else text


def test_every_output_parses_even_with_every_control_character_stored(client, entries):
    initiative, scheme, edition = entries
    stored = storable(EVERY_CONTROL)
    # As old rows or an import before this change stored them: no validation on the way in.
    Initiative.objects.filter(pk=initiative.pk).update(
        name=f"Commun{stored}", summary=f"Résumé{stored}", description=f"Texte{stored}"
    )
    type(scheme).objects.filter(pk=scheme.pk).update(name=f"Dispositif\n{stored}")
    FundingEdition.objects.filter(pk=edition.pk).update(label=f"2026\n{stored}")

    outputs(client, initiative, scheme)


def test_the_migration_cleans_stored_text(entries):
    initiative, scheme, _ = entries
    stored = storable(EVERY_CONTROL)
    Initiative.objects.filter(pk=initiative.pk).update(summary=f"Ré\r\nsumé{stored}", description="a\x0bb\r\nc")
    type(scheme).objects.filter(pk=scheme.pk).update(name="Dispo\nsitif\x85")

    import_module("catalogues.migrations.0003_clean_control_characters").clean_stored_text(apps, None)

    initiative.refresh_from_db()
    scheme.refresh_from_db()
    assert (initiative.summary, initiative.description, scheme.name) == ("Ré sumé", "ab\nc", "Dispo sitif")


def test_importers_clean_control_characters(tmp_path):
    path = tmp_path / "sill.json"
    rows = [
        {
            "id": "7",
            "i": "Logiciel\x0b propre",
            "f": "Fait\x1b quelque\nchose",
            "fr-desc": "Ligne 1\x00\nLigne 2\x9f",
            "website": "https://logiciel.example.org/",
        }
    ]
    path.write_text(json.dumps(rows))

    call_command("import_sill", str(path), stdout=io.StringIO())

    entry = Initiative._base_manager.get(sill_id=7)
    assert (entry.name, entry.summary, entry.description) == (
        "Logiciel propre",
        "Fait quelque chose",
        "Ligne 1\nLigne 2",
    )


def test_the_public_form_strips_control_characters_and_refuses_a_line_break_in_one_line_fields(client, settings):
    from curation.models import Suggestion
    from tests.curation.test_suggestions import PROPOSAL

    settings.CURATION_SUGGESTION_RATE = (100, 3600)
    refused = client.post("/proposer/", {**PROPOSAL, "name": "Deux\nlignes"})
    assert refused.status_code in (200, 400)
    assert "Ce champ tient sur une ligne." in refused.content.decode()
    assert not Suggestion.objects.exists()

    sent = client.post(
        "/proposer/",
        # NUL is refused by Django's forms, a carriage return is a line break: every other one is dropped.
        {**PROPOSAL, "name": f"Cartes{ONE_LINE_CONTROLS}", "message": "Ligne\x0b 1\nLigne 2"},
    )
    assert sent.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.name, suggestion.message) == ("Cartes", "Ligne 1\nLigne 2")
