"""CSV, streamed exports, conditional GET, CORS, the OpenAPI document and its local documentation."""

import csv
import io
import json
from email.utils import format_datetime

import pytest
import yaml
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative
from initiatives.serializers import InitiativeCSVSerializer

pytestmark = pytest.mark.django_db


def read_csv(content: bytes):
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM makes spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


# --- CSV --------------------------------------------------------------------------------------


def test_csv_of_a_list_has_flat_columns(api, directory):
    response = api.get("/api/v1/initiatives/?format=csv&sector=geodonnees")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    assert list(rows[0]) == InitiativeCSVSerializer.columns
    assert [row["slug"] for row in rows] == ["base-adresse-nationale", "fabrique-des-geocommuns"]
    ban = rows[0]
    assert ban["sectors"] == "geodonnees"
    assert ban["territories"] == "fr"
    assert ban["tags"] == "adresses|référentiel"
    assert ban["actors"] == "ign:carrier|dinum:funder"
    assert ban["criteria"] == "open_licence:met"
    assert ban["launch_year"] == "2015"
    assert rows[1]["funding_schemes"] == "appel-a-communs-ademe"


def test_csv_of_an_empty_list_still_has_its_header(api, db):
    rows = api.get("/api/v1/initiatives/?format=csv").content.decode("utf-8-sig").splitlines()
    assert rows == [",".join(InitiativeCSVSerializer.columns)]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/actors/?format=csv",
        "/api/v1/funding-schemes/?format=csv",
        "/api/v1/sectors/?format=csv",
        "/api/v1/territories/?format=csv",
        "/api/v1/tags/?format=csv",
        "/api/v1/involvements/?format=csv",
        "/api/v1/editions/?format=csv",
        "/api/v1/awards/?format=csv",
    ],
)
def test_every_list_has_a_csv(api, directory, url):
    response = api.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    assert rows
    for row in rows:
        for column, value in row.items():
            # Embedded entries become their identifiers, never a Python or JSON dump.
            assert not value.startswith(("{", "[")) and "'slug'" not in value, (column, value)


def test_csv_round_trip_keeps_every_value(api, directory):
    """What the CSV says is what the JSON says, commas, quotes, newlines and accents included."""
    directory["decidim"].aliases = "Decidim Barcelona\nDécidim"
    directory["decidim"].save()
    rows = {row["slug"]: row for row in read_csv(api.get("/api/v1/initiatives/export.csv/").getvalue())}
    for item in api.get("/api/v1/initiatives/?page_size=100").json()["results"]:
        row = rows[item["slug"]]
        for column in ("name", "summary", "description", "kind", "licence", "contact_point", "url", "updated_at"):
            assert row[column] == ("" if item[column] is None else str(item[column])), column
        assert row["aliases"].split("|") == item["aliases"] or (not item["aliases"] and row["aliases"] == "")
        assert row["sectors"] == "|".join(s["slug"] for s in item["sectors"])
        assert row["logics"] == "|".join(item["logics"])
    assert (
        rows["decidim"]["description"]
        == 'Plateforme de participation, "libre"; avec des virgules, et\nune nouvelle ligne.'
    )
    assert rows["decidim"]["aliases"] == "Decidim Barcelona|Décidim"


def test_embedded_entries_become_identifiers_in_csv(api, directory):
    rows = read_csv(api.get("/api/v1/involvements/?format=csv").content)
    assert {(row["initiative"], row["actor"], row["role"]) for row in rows} >= {
        ("base-adresse-nationale", "ign", "carrier"),
        ("decidim", "ville-de-brest", "user"),
    }
    [edition] = read_csv(api.get("/api/v1/editions/?format=csv").content)
    assert edition["scheme"] == "appel-a-communs-ademe"
    assert edition["awards"] == str(directory["edition"].awards.get(initiative__slug="fabrique-des-geocommuns").pk)


def test_head_answers_like_get_without_a_body(api, directory):
    response = api.head("/api/v1/initiatives/decidim/")
    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == api.get("/api/v1/initiatives/decidim/")["ETag"]


