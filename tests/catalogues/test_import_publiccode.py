"""manage.py import_publiccode on real publiccode.yml files and the reference parser's test cases."""

import io
import json
import shutil

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from actors.models import Actor
from catalogues.models import Record
from initiatives.models import Initiative
from tests.catalogues.helpers import serve_folder

pytestmark = pytest.mark.django_db

PUBLICCODE = settings.DATA_DIR / "publiccode"
AWESOME = PUBLICCODE / "awesome-codegouvfr"
VALID = PUBLICCODE / "parser-testdata" / "v0" / "valid"
INVALID = PUBLICCODE / "parser-testdata" / "v0" / "invalid"


def import_publiccode(*args, **options):
    out = io.StringIO()
    call_command("import_publiccode", *[str(a) for a in args], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_code_gouv_fr_awesome_files_become_published_software_without_personal_contacts(client):
    report = import_publiccode()

    assert report["source"] == "awesome-codegouvfr" and report["errors"] == []
    catala = Initiative.objects.get(repository_url="https://github.com/CatalaLang/catala")
    assert (catala.name, catala.kind, catala.licence, catala.website) == (
        "Catala",
        "software",
        "Apache-2.0",
        "https://catala-lang.org",
    )
    assert catala.is_published
    roles = set(catala.involvements.values_list("actor__name", "role"))
    assert ("Direction Générale des Finances Publiques (DGFiP)", "user") in roles
    assert ("Institut National de Recherche en Informatique et en Automatique (INRIA)", "funder") in roles
    # The files' loose parts are reported, not silently dropped; the template is skipped.
    reasons = {item["id"]: item["reason"] for item in report["skipped"]}
    assert reasons["template.publiccode.yml"] == "modèle de fichier, pas un logiciel"
    assert "creationDate" in reasons["catala_publiccode.yml"]
    # maintenance.contacts (names, e-mails, phones) are read by nobody.
    stored = json.dumps(
        [list(Actor.objects.values()), list(Initiative.objects.values()), list(Record.objects.values("extra"))],
        default=str,
        ensure_ascii=False,
    )
    for path in AWESOME.glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        maintenance = data.get("maintenance") or {}
        # A file may give an organisation as its contact ("Esup-portail"): that name is public anyway.
        organisations = {str(v).lower() for v in (data.get("legal") or {}).values()} | {
            str(c.get("name", "")).lower() for c in maintenance.get("contractors") or []
        }
        for contact in maintenance.get("contacts") or []:
            for value in (contact.get("name"), contact.get("email"), contact.get("phone")):
                if value and len(str(value)) > 3 and str(value).lower() not in organisations:
                    assert str(value) not in stored, path.name
    page = client.get(f"/initiatives/{catala.slug}/").content.decode()
    assert "Sélection « Awesome » de code.gouv.fr" in page


def test_the_parsers_valid_cases_import_as_drafts_and_twice_changes_nothing():
    first = import_publiccode(VALID)

    assert first["errors"] == [] and len(first["created"]) >= 5
    entry = Record.objects.get(source__key="publiccode", external_id="github.com/italia/developers.italia.it").entry
    assert entry.publication_status == "draft"  # any publiccode.yml waits for a curator
    assert entry.sources == [
        {"source": "publiccode", "note": "publiccode.yml de https://github.com/italia/developers.italia.it.git"}
    ]

    second = import_publiccode(VALID)
    assert (second["created"], second["updated"]) == ([], [])


@pytest.mark.parametrize("name", ["legal_license_invalid.yml", "name_missing.yml", "invalid_yaml.yml"])
def test_an_invalid_file_stops_the_import_naming_its_field_and_nothing_is_written(tmp_path, name):
    shutil.copy(VALID / "valid.yml", tmp_path / "a_valid.publiccode.yml")
    shutil.copy(INVALID / name, tmp_path / f"{name}.publiccode.yml")
    expected = json.loads((PUBLICCODE / "parser-testdata" / "expected-results.json").read_text())["v0/invalid"][name]

    with pytest.raises(CommandError) as raised:
        import_publiccode(tmp_path)

    message = str(raised.value)
    assert f"{name}.publiccode.yml" in message and "rien n'a été enregistré" in message
    for issue in expected:
        if issue["key"]:
            assert issue["key"] in message
    assert not Initiative.objects.exists() and not Record.objects.exists()


def test_a_curators_edit_is_kept_and_reported(tmp_path):
    shutil.copy(VALID / "valid.yml", tmp_path / "publiccode.yml")
    import_publiccode(tmp_path)
    entry = Initiative.objects.get()
    entry.summary = "Résumé revu par l'équipe"
    entry.save()
    text = (tmp_path / "publiccode.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    short = data["description"]["en"]["shortDescription"]
    (tmp_path / "publiccode.yml").write_text(text.replace(short, "A new short description"), encoding="utf-8")

    report = import_publiccode(tmp_path)

    entry.refresh_from_db()
    assert entry.summary == "Résumé revu par l'équipe"
    assert [(c["field"], c["incoming"]) for c in report["conflicts"]] == [("summary", "A new short description")]


def test_a_file_served_over_http_is_read():
    with serve_folder(VALID) as base_url:
        report = import_publiccode(f"{base_url}/valid.yml")

    assert report["errors"] == [] and len(report["created"]) >= 1
    assert Initiative.objects.filter(repository_url="https://github.com/italia/developers.italia.it.git").exists()
