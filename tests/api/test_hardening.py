"""Production bugs of the API, each pinned by what a client sees."""

import csv
import importlib
import io
import json

import pytest
from django.apps import apps
from taggit.models import Tag

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def etag(client, url):
    return client.get(url)["ETag"]


# --- Tags: a slug is never empty ----------------------------------------------------------------


def test_a_tag_without_letters_is_refused_and_changes_nothing(curator_client, directory):
    url = "/api/v1/initiatives/decidim/"
    response = curator_client.patch(
        url, {"tags": ["ok", "!!!"]}, format="json", HTTP_IF_MATCH=etag(curator_client, url)
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "tags" in response.json()["errors"]
    assert list(Initiative.objects.get(slug="decidim").tags.names()) == ["participation"]
    assert not Tag.objects.filter(name__in=["!!!", "ok"]).exists()

    created = curator_client.post(
        "/api/v1/initiatives/", {"slug": "x", "name": "X", "kind": "data", "tags": ["?!"]}, format="json"
    )
    assert created.status_code == 400 and "tags" in created.json()["errors"]
    assert not Initiative.objects.filter(slug="x").exists()


def test_a_tag_saved_any_other_way_gets_a_slug(directory):
    directory["decidim"].tags.add("!!!", "???")
    slugs = list(Tag.objects.filter(name__in=["!!!", "???"]).values_list("slug", flat=True))
    assert len(slugs) == 2 and all(slugs) and len(set(slugs)) == 2


@pytest.fixture
def tag_without_slug(directory):
    """A tag saved with an empty slug before slugs were guaranteed, on a published initiative."""
    directory["decidim"].tags.add("!!!")
    Tag.objects.filter(name="!!!").update(slug="")


def test_the_api_still_answers_fully_with_a_tag_without_slug(api, tag_without_slug):
    for url in ["/api/v1/initiatives/decidim/", "/api/v1/initiatives/", "/api/v1/tags/"]:
        assert api.get(url).status_code == 200, url
    csv_list = api.get("/api/v1/initiatives/?format=csv")
    assert csv_list.status_code == 200 and "decidim" in csv_list.content.decode()

    dump = api.get("/api/v1/initiatives/export.json/")
    rows = json.loads(b"".join(dump.streaming_content))  # the whole array, not cut mid-stream
    assert sorted(row["slug"] for row in rows) == ["base-adresse-nationale", "decidim", "fabrique-des-geocommuns"]
    dump = api.get("/api/v1/initiatives/export.csv/")
    lines = list(csv.DictReader(io.StringIO(b"".join(dump.streaming_content).decode("utf-8-sig"))))
    assert sorted(row["slug"] for row in lines) == ["base-adresse-nationale", "decidim", "fabrique-des-geocommuns"]


def test_the_migration_gives_a_slug_to_tags_without_one(tag_without_slug):
    migration = importlib.import_module("initiatives.migrations.0007_tags_never_without_slug")
    migration.give_slugs(apps, None)
    assert Tag.objects.get(name="!!!").slug.startswith("mot-cle-")


# --- If-Match is required on writes -------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url, body",
    [
        ("patch", "/api/v1/initiatives/decidim/", {"summary": "Sans If-Match"}),
        ("put", "/api/v1/initiatives/decidim/", {"slug": "decidim", "name": "Decidim", "kind": "software"}),
        ("delete", "/api/v1/initiatives/decidim/", None),
        ("post", "/api/v1/initiatives/decidim/transition/", {"action": "archive", "reason": "x"}),
    ],
)
def test_a_write_without_if_match_gets_428_and_changes_nothing(editor_client, directory, method, url, body):
    response = getattr(editor_client, method)(url, body, format="json")
    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "precondition_required"
    decidim = Initiative.objects.get(slug="decidim")
    assert decidim.publication_status == "published" and decidim.summary == "" and decidim.version == 1


