"""Every error is application/problem+json, and nothing a client sends gives a 500."""

import pytest

pytestmark = pytest.mark.django_db


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"] and body["code"]
    return body


def test_404_unknown_entry(api, directory):
    body = assert_problem(api.get("/api/v1/initiatives/no-such-thing/"), 404)
    assert body["code"] == "not_found"


def test_404_unknown_api_url_is_problem_json_not_the_site_page(api, db):
    assert_problem(api.get("/api/v1/no-such-endpoint/"), 404)
    assert_problem(api.get("/api/v1/initiatives/decidim/nothing/here/"), 404)


def test_404_even_when_csv_was_asked(api, db):
    # The error is never rendered as CSV.
    assert_problem(api.get("/api/v1/initiatives/no-such-thing/?format=csv"), 404)


def test_404_for_an_unknown_format(api, db):
    assert_problem(api.get("/api/v1/initiatives/?format=xml"), 404)


def test_400_field_errors_for_an_invalid_body(curator_client, directory):
    response = curator_client.post("/api/v1/initiatives/", {"name": "", "kind": "spaceship"}, format="json")
    body = assert_problem(response, 400)
    assert set(body["errors"]) >= {"name", "kind", "slug"}
    assert "kind" in body["detail"]


def test_400_for_malformed_json(curator_client, db):
    response = curator_client.post("/api/v1/initiatives/", "{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert body["code"] == "parse_error"


def test_401_for_anonymous_writes_with_the_token_challenge(api, directory):
    response = api.post("/api/v1/initiatives/", {"name": "X"}, format="json")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert_problem(api.patch("/api/v1/initiatives/decidim/", {"name": "X"}, format="json"), 401)
    assert_problem(api.delete("/api/v1/initiatives/decidim/"), 401)


def test_401_for_a_bad_token(api, directory):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get("/api/v1/initiatives/")
    body = assert_problem(response, 401)
    assert body["code"] == "authentication_failed"


def test_403_for_a_token_without_rights(reader_client, directory):
    body = assert_problem(reader_client.post("/api/v1/initiatives/", {"name": "X"}, format="json"), 403)
    assert body["code"] == "permission_denied"


def test_405_for_a_method_the_endpoint_does_not_take(curator_client, directory):
    response = curator_client.delete(f"/api/v1/involvements/{directory['ban'].involvements.first().pk}/")
    assert_problem(response, 405)
    assert "DELETE" not in response["Allow"]
    assert_problem(curator_client.post("/api/v1/sectors/", {}, format="json"), 405)


def test_415_for_a_body_that_is_not_json(curator_client, db):
    response = curator_client.post("/api/v1/initiatives/", "name=X", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_406_when_no_format_fits(api, db):
    assert_problem(api.get("/api/v1/initiatives/", HTTP_ACCEPT="application/xml"), 406)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/?updated_since=0001-01-01T00:00:00%2B14:00",
        "/api/v1/initiatives/?updated_since=9999-12-31T23:59:59-14:00",
        "/api/v1/initiatives/?q=%00",
        "/api/v1/initiatives/?%00=1",
        "/api/v1/initiatives/?page=99999999999999999999999",
        "/api/v1/initiatives/?page=-1",
        "/api/v1/initiatives/?sector=%ED%A0%80",
        "/api/v1/initiatives/%00/",
        "/api/v1/territories/%F0%9F%92%A9/",
        "/api/v1/awards/99999999999999999999999/",
        "/api/v1/actors/?q=" + "é" * 300,
        "/api/v1/funding-schemes/?availability=open&beneficiary=company&ordering=deadline",
    ],
)
def test_odd_requests_never_give_a_500(api, directory, url):
    assert api.get(url).status_code < 500


@pytest.mark.parametrize(
    "payload",
    [
        {"slug": "x", "name": "X", "kind": "data", "sources": [{"document": "a\u0000b"}]},
        {"slug": "x", "name": "X", "kind": "data", "launch_year": 10**30},
        {"slug": "x", "name": "X", "kind": "data", "tags": [{"nested": True}]},
        {"slug": "x", "name": "X\u0000", "kind": "data"},
        {"slug": "x" * 300, "name": "X", "kind": "data"},
        {"slug": "x", "name": "X", "kind": "data", "sectors": [None]},
        {"slug": "x", "name": "X", "kind": "data", "sill_id": -1},
        ["not", "an", "object"],
    ],
)
def test_odd_bodies_are_400_not_500(curator_client, directory, payload):
    response = curator_client.post("/api/v1/initiatives/", payload, format="json")
    assert_problem(response, 400)


def test_429_with_retry_after(api, db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "5/minute"},
    }
    assert api.get("/api/v1/sectors/").status_code == 200
    assert api.get("/api/v1/sectors/").status_code == 200
    response = api.get("/api/v1/sectors/")
    body = assert_problem(response, 429)
    assert body["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


@pytest.mark.parametrize(
    "url, payload, field",
    [
        ("/api/v1/involvements/", {"initiative": "\u0000decidim", "actor": "ign", "role": "user"}, "initiative"),
        ("/api/v1/initiatives/", {"slug": "x", "name": "X", "kind": "data", "sectors": ["geo\u0000"]}, "sectors"),
        ("/api/v1/initiatives/", {"slug": "x", "name": "X", "kind": "data", "tags": ["\ud800"]}, "tags"),
        ("/api/v1/awards/", {"edition": 10**30, "initiative": "decidim"}, "edition"),
    ],
)
def test_values_the_database_cannot_take_are_400(curator_client, directory, url, payload, field):
    # Found by the fuzz run on PostgreSQL, which refuses NUL characters in query parameters.
    import json

    raw = json.dumps(payload)  # ASCII escapes, so that a lone surrogate can be sent at all
    body = assert_problem(curator_client.post(url, raw, content_type="application/json"), 400)
    assert field in body["errors"]


def test_the_schema_endpoint_answers_errors_as_problems_too(api, db):
    assert_problem(api.get("/api/v1/schema/?format=xml"), 404)


def test_a_missing_trailing_slash_redirects_to_the_endpoint(api, db):
    response = api.get("/api/v1/initiatives")
    assert response.status_code == 301 and response["Location"] == "/api/v1/initiatives/"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/",
        "/api/v1/initiatives/decidim/",
        "/api/v1/awards/",
        "/api/v1/sectors/",
        "/api/v1/initiatives/export.csv/",
    ],
)
def test_options_describes_the_endpoint(api, curator_client, directory, url):
    for client in (api, curator_client):
        response = client.options(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["name"]
