"""`manage.py backup` then `manage.py restore` into a fresh database: the same API exports and history.

The data is committed (a transactional test) so that pg_dump, another process, sees it. The
restored database is read by another process too (`manage.py shell` with its DATABASE_URL),
through the API as a client would, with the same token as before the backup.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from curation import roles, services
from tests.api.conftest import build_directory
from tests.factories import make_token, make_user

EXPORTS = ["/api/v1/initiatives/export.json/", "/api/v1/actors/export.json/", "/api/v1/funding-schemes/export.json/"]


def snapshot(key):
    """The exports (anonymous, and with an editor's token: drafts too) and every history row, as JSON."""
    from django.test import Client

    result = {}
    for label, headers in (("anonymous", {}), ("editor", {"Authorization": f"Token {key}"})):
        client = Client(headers=headers)
        for path in EXPORTS:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            result[f"{label} {path}"] = json.loads(b"".join(response.streaming_content))
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            result[model._meta.label] = list(model.objects.order_by("history_id").values())
    return json.dumps(result, default=str, sort_keys=True, ensure_ascii=False)


def build_data():
    roles.sync_roles()
    editor = make_user("editrice", roles.EDITOR)
    entries = build_directory()
    ban = entries["ban"]
    ban.summary = "La base de référence des adresses, mise à jour"
    ban._history_user = editor
    ban.save()
    services.apply_transition(entries["draft"], "submit", editor)
    services.apply_transition(entries["geocommuns"], "archive", editor, reason="Programme terminé")
    return make_token(editor)


def database_url(name):
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


@contextlib.contextmanager
def fresh_database(tmp_path):
    """The URL of a new, empty database of the same kind as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(url, *args, check=True):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "backup-test-key"}
    env.update(ALLOWED_HOSTS="testserver", REDIS_URL="")
    env.pop("TEST_DATABASE_NAME", None)
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args]
    result = subprocess.run(command, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_identical_exports_and_history(tmp_path):
    key = build_data()
    before = snapshot(key)
    assert "brouillon-secret" in before and "Programme terminé" in before  # drafts and history are compared
    backup = tmp_path / "annuaire.backup"
    call_command("backup", str(backup), stdout=io.StringIO())

    read_back = f"from tests.test_backup import snapshot; print(snapshot({key!r}))"
    with fresh_database(tmp_path) as url:
        manage(url, "restore", str(backup))
        assert json.loads(manage(url, "shell", "-v0", "-c", read_back).stdout) == json.loads(before)

        # A database that is no longer empty is not overwritten by accident...
        refused = manage(url, "restore", str(backup), check=False)
        assert refused.returncode != 0
        assert "n'est pas vide" in refused.stderr and "--force" in refused.stderr
        # ...but it is on purpose, and nothing is lost or doubled.
        manage(url, "restore", "--force", str(backup))
        assert json.loads(manage(url, "shell", "-v0", "-c", read_back).stdout) == json.loads(before)


def test_restore_refuses_a_non_empty_database_and_a_foreign_file(tmp_path, db):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("pas une sauvegarde")
    with pytest.raises(CommandError, match="n'est pas une sauvegarde"):
        call_command("restore", str(not_a_backup))
    backup = tmp_path / "annuaire.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restore", str(backup))
    with pytest.raises(CommandError, match="introuvable"):
        call_command("restore", str(tmp_path / "absent.backup"))