def test_the_schema_says_if_match_is_required(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/initiatives/{slug}/"]["patch"]
    [if_match] = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert if_match["required"] is True
    assert "428" in operation["responses"]
    assert "428" in schema["paths"]["/api/v1/initiatives/{slug}/"]["delete"]["responses"]


# --- Smaller API bugs ---------------------------------------------------------------------------


def test_delete_with_format_csv_archives_once_and_answers_204(editor_client, directory):
    url = "/api/v1/initiatives/decidim/"
    before = Initiative.history.filter(slug="decidim").count()
    response = editor_client.delete(url + "?format=csv", HTTP_IF_MATCH=etag(editor_client, url))
    assert response.status_code == 204
    decidim = Initiative.objects.get(slug="decidim")
    assert decidim.publication_status == "archived"
    assert Initiative.history.filter(slug="decidim").count() == before + 1


def test_json_nested_too_deep_is_a_400(curator_client, directory):
    url = "/api/v1/initiatives/decidim/"
    for depth in (100, 1000, 100_000):
        body = '{"sources": ' + "[" * depth + "]" * depth + "}"
        response = curator_client.generic(
            "PATCH", url, body, content_type="application/json", HTTP_IF_MATCH=etag(curator_client, url)
        )
        assert response.status_code == 400, depth
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "parse_error"
    assert Initiative.objects.get(slug="decidim").version == 1


def test_the_schema_says_reads_are_anonymous(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "get" and "security" in operation:
                assert {} in operation["security"], (path, operation["security"])
    assert {} not in schema["paths"]["/api/v1/initiatives/"]["post"]["security"]


@pytest.mark.parametrize("query", ["kind=", "kind=&sector=", "kind=&kind=data", "updated_since=", "tag="])
def test_empty_filter_values_mean_no_filter(api, directory, query):
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 200, response.content
    expected = 1 if "kind=data" in query else 3
    assert response.json()["count"] == expected


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/a", "example.org"])
def test_a_source_url_must_be_a_web_address(curator_client, directory, url):
    response = curator_client.post(
        "/api/v1/initiatives/",
        {"slug": "x", "name": "X", "kind": "data", "sources": [{"document": "d", "url": url}]},
        format="json",
    )
    assert response.status_code == 400 and "sources" in response.json()["errors"]
    assert not Initiative.objects.filter(slug="x").exists()


def test_a_source_url_in_http_or_https_is_accepted(curator_client, directory):
    sources = [{"url": "https://example.org/rapport"}, {"url": "http://example.org/a", "note": "n"}]
    response = curator_client.post(
        "/api/v1/initiatives/", {"slug": "x", "name": "X", "kind": "data", "sources": sources}, format="json"
    )
    assert response.status_code == 201, response.content


def test_the_location_of_a_created_entry_is_a_plain_string(curator_client, directory):
    # WSGI servers (runserver's wsgiref) refuse a header value of a str subclass such as DRF's
    # Hyperlink: the entry was saved, then the answer was a 500.
    response = curator_client.post("/api/v1/initiatives/", {"slug": "x", "name": "X", "kind": "data"}, format="json")
    assert response.status_code == 201
    assert type(response["Location"]) is str
    assert all(type(value) is str for value in response.headers.values())


# --- Archived entries are gone ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/api/v1/initiatives/decidim/", "/api/v1/actors/dinum/", "/api/v1/funding-schemes/appel-a-communs-ademe/"],
)
def test_an_archived_entry_is_410_with_when_and_why(api, editor_client, directory, url):
    response = editor_client.delete(url + "?reason=Plus+maintenu", HTTP_IF_MATCH=etag(editor_client, url))
    assert response.status_code == 204
    gone = api.get(url)
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"
    body = gone.json()
    assert body["code"] == "archived" and body["status"] == 410
    assert body["archived_reason"] == "Plus maintenu" and "Plus maintenu" in body["detail"]
    assert body["archived_at"]
    # Curators still read it.
    assert editor_client.get(url).status_code == 200


def test_a_draft_is_still_404(api, directory):
    assert api.get("/api/v1/initiatives/brouillon-secret/").status_code == 404


# --- Markdown fields are bounded ----------------------------------------------------------------


def test_a_description_over_the_limit_is_a_400_in_french(curator_client, directory):
    url = "/api/v1/actors/ign/"
    response = curator_client.patch(
        url, {"description": "a" * 10_001}, format="json", HTTP_IF_MATCH=etag(curator_client, url)
    )
    assert response.status_code == 400
    assert "10\u202f000 au plus" in response.json()["errors"]["description"][0]
