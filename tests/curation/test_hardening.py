"""Production bugs of the curation tools, each pinned through the admin's pages."""

import html

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag

from tests.factories import make_initiative

from .conftest import logged_in


def test_the_bulk_add_tag_action_refuses_a_tag_without_letters(client, curator):
    initiatives = [make_initiative() for _ in range(2)]
    url = reverse("admin:initiatives_initiative_changelist")
    ids = [o.pk for o in initiatives]
    response = logged_in(client, curator).post(
        url, {"action": "action_add_tag", "_selected_action": ids, "apply": "1", "tag": "!!!"}
    )
    # The form comes back with the reason, and nothing was added.
    assert response.status_code == 200
    assert "doit contenir au moins une lettre ou un chiffre" in response.text
    assert not Tag.objects.exists()
    for obj in initiatives:
        assert list(obj.tags.names()) == []
        assert obj.history.count() == 1


def test_an_import_row_older_than_the_entry_is_refused_and_nothing_imports(client, editor):
    from initiatives.resources import InitiativeResource

    stale = make_initiative(slug="outil-libre", name="Outil libre")
    fresh = make_initiative(slug="carte-libre", name="Carte libre")
    exported = InitiativeResource().export()  # both at version 1
    assert "version" in exported.headers
    # Someone edits one entry after the export.
    stale.name = "Outil libre (renommé)"
    stale.save()
    rows = [dict(zip(exported.headers, row, strict=True)) for row in exported]
    data = tablib.Dataset(headers=["slug", "name", "kind", "version"])
    for row in rows:
        data.append([row["slug"], row["name"] + " v2", row["kind"], row["version"]])

    response = logged_in(client, editor).post(
        reverse("admin:initiatives_initiative_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("import.csv", data.export("csv").encode())},
    )
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    row_number = 1 + [row["slug"] for row in rows].index("outil-libre")
    assert (
        f"Ligne {row_number} (« outil-libre ») : exportée à la version 1 de la fiche, qui en est à la version 2" in page
    )
    assert response.context.get("confirm_form") is None  # nothing to confirm: nothing imports
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.name, fresh.name) == ("Outil libre (renommé)", "Carte libre")


def test_an_import_row_at_the_current_version_imports(editor):
    from initiatives.resources import InitiativeResource

    entry = make_initiative(slug="outil-libre", name="Outil libre")
    data = tablib.Dataset(headers=["slug", "name", "kind", "version"])
    data.append(["outil-libre", "Outil libre v2", "software", str(entry.version)])
    result = InitiativeResource().import_data(data, dry_run=False, use_transactions=True)
    assert not result.has_errors() and not result.has_validation_errors()
    entry.refresh_from_db()
    assert entry.name == "Outil libre v2"
