"""Keeping a copy in sync: `updated_since` gives what changed, `…/archived/` what left the public list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from initiatives.models import Initiative
from tests.factories import PUBLISHED, make_actor, make_initiative


@pytest.fixture
def two_initiatives(db):
    return make_initiative("decidim", "Decidim", publication_status=PUBLISHED), make_initiative(
        "dhis2", "DHIS2", publication_status=PUBLISHED
    )


def test_an_archived_entry_leaves_the_list_and_appears_in_archived(api, editor_client, two_initiatives):
    since = timezone.now()
    assert api.get("/api/v1/initiatives/archived/").json()["results"] == []
    etag = editor_client.get("/api/v1/initiatives/dhis2/")["ETag"]
    response = editor_client.delete("/api/v1/initiatives/dhis2/?reason=Projet+arrêté", HTTP_IF_MATCH=etag)
    assert response.status_code == 204

    # The changed list no longer holds it, so a syncing client learns of it here.
    changed = api.get("/api/v1/initiatives/", {"updated_since": since.isoformat()}).json()
    assert [row["slug"] for row in changed["results"]] == []
    archived = api.get("/api/v1/initiatives/archived/", {"updated_since": since.isoformat()})
    assert archived.status_code == 200
    body = archived.json()
    assert body["count"] == 1
    assert [row["slug"] for row in body["results"]] == ["dhis2"]
    assert body["results"][0]["status"] == "archived"
    assert set(body["results"][0]) == {"slug", "status", "changed_at"}  # no reason, no content
    assert "Projet" not in archived.content.decode()


def test_archived_takes_updated_since_and_refuses_a_bad_date(api, two_initiatives):
    decidim, dhis2 = two_initiatives
    long_ago = timezone.now() - timedelta(days=40)
    Initiative.objects.filter(pk=dhis2.pk).update(publication_status="archived", status_changed_at=long_ago)
    Initiative.objects.filter(pk=decidim.pk).update(publication_status="archived", status_changed_at=timezone.now())
    recent = api.get(
        "/api/v1/initiatives/archived/", {"updated_since": (timezone.now() - timedelta(days=1)).isoformat()}
    )
    assert [row["slug"] for row in recent.json()["results"]] == ["decidim"]
    everything = api.get("/api/v1/initiatives/archived/").json()
    assert [row["slug"] for row in everything["results"]] == ["decidim", "dhis2"]  # newest first

    bad = api.get("/api/v1/initiatives/archived/", {"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "updated_since" in bad.json()["errors"]


def test_an_entry_deleted_in_the_admin_appears_as_deleted(api, client, two_initiatives):
    from django.contrib.auth.models import User

    since = timezone.now()
    decidim, dhis2 = two_initiatives
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "x"))
    response = client.post(f"/admin/initiatives/initiative/{dhis2.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Initiative.objects.filter(slug="dhis2").exists()
    body = api.get("/api/v1/initiatives/archived/", {"updated_since": since.isoformat()}).json()
    assert [(row["slug"], row["status"]) for row in body["results"]] == [("dhis2", "deleted")]
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/initiatives/archived/", {"updated_since": later}).json()["count"] == 0
    # A slug given again to a new entry is no longer reported as removed.
    make_initiative("dhis2", "DHIS2", publication_status=PUBLISHED)
    assert api.get("/api/v1/initiatives/archived/").json()["count"] == 0


def test_drafts_never_appear_in_archived(api, db):
    make_initiative("brouillon", "Brouillon", publication_status="draft")
    make_actor("agence", "Agence", kind="agency", publication_status="archived")
    assert api.get("/api/v1/initiatives/archived/").json()["count"] == 0
    actors = api.get("/api/v1/actors/archived/").json()
    assert [row["slug"] for row in actors["results"]] == ["agence"]
    assert api.get("/api/v1/funding-schemes/archived/").json()["count"] == 0


def test_archived_is_in_the_openapi_document(api, db):
    schema = api.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/initiatives/archived/"]["get"]
    names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert {"page", "page_size", "updated_since"} <= names
    # Not the list's filters: they describe entries the archived list does not show.
    assert not names & {"q", "sector", "kind"}
    row = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert row["$ref"].endswith("PaginatedArchivedEntryList")


def changed_since(api, since, path="/api/v1/initiatives/"):
    response = api.get(path, {"updated_since": since.isoformat()})
    assert response.status_code == 200
    return [row.get("slug") or row["id"] for row in response.json()["results"]]


def test_an_involvement_deleted_in_the_admin_marks_its_initiative_changed(api, client, two_initiatives):
    from django.contrib.auth.models import User

    from initiatives.models import Involvement

    decidim, _ = two_initiatives
    involvement = Involvement.objects.create(
        initiative=decidim, actor=make_actor("barcelone", "Barcelone", publication_status=PUBLISHED), role="carrier"
    )
    since = timezone.now()
    assert changed_since(api, since) == []
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "x"))
    response = client.post(f"/admin/initiatives/involvement/{involvement.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Involvement.objects.exists()
    assert changed_since(api, since) == ["decidim"]
    assert api.get("/api/v1/initiatives/decidim/").json()["involvements"] == []


def test_an_actor_renamed_marks_the_initiatives_that_embed_it_changed(api, two_initiatives):
    from initiatives.models import Involvement

    decidim, _ = two_initiatives
    actor = make_actor("barcelone", "Barcelone", publication_status=PUBLISHED)
    Involvement.objects.create(initiative=decidim, actor=actor, role="carrier")
    since = timezone.now()
    actor.name = "Ajuntament de Barcelona"
    actor.save()
    assert changed_since(api, since) == ["decidim"]
    assert changed_since(api, since, "/api/v1/actors/") == ["barcelone"]


def test_involvements_take_updated_since(api, two_initiatives):
    from initiatives.models import Involvement

    decidim, dhis2 = two_initiatives
    actor = make_actor("barcelone", "Barcelone", publication_status=PUBLISHED)
    old = Involvement.objects.create(initiative=decidim, actor=actor, role="carrier")
    Involvement.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = timezone.now() - timedelta(days=1)
    new = Involvement.objects.create(initiative=dhis2, actor=actor, role="user")
    assert changed_since(api, since, "/api/v1/involvements/") == [new.pk]
    assert api.get("/api/v1/involvements/").json()["count"] == 2
    bad = api.get("/api/v1/involvements/", {"updated_since": "hier"})
    assert bad.status_code == 400 and "updated_since" in bad.json()["errors"]