def test_csv_cells_that_look_like_formulas_are_defused(api, directory):
    Initiative.objects.filter(slug="decidim").update(summary='=HYPERLINK("http://evil.example","x")')
    rows = {row["slug"]: row for row in read_csv(api.get("/api/v1/initiatives/?format=csv").content)}
    assert rows["decidim"]["summary"] == '\'=HYPERLINK("http://evil.example","x")'


# --- Streamed dumps ---------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["initiatives", "actors", "funding-schemes"])
def test_full_dumps_are_streamed_in_csv_and_json(api, directory, resource):
    csv_response = api.get(f"/api/v1/{resource}/export.csv/")
    assert isinstance(csv_response, StreamingHttpResponse)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == f'attachment; filename="{resource}.csv"'
    rows = read_csv(csv_response.getvalue())
    json_response = api.get(f"/api/v1/{resource}/export.json/")
    assert isinstance(json_response, StreamingHttpResponse)
    assert json_response["Content-Type"] == "application/json"
    items = json.loads(json_response.getvalue())
    listed = api.get(f"/api/v1/{resource}/?page_size=100").json()["results"]
    assert [item["slug"] for item in items] == [row["slug"] for row in rows] == [item["slug"] for item in listed]
    assert items == listed  # the dump's entries are the API's representation


def test_a_dump_takes_the_lists_filters(api, directory):
    items = json.loads(api.get("/api/v1/initiatives/export.json/?kind=software").getvalue())
    assert [item["slug"] for item in items] == ["decidim"]
    response = api.get("/api/v1/initiatives/export.csv/?kind=nonsense")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_a_dump_reads_the_database_chunk_by_chunk(api, db, monkeypatch):
    """The rows are fetched while the response is sent, a chunk at a time, not all up front."""
    from initiatives.api import InitiativeViewSet

    for number in range(9):
        Initiative.objects.create(
            name=f"Commun {number}", slug=f"commun-{number}", kind="data", publication_status="published"
        )
    monkeypatch.setattr(InitiativeViewSet, "export_chunk_size", 2)
    with CaptureQueriesContext(connection) as in_the_view:
        response = api.get("/api/v1/initiatives/export.json/")
    # The view returns before reading any entry.
    assert not [q for q in in_the_view.captured_queries if "initiatives_initiative" in q["sql"]]
    stream = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first:
        assert next(stream) == b"["
        next(stream)  # the first entry
    with CaptureQueriesContext(connection) as rest:
        remainder = b"".join(stream)
    assert len(first) > 0
    # The other four chunks are read later, each with its own prefetches.
    assert len(rest) >= 4 * 2
    assert remainder.endswith(b"]\n")


def test_dumps_hide_unpublished_entries_from_anonymous_clients(api, curator_client, directory):
    anonymous = [row["slug"] for row in read_csv(api.get("/api/v1/initiatives/export.csv/").getvalue())]
    assert "brouillon-secret" not in anonymous
    curated = json.loads(curator_client.get("/api/v1/initiatives/export.json/").getvalue())
    assert "brouillon-secret" in [item["slug"] for item in curated]


