"""The API's tokens: hashed keys that work, and revoked, expired or unknown ones refused with 401."""

import datetime

from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from curation.tokens import ApiToken
from tests.factories import make_token


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_refused(response, detail):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == detail


def test_a_token_acts_as_its_user_and_records_its_use(curator, directory):
    key = make_token(curator)
    assert client_with(key).get("/api/v1/initiatives/brouillon-secret/").status_code == 200
    assert APIClient().get("/api/v1/initiatives/brouillon-secret/").status_code == 404
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert token.digest != key and key not in token.digest and len(token.digest) == 64


def test_a_revoked_token_is_refused(curator, directory):
    key = make_token(curator)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert_refused(client_with(key).get("/api/v1/initiatives/"), "This token was revoked.")
    assert_refused(client_with(key).post("/api/v1/initiatives/", {}, format="json"), "This token was revoked.")


def test_an_expired_token_is_refused(curator, directory):
    key = make_token(curator, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client_with(key).get("/api/v1/initiatives/").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_refused(client_with(key).get("/api/v1/initiatives/"), "This token has expired.")


def test_a_token_of_a_deactivated_account_is_refused(curator, directory):
    key = make_token(curator)
    curator.is_active = False
    curator.save()
    assert_refused(client_with(key).get("/api/v1/initiatives/"), "User inactive or deleted.")


def test_a_key_that_only_shares_the_prefix_is_refused(curator, directory):
    key = make_token(curator)
    assert_refused(client_with(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/v1/"), "Invalid token.")


def test_the_migration_hashes_drf_tokens_so_existing_clients_keep_working(curator, directory):
    """curation/0004: a database from before keeps DRF's plaintext keys in authtoken_token."""
    from importlib import import_module

    migration = import_module("curation.migrations.0004_hash_drf_tokens")
    column = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created {column}, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [legacy_key, timezone.now(), curator.pk])

    migration.hash_legacy_tokens(apps, type("SchemaEditor", (), {"connection": connection})())

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get()
    assert (token.user, token.prefix) == (curator, legacy_key[:8])
    assert client_with(legacy_key).get("/api/v1/initiatives/brouillon-secret/").status_code == 200
