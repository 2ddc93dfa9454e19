"""Backing up and restoring the whole database, by vendor (`manage.py backup` / `restore`).

PostgreSQL: `pg_dump --format=custom` (a consistent snapshot taken while the site runs, compressed,
with the extensions and the text search configuration) and `pg_restore` in one transaction, so a
failed restore changes nothing. SQLite: the sqlite3 online backup API, page by page, also consistent
while the site runs. A copy of the whole database keeps every primary key, history row and
sequence; `dumpdata` / `loaddata` does not (the history tables refer to rows by id).
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


def _pg_env(settings_dict):
    """libpq's environment for the database of settings_dict (the password never on a command line)."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def _run(command, env):
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise CommandError(f"{command[0]} est introuvable : installez le client PostgreSQL.") from None
    except subprocess.CalledProcessError as error:
        raise CommandError(f"{command[0]} a échoué :\n{error.stderr.strip()}") from None


def backup(path: Path, alias="default"):
    connection = connections[alias]
    if connection.vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)],
            _pg_env(connection.settings_dict),
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise CommandError(f"Base {connection.vendor} non prise en charge (PostgreSQL ou SQLite).")


def existing_tables(alias="default"):
    with connections[alias].cursor() as cursor:
        return connections[alias].introspection.table_names(cursor)


def restore(path: Path, alias="default", force=False):
    connection = connections[alias]
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {path}")
    with path.open("rb") as file:
        magic = file.read(16)
    expected = {"postgresql": PG_MAGIC, "sqlite": SQLITE_MAGIC}.get(connection.vendor)
    if expected is None:
        raise CommandError(f"Base {connection.vendor} non prise en charge (PostgreSQL ou SQLite).")
    if not magic.startswith(expected):
        kind = "pg_dump (format custom)" if connection.vendor == "postgresql" else "SQLite"
        raise CommandError(f"{path} n'est pas une sauvegarde {kind} : la base cible est {connection.vendor}.")
    tables = existing_tables(alias)
    if tables and not force:
        raise CommandError(
            f"La base cible n'est pas vide ({len(tables)} tables) : restaurez dans une base neuve, "
            "ou ajoutez --force pour remplacer son contenu par la sauvegarde."
        )
    if connection.vendor == "postgresql":
        connection.close()
        command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        if tables:
            command += ["--clean", "--if-exists"]
        _run([*command, "--dbname", connection.settings_dict["NAME"], str(path)], _pg_env(connection.settings_dict))
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
