"""Import and export in the admin: CSV, XLSX and JSON, a dry-run preview, bad rows
reported with their reason, and all-or-nothing imports."""

import html
import io
import json

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from actors.models import Actor
from actors.resources import ActorResource
from initiatives.models import Initiative
from initiatives.resources import InitiativeResource
from tests.factories import make_actor, make_initiative, make_sector

from .conftest import logged_in

HEADERS = ["slug", "name", "kind", "licence", "sectors", "website"]
FORMATS = ["csv", "xlsx", "json"]  # the order of CuratedAdmin.import_formats


def dataset(rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def upload(rows, fmt="csv"):
    data = dataset(rows)
    content = {
        "csv": lambda: data.export("csv").encode(),
        "xlsx": lambda: data.export("xlsx"),
        "json": lambda: data.export("json").encode(),
    }[fmt]()
    return SimpleUploadedFile(f"import.{fmt}", content)


def post_import(client, rows, fmt="csv"):
    return client.post(
        reverse("admin:initiatives_initiative_import"),
        {
            "resource": "0",
            "format": str(FORMATS.index(fmt)),
            "import_file": upload(rows, fmt),
        },
    )


GOOD = [
    ["cartes-libres", "Cartes libres", "data", "ODbL-1.0", "geodonnees", "https://cartes.example.org"],
    ["outil-libre", "Outil libre", "software", "MIT", "", ""],
]


def _sector(db):
    return make_sector(name="Géodonnées", slug="geodonnees")


def test_import_page_offers_three_formats(client, curator):
    page = logged_in(client, curator).get(reverse("admin:initiatives_initiative_import")).content.decode()
    for title in ("csv", "xlsx", "json"):
        assert f">{title}<" in page


def test_dry_run_preview_then_confirm(client, curator, db):
    _sector(db)
    client = logged_in(client, curator)
    for fmt in FORMATS:
        Initiative.objects.all().delete()
        response = post_import(client, GOOD, fmt)
        assert response.status_code == 200, fmt
        page = html.unescape(response.content.decode())
        assert "Cartes libres" in page and "Outil libre" in page
        assert not Initiative.objects.exists(), "the preview must not write anything"
        confirm = response.context["confirm_form"]
        response = client.post(reverse("admin:initiatives_initiative_process_import"), confirm.initial)
        assert response.status_code == 302, fmt
        assert set(Initiative.objects.values_list("slug", flat=True)) == {"cartes-libres", "outil-libre"}
    created = Initiative.objects.get(slug="cartes-libres")
    # New rows land as drafts, with their sectors, and the importer is in the history.
    assert created.publication_status == "draft"
    assert list(created.sectors.values_list("slug", flat=True)) == ["geodonnees"]
    assert created.history.first().history_user == curator


def test_bad_rows_are_reported_and_nothing_imports(client, curator, db):
    _sector(db)
    rows = [
        GOOD[0],
        ["mauvais-type", "Mauvais type", "vaisseau", "", "", ""],
        ["mauvaise-licence", "Mauvaise licence", "software", "PAS-UNE-LICENCE", "", ""],
        ["secteur-inconnu", "Secteur inconnu", "software", "", "astrologie", ""],
        ["mauvais-site", "Mauvais site", "software", "", "", "pas une url"],
    ]
    response = post_import(logged_in(client, curator), rows)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "vaisseau" in page  # the invalid choice, named
    assert "PAS-UNE-LICENCE" in page  # the SPDX validator's message
    assert "astrologie" in page  # the unknown sector, named
    assert "URL" in page or "adresse" in page  # the URL validator
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Initiative.objects.exists()


def test_one_bad_row_rolls_back_the_whole_file(db):
    _sector(db)
    resource = InitiativeResource()
    data = dataset([GOOD[0], GOOD[1], ["x", "X", "vaisseau", "", "", ""]])
    # The admin's confirm step imports with these options.
    result = resource.import_data(data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert result.has_validation_errors()
    assert not Initiative.objects.exists()
    # A row that raises (unknown sector) rolls back the others as well.
    data = dataset([GOOD[0], ["y", "Y", "software", "", "astrologie", ""]])
    result = resource.import_data(data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert result.has_errors() or result.has_validation_errors()
    assert not Initiative.objects.exists()


def test_import_updates_by_slug_and_never_publishes(db, editor):
    existing = make_initiative(slug="outil-libre", name="Ancien nom", publication_status="published")
    resource = InitiativeResource()
    data = tablib.Dataset(headers=["slug", "name", "kind", "publication_status"])
    data.append(["outil-libre", "Nouveau nom", "software", "draft"])
    data.append(["nouveau", "Nouveau", "software", "published"])
    result = resource.import_data(data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    existing.refresh_from_db()
    assert (existing.name, existing.publication_status) == ("Nouveau nom", "published")
    assert Initiative.objects.get(slug="nouveau").publication_status == "draft"
    assert existing.history.first().history_change_reason == "Import de fichier"


def test_actor_import_refuses_unknown_parent(db):
    data = tablib.Dataset(headers=["slug", "name", "kind", "parent"])
    data.append(["etalab", "Etalab", "state", "dinum"])
    result = ActorResource().import_data(data, dry_run=True, use_transactions=True)
    assert result.has_errors() or result.has_validation_errors()
    make_actor(slug="dinum", name="DINUM")
    result = ActorResource().import_data(data, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Actor.objects.get(slug="etalab").parent.slug == "dinum"


def test_export_round_trips_in_every_format(db):
    sector = _sector(db)
    initiative = make_initiative(slug="ban", name="Base Adresse Nationale", licence="etalab-2.0")
    initiative.sectors.add(sector)
    exported = InitiativeResource().export()
    for fmt in (base_formats.CSV(), base_formats.XLSX(), base_formats.JSON()):
        content = fmt.export_data(exported)
        data = fmt.create_dataset(content)
        row = dict(zip(data.headers, data[0], strict=True))
        assert row["slug"] == "ban" and row["sectors"] == "geodonnees" and row["publication_status"] == "draft"
    rows = json.loads(base_formats.JSON().export_data(exported))
    assert rows[0]["licence"] == "etalab-2.0"


def test_admin_export_downloads(client, curator, db):
    make_initiative(slug="ban", name="Base Adresse Nationale")
    client = logged_in(client, curator)
    url = reverse("admin:initiatives_initiative_export")
    form = client.get(url).context["form"]
    fields = {name: "on" for name in form.fields if name not in ("resource", "format", "export_items")}
    for index, content_type in enumerate(["text/csv", "spreadsheetml", "application/json"]):
        response = client.post(url, {"resource": "0", "format": str(index), **fields})
        assert response.status_code == 200
        assert content_type in response["Content-Type"]
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if index != 1:
            assert b"Base Adresse Nationale" in body
        else:
            assert io.BytesIO(body).read(2) == b"PK"  # an xlsx is a zip archive
