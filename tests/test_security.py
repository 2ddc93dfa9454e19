"""Production security settings, read from the environment, as a deployer sets them."""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent

# What a deployment behind a TLS reverse proxy sets (README, "Security settings").
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "communs.example.gouv.fr",
    "CSRF_TRUSTED_ORIGINS": "https://communs.example.gouv.fr",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "TRUST_X_FORWARDED_PROTO": "1",
    # Without Redis, whatever the environment says: a Redis's own bounds (maxmemory) are another
    # deploy check, tested apart (tests/resilience/test_page_cache_bounds.py).
    "REDIS_URL": "",
}


def run(args, **env):
    """A fresh Python with these environment variables (the .env file never wins over them)."""
    environment = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(50), **env}
    # Set by the browser tests' conftest for Playwright in this process; a deployment never has it.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def read_settings(names, **env):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {names!r}}}, default=str))"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="communs.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_gives_no_warning_with_the_production_values():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_https_is_not_configured():
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_security_settings_come_from_the_environment():
    values = read_settings(
        [
            "SECURE_PROXY_SSL_HEADER",
            "SECURE_HSTS_SECONDS",
            "CSRF_TRUSTED_ORIGINS",
            "AXES_FAILURE_LIMIT",
            "AXES_COOLOFF_TIME",
            "ADMINS",
            "EMAIL_HOST",
            "EMAIL_USE_TLS",
        ],
        **PRODUCTION_ENV,
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF="2",
        ADMINS="Jeanne Martin <jeanne@example.gouv.fr>, ops@example.gouv.fr",
        EMAIL_HOST="smtp.example.gouv.fr",
        EMAIL_PORT="587",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "CSRF_TRUSTED_ORIGINS": ["https://communs.example.gouv.fr"],
        "AXES_FAILURE_LIMIT": 3,
        "AXES_COOLOFF_TIME": "0:02:00",
        "ADMINS": [["Jeanne Martin", "jeanne@example.gouv.fr"], ["", "ops@example.gouv.fr"]],
        "EMAIL_HOST": "smtp.example.gouv.fr",
        "EMAIL_USE_TLS": True,
    }


def test_the_proxy_header_is_trusted_only_when_asked():
    assert read_settings(["SECURE_PROXY_SSL_HEADER"], DEBUG="0")["SECURE_PROXY_SSL_HEADER"] is None


def test_a_bad_admins_address_stops_the_start():
    result = run(["manage.py", "check"], DEBUG="0", ADMINS="Jeanne Martin <jeanne.example.gouv.fr>")
    assert result.returncode != 0
    assert "ADMINS holds an address without @" in result.stderr


def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/a-propos/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/a-propos/"
    response = client.get("/a-propos/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/", "/a-propos/", "/initiatives/", "/api/v1/initiatives/", "/admin/login/"])
def test_every_answer_carries_the_content_security_policy(client, db, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_the_api_docs_inline_script_carries_the_policy_nonce(client, db):
    response = client.get("/api/v1/docs/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    inline = [attributes for attributes in scripts if "src=" not in attributes]
    assert inline == [f' nonce="{nonce}"']


def test_after_collectstatic_the_dsfr_files_still_match_their_integrity(settings, tmp_path):
    # Production storage, as `collectstatic` runs in a deployment: the files that the pages link
    # must hash to the integrity django-dsfr writes next to them, or browsers refuse them.
    from dsfr import checksums
    from dsfr.constants import DsfrStaticAssets as assets

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "communs.staticfiles.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    storage = import_string("communs.staticfiles.StaticFilesStorage")()
    for name, integrity in [
        (assets.DSFR_CSS, checksums.INTEGRITY_CSS),
        (assets.DSFR_UTILITY_CSS, checksums.INTEGRITY_UTILITY_CSS),
        (assets.DSFR_MODULE_JS, checksums.INTEGRITY_JS_MODULE),
        (assets.DSFR_NOMODULE_JS, checksums.INTEGRITY_JS_NOMODULE),
    ]:
        served = tmp_path / storage.stored_name(name)
        assert served.name != Path(name).name  # the hashed copy, cached for a year
        digest = base64.b64encode(hashlib.sha384(served.read_bytes()).digest()).decode()
        assert f"sha384-{digest}" == integrity, name
    # Our own stylesheets are still rewritten to the hashed names of what they reference.
    admin_css = (tmp_path / storage.stored_name("admin/css/base.css")).read_text()
    assert re.search(r"url\(\"?[^)]*\.[0-9a-f]{12}\.", admin_css)
