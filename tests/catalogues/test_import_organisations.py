"""manage.py import_organisations on code.gouv.fr's lists of public bodies (data/codegouvfr)."""

import io
import json
import re
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actors.models import Actor
from catalogues.models import Record
from tests.catalogues.helpers import serve_folder
from tests.factories import make_actor

pytestmark = pytest.mark.django_db(transaction=False)

DATA = settings.DATA_DIR / "codegouvfr" / "codegouvfr-data"
FILES = ["top_organizations.yml", "fr-public-sector-ospo.yml", "comptes-organismes-publics.yml"]
MINISTRY_OF_CULTURE = "pso:da1d6275-6710-485d-a249-282cac69dfe7"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def import_organisations(*locations, **options):
    out = io.StringIO()
    call_command("import_organisations", *[str(p) for p in locations], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_ministries_ospos_and_forge_accounts_become_published_actors(client):
    dinum = make_actor("dinum", "Direction interministérielle du numérique", acronym="DINUM")

    report = import_organisations()

    assert report["errors"] == []
    # A top-level body is a State administration; the forge accounts of the same body are one actor.
    culture = Record.objects.get(source__key="codegouvfr-organisations", external_id=MINISTRY_OF_CULTURE).entry
    assert (culture.name, culture.kind, culture.is_published) == ("Ministère de la Culture", "state", True)
    accounts = Record.objects.get(external_id=MINISTRY_OF_CULTURE).extra["accounts"]
    assert "https://gitlab.com/musee-saint-raymond" in [account["url"] for account in accounts]
    assert Actor.objects.get(name="Commission européenne").kind == "eu_institution"
    # Groupings of code.gouv.fr's listing are no body.
    assert not Actor.objects.filter(name__in=["Autorités indépendantes", "Institutions et juridictions"]).exists()
    skipped = {item["id"]: item["reason"] for item in report["skipped"]}
    assert "regroupe des organismes" in skipped["pso:82108933-ca09-4b05-b8b6-be04cc434de6"]

    # The DINUM's OSPO is the existing DINUM, found by its acronym, which keeps its curated name;
    # the OSPO's own description and address stay with the import's record.
    dinum.refresh_from_db()
    assert (dinum.name, dinum.description, dinum.website) == ("Direction interministérielle du numérique", "", "")
    record = Record.objects.get(source__key="codegouvfr-organisations", object_id=dinum.pk)
    assert record.external_id == "pso:6a7cd2a0-af32-4b55-9125-671b16df777b"
    assert record.extra["ospo"]["url"] == "https://code.gouv.fr"
    assert {"id": record.external_id, "entry": "dinum"} in report["matched_by_name"]

    # An OSPO whose body no other file names is an actor of its own, of no stated kind.
    ign = Record.objects.get(external_id="pso:f610de75-2107-4543-a4e3-fd501a8b611c").entry
    assert (ign.name, ign.kind) == ("OSPO de l'IGN", "other")
    assert ign.description.startswith("L'Open Source Programme Office de l'Institut national")
    assert "https://gitlab.com/dai-projets" in [
        a["url"] for a in Record.objects.get(object_id=ign.pk).extra["accounts"]
    ]

    # Bodies that only the service-public.fr annuaire names are not given a login as name.
    assert not Actor.objects.filter(name__in=["bibcnrs", "lias-laboratory", "etalab-datalab"]).exists()
    assert "organisme sans nom" in skipped["pso:35a8a489-89b3-40ea-9838-803dcd5f7d18"]
    assert Actor.objects.count() == 25  # 17 top-level bodies + 8 actors from the 9 OSPOs (one is a ministry's)
    assert not Actor.objects.exclude(siren="").exists() and not Actor.objects.exclude(parent=None).exists()

    # What a reader sees: the actor's page cites the source.
    html = client.get(f"/acteurs/{culture.slug}/").content.decode()
    assert "Ministère de la Culture" in html and "Organismes publics et comptes de forges" in html


def test_no_email_address_is_written():
    import_organisations()

    for actor in Actor.objects.all():
        for field in ("name", "acronym", "description", "website"):
            assert not EMAIL.search(getattr(actor, field)), (actor.slug, field)
    for record in Record.objects.all():
        assert not EMAIL.search(json.dumps(record.extra)) and not EMAIL.search(json.dumps(record.imported))


def test_importing_twice_changes_nothing_the_second_time():
    import_organisations()
    versions = dict(Actor.objects.values_list("pk", "version"))
    history = Actor.history.count()

    second = import_organisations()

    assert (second["created"], second["updated"], second["conflicts"]) == ([], [], [])
    assert dict(Actor.objects.values_list("pk", "version")) == versions
    assert Actor.history.count() == history


def test_a_curators_edit_is_kept_and_reported(tmp_path):
    import_organisations()
    paris = Actor.objects.get(name="OSPO de la Ville de Paris")
    paris.description = "Le service open source de la Ville de Paris (corrigé par l'équipe)"
    paris.save()
    for name in FILES:
        shutil.copy(DATA / name, tmp_path / name)
    ospo = tmp_path / "fr-public-sector-ospo.yml"
    text = ospo.read_text(encoding="utf-8")
    changed = text.replace("fr: L'Open Source Programme Office de la ville de Paris", "fr: OSPO parisien", 1)
    changed = changed.replace("https://opensource.paris.fr:", "https://opensource.paris.fr/ospo:", 1)
    assert changed.count("OSPO parisien") == 1 and "paris.fr/ospo" in changed
    ospo.write_text(changed, encoding="utf-8")

    report = import_organisations(*[tmp_path / name for name in FILES])

    paris.refresh_from_db()
    assert paris.description == "Le service open source de la Ville de Paris (corrigé par l'équipe)"
    assert paris.website == "https://opensource.paris.fr/ospo"
    conflict = next(c for c in report["conflicts"] if c["entry"] == paris.slug)
    assert (conflict["field"], conflict["incoming"]) == ("description", "OSPO parisien")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [b\n", "YAML illisible"),
        ("- just\n- a list\n", "structure non reconnue"),
        ("gitlab.com:\n  forge: gitlab\n  owners: [a, b]\n", "la forge gitlab.com n'est pas décrite"),
    ],
)
def test_a_broken_file_stops_the_import_naming_it_and_nothing_is_written(tmp_path, text, message):
    for name in FILES:
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "comptes-organismes-publics.yml").write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        import_organisations(*[tmp_path / name for name in FILES])

    assert "comptes-organismes-publics.yml" in str(raised.value) and message in str(raised.value)
    assert "rien n'a été enregistré" in str(raised.value)
    assert not Actor.objects.exists() and not Record.objects.exists()


def test_the_2021_accounts_export_is_recognised_and_not_imported():
    report = import_organisations(settings.DATA_DIR / "codegouvfr" / "data-codes-sources-fr" / "organizations.json")

    assert report["created"] == [] and not Actor.objects.exists()
    assert "des comptes, pas des organismes" in report["skipped"][0]["reason"]


def test_an_http_url_is_read_like_a_file():
    with serve_folder(DATA) as base_url:
        report = import_organisations(*[f"{base_url}/{name}" for name in FILES])

    assert report["errors"] == [] and len(report["created"]) == 25
    assert Actor.objects.filter(name="Ministère de la Culture", kind="state").exists()