# --- Conditional GET --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/decidim/",
        "/api/v1/initiatives/",
        "/api/v1/sectors/",
        "/api/v1/actors/ign/",
        "/api/v1/funding-schemes/",
    ],
)
def test_etag_and_304(api, directory, url):
    response = api.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    not_modified = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_changes_when_the_entry_does(api, directory):
    etag = api.get("/api/v1/initiatives/decidim/")["ETag"]
    decidim = Initiative.objects.get(slug="decidim")
    decidim.summary = "Changé"
    decidim.save()
    assert api.get("/api/v1/initiatives/decidim/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api.get("/api/v1/initiatives/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_last_modified_and_if_modified_since(api, directory):
    response = api.get("/api/v1/initiatives/decidim/")
    decidim = Initiative.objects.get(slug="decidim")
    assert response["Last-Modified"] == format_datetime(decidim.updated_at.replace(microsecond=0), usegmt=True)
    assert api.get("/api/v1/initiatives/decidim/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    listing = api.get("/api/v1/initiatives/")
    newest = max(i.updated_at for i in Initiative.objects.all())
    assert listing["Last-Modified"] == format_datetime(newest.replace(microsecond=0), usegmt=True)
    assert api.get("/api/v1/initiatives/", HTTP_IF_MODIFIED_SINCE=listing["Last-Modified"]).status_code == 304
    Initiative.objects.filter(slug="decidim").update(updated_at=newest.replace(year=newest.year + 1))
    assert api.get("/api/v1/initiatives/", HTTP_IF_MODIFIED_SINCE=listing["Last-Modified"]).status_code == 200


def test_responses_vary_on_the_token(api, directory):
    assert "Authorization" in api.get("/api/v1/initiatives/")["Vary"]


# --- CORS -------------------------------------------------------------------------------------


def test_cors_is_open_for_reads(api, directory):
    response = api.get("/api/v1/initiatives/", HTTP_ORIGIN="https://portail.example.gouv.fr")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_cors_preflight_allows_only_reads(api, db):
    response = api.options(
        "/api/v1/initiatives/", HTTP_ORIGIN="https://portail.example.gouv.fr", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    allowed = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    assert "authorization" not in response.get("Access-Control-Allow-Headers", "").lower()


def test_cors_stays_off_the_site(client, db):
    response = client.get("/", HTTP_ORIGIN="https://portail.example.gouv.fr")
    assert "Access-Control-Allow-Origin" not in response


# --- OpenAPI and documentation ----------------------------------------------------------------


@pytest.fixture
def schema(api, db):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _parameters(schema, path):
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_the_schema_lists_every_filter_with_its_type_and_choices(schema):
    from actors.filters import ActorFilter
    from funding.filters import FundingSchemeFilter
    from initiatives.filters import InitiativeFilter

    for path, filterset in [
        ("/api/v1/initiatives/", InitiativeFilter),
        ("/api/v1/actors/", ActorFilter),
        ("/api/v1/funding-schemes/", FundingSchemeFilter),
    ]:
        parameters = _parameters(schema, path)
        for name, declared in filterset.base_filters.items():
            assert name in parameters, (path, name)
            assert parameters[name]["schema"]["type"] in ("string", "array", "integer", "boolean")
            choices = getattr(declared, "extra", {}).get("choices")
            # `licence` takes any SPDX expression besides its one choice (`open`): no enum there.
            if choices and not callable(choices) and not getattr(declared, "other_values", ""):
                item = parameters[name]["schema"].get("items", parameters[name]["schema"])
                assert set(item["enum"]) == {value for value, _ in choices}, (path, name)
        assert parameters["page_size"]["schema"]["maximum"] == 100
    initiative = _parameters(schema, "/api/v1/initiatives/")
    assert initiative["updated_since"]["schema"] == {"type": "string", "format": "date-time"}
    assert initiative["kind"]["schema"]["type"] == "array"
    assert "software" in initiative["kind"]["schema"]["items"]["enum"]
    assert "relevance" in initiative["ordering"]["schema"]["enum"]


def test_the_schema_documents_problem_responses_and_token_auth(schema):
    operation = schema["paths"]["/api/v1/initiatives/"]["post"]
    assert "application/problem+json" in operation["responses"]["400"]["content"]
    assert "429" in schema["paths"]["/api/v1/initiatives/"]["get"]["responses"]
    assert any("tokenAuth" in s for s in operation["security"])


def test_the_interactive_documentation_uses_local_assets(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/schema/" in html
    assets = [line for line in html.split('"') if "swagger-ui" in line and line.endswith((".js", ".css"))]
    assert assets and all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        b"".join(served.streaming_content) if served.streaming else served.content


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    document = yaml.safe_load(target.read_text())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/initiatives/{slug}/transition/" in document["paths"]
