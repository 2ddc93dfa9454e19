"""manage.py import_sill on the SILL exports the project ships (data/sill)."""

import csv
import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actors.models import Actor
from catalogues.models import Record
from communs.models import Source
from initiatives.models import Deployment, Initiative
from tests.catalogues.helpers import serve_folder
from tests.sharing import shared_per_module

pytestmark = pytest.mark.django_db(transaction=False)

SILL = settings.DATA_DIR / "sill"


def import_sill(*locations, **options):
    out = io.StringIO()
    call_command("import_sill", *[str(p) for p in locations], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


# The whole folder imported once, for the three tests below that start from it (tests/sharing.py):
# each sees the import's report and rows, and what it writes is rolled back after it.
_imported = shared_per_module(lambda: import_sill(SILL))


@pytest.fixture
def imported(db, _imported):
    return _imported.get()


def test_the_three_exports_and_the_services_become_published_entries_citing_the_sill(client, imported):
    report = imported

    assert report["errors"] == []
    seven_zip = Initiative.objects.get(sill_id=1)
    # Values merged from sill.json (website, description) and software.csv (Wikidata), licence in SPDX.
    assert (seven_zip.name, seven_zip.kind, seven_zip.licence) == ("7zip", "software", "LGPL-2.0-only")
    assert seven_zip.website == "https://www.7-zip.org/"
    assert seven_zip.wikidata_qid == "Q215051"
    assert seven_zip.description == "Logiciel facilitant l'archivage des données"
    assert seven_zip.is_published
    assert seven_zip.sources == [{"source": "sill", "note": "Fiche SILL n° 1"}]
    record = Record.objects.get(source__key="sill", external_id="sill:1")
    assert Source.objects.get(key="sill").retrieved_at == record.last_imported_at
    assert record.extra["sill_years"] == ["2018", "2019", "2020", "2021", "2022"]
    assert record.extra["comptoir_du_libre_id"] == "72"
    # The history names the importer and the source.
    first = seven_zip.history.earliest()
    assert first.history_user.username == "importateur"
    assert first.history_change_reason.startswith("Import : Socle interministériel de logiciels libres")

    # Every software of the three exports (ids, not file rows) is there once; held-back ids (id % 5 == 3) are not.
    exported = {int(row["id"]) for row in json.loads((SILL / "etalab-sill-data" / "sill.json").read_text())}
    assert exported <= set(Initiative.objects.exclude(sill_id=None).values_list("sill_id", flat=True))
    assert Initiative.objects.filter(sill_id__isnull=False).count() == len(
        set(Initiative.objects.values_list("sill_id", flat=True)) - {None}
    )
    # A software the SILL gives neither a website nor a repository waits for a curator as a draft (so
    # does one that only its services name).
    software = Initiative.objects.filter(kind="software")
    incomplete = software.filter(website="", repository_url="")
    assert incomplete.exists() and not incomplete.exclude(publication_status="draft").exists()
    assert {item["entry"] for item in report["held_back"]} == set(incomplete.values_list("slug", flat=True))
    published = software.filter(publication_status="published", sill_id__isnull=False)
    assert published.exclude(licence="").count() / published.count() >= 0.9

    # A public service is a use of its software by its agency (catalogues/deployments.py), not a commons.
    assert not Initiative.objects.filter(name="Webconf (Jitsi)").exists()
    jitsi = Initiative.objects.get(sill_id=67)
    webconf = jitsi.deployments.get(url="https://webconf.numerique.gouv.fr")
    assert (webconf.name, webconf.actor.name, webconf.since) == ("Webconf (Jitsi)", "DINUM", "2019")
    assert webconf.sources == [{"source": "sill-services"}]

    # What a reader sees: the page and the API cite the SILL by title, with its link.
    html = client.get(f"/initiatives/{seven_zip.slug}/").content.decode()
    assert 'href="https://code.gouv.fr/sill/"' in html and "Socle interministériel de logiciels libres" in html
    assert "Au SILL : recommandé, années 2018, 2019, 2020, 2021, 2022." in html
    assert 'href="https://comptoir-du-libre.org/fr/softwares/72"' in html
    records = client.get(f"/api/v1/catalogue-records/?initiative={seven_zip.slug}").json()["results"]
    assert [(r["source"], r["external_id"], r["imported"]["licence"]) for r in records] == [
        ("sill", "sill:1", "LGPL-2.0-only")
    ]
    cited = client.get(f"/api/v1/initiatives/{seven_zip.slug}/").json()["sources"][0]
    assert (cited["title"][:40], cited["source_url"], cited["licence"]) == (
        "Socle interministériel de logiciels libr",
        "https://code.gouv.fr/sill/",
        "etalab-2.0",
    )


def test_a_service_naming_software_missing_from_the_files_is_a_use_of_a_draft_commons_of_that_software(imported):
    report = imported
    services = list(csv.DictReader((SILL / "codegouvfr-sill-api" / "services.csv").open(encoding="utf-8")))
    missing = [row for row in services if row["software_sill_id"] and int(row["software_sill_id"]) % 5 == 3]
    assert missing, "services.csv names held-back software"
    record = Record.objects.get(source__key="sill-services", external_id=f"service:{missing[0]['id']}")
    software = record.entry.initiative
    assert software.sill_id == int(missing[0]["software_sill_id"])
    assert software.name.casefold() == missing[0]["software_name"].casefold()
    # A software the reviewed file does not give addresses for waits for a curator, with its uses.
    notaires = Initiative.objects.get(name="Départements & Notaires")
    assert notaires.publication_status == "draft" and notaires.deployments.count() == 11
    assert report["errors"] == []


def test_importing_twice_changes_nothing_the_second_time(imported):
    versions = dict(Initiative.objects.values_list("pk", "version"))
    history = Initiative.history.count()
    deployments = Deployment.history.count()
    assert deployments > 90

    second = import_sill(SILL)

    assert (second["created"], second["updated"]) == ([], [])
    assert dict(Initiative.objects.values_list("pk", "version")) == versions
    assert Initiative.history.count() == history
    assert Deployment.history.count() == deployments


def test_a_curators_edit_is_kept_and_reported_and_source_changes_still_apply(tmp_path):
    import_sill(SILL / "codegouvfr-sill-api" / "software.csv")
    seven_zip = Initiative.objects.get(sill_id=1)
    seven_zip.summary = "Archiveur de fichiers (corrigé par l'équipe)"
    seven_zip.save()
    # The source changes two fields: one the curator edited, one nobody touched.
    text = (SILL / "codegouvfr-sill-api" / "software.csv").read_text(encoding="utf-8")
    changed = text.replace("1,7zip,Compression,", "1,7zip,Compression de fichiers,", 1).replace("Q215051", "Q215052", 1)
    assert changed != text
    (tmp_path / "software.csv").write_text(changed, encoding="utf-8")

    report = import_sill(tmp_path / "software.csv")

    seven_zip.refresh_from_db()
    assert seven_zip.summary == "Archiveur de fichiers (corrigé par l'équipe)"
    assert seven_zip.wikidata_qid == "Q215052"
    conflict = next(c for c in report["conflicts"] if c["entry"] == seven_zip.slug)
    assert (conflict["field"], conflict["incoming"]) == ("summary", "Compression de fichiers")
    assert {"id": "sill:1", "entry": seven_zip.slug, "fields": ["wikidata_qid"]} in report["updated"]


def test_a_bad_row_imports_nothing_and_names_its_line(tmp_path):
    folder = tmp_path / "sill"
    shutil.copytree(SILL / "codegouvfr-sill-api", folder)
    rows = list(csv.DictReader((folder / "services.csv").open(encoding="utf-8")))
    rows[1]["description"] = "x" * 10_001  # longer than a description may be
    with (folder / "services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(CommandError) as raised:
        import_sill(folder)

    assert "services.csv, ligne 3" in str(raised.value)
    assert "rien n'a été enregistré" in str(raised.value)
    assert not Initiative.objects.exists() and not Actor.objects.exists() and not Record.objects.exists()


def test_a_dry_run_reports_and_writes_nothing():
    report = import_sill(SILL, dry_run=True)

    assert report["dry_run"] is True and len(report["created"]) > 300
    assert not Initiative.objects.exists() and not Record.objects.exists()
    assert not Source.objects.filter(key="sill").exists()


def test_an_unreadable_location_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(CommandError, match="ni un fichier, ni un dossier"):
        import_sill(tmp_path / "absent.json")
    (tmp_path / "sill.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON illisible"):
        import_sill(tmp_path / "sill.json")
    assert not Initiative.objects.exists()


def test_an_http_url_is_read_like_a_file():
    with serve_folder(SILL / "etalab-sill-data") as base_url:
        report = import_sill(f"{base_url}/sill.json")

    assert report["errors"] == [] and len(report["created"]) >= 150
    assert Initiative.objects.get(sill_id=1).website == "https://www.7-zip.org/"


def test_entries_land_as_drafts_when_the_sources_setting_says_so_and_stay_private(client, settings):
    settings.CATALOGUE_PUBLICATION = {**settings.CATALOGUE_PUBLICATION, "sill": "draft"}
    import_sill(SILL / "codegouvfr-sill-api" / "software.csv")

    seven_zip = Initiative.objects.get(sill_id=1)
    assert seven_zip.publication_status == "draft"
    assert client.get(f"/initiatives/{seven_zip.slug}/").status_code == 404
    assert client.get(f"/api/v1/catalogue-records/?initiative={seven_zip.slug}").json()["count"] == 0
    assert client.get("/api/v1/catalogue-records/?source=sill").json()["count"] == 0


@pytest.mark.parametrize(
    "given, spdx",
    [
        ("GPL-2.0, LGPL-2, MPL-1.1", "GPL-2.0-only OR LGPL-2.0-only OR MPL-1.1"),  # Pentaho CE
        ("CPA", "CPAL-1.0"),  # ProjectLibre
        ("GPL V2.0", "GPL-2.0-only"),
        ("N/A", ""),
    ],
)
def test_the_sills_own_spellings_of_a_licence_are_read_as_spdx(given, spdx):
    from catalogues.cleaning import clean_licence

    assert clean_licence(given) == (spdx, "")


def test_a_sill_software_stays_without_licence_only_where_no_export_gives_one_it_can_read(imported):
    unread = Initiative.objects.filter(sill_id__isnull=False, licence="")
    # "N/A" (CentOS, Debian, EOLE), none at all (CockroachDB), "CeCILL-2.2", which SPDX does not
    # know (Topaze), and the software whose SILL rows are not shipped, named by services.csv only.
    assert sorted(unread.values_list("name", flat=True)) == [
        "CentOS",
        "CockroachDB",
        "Debian",
        "Discourse",
        "EOLE (Ubuntu)",
        "GitLab",
        "Moodle LMS",
        "Nextcloud",
        "Onyxia",
        "Topaze",
    ]
