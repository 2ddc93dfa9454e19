"""Hostile sources through `harvest` and every importer: each run ends within its deadline with a clear
error in its report, and nothing is written (issue 31, items 1 and 2)."""

import io
import json
import time
import tracemalloc

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor
from catalogues.models import Record
from initiatives.models import Initiative

from .hostile_server import ALIAS_BOMB, DEEP_JSON, Handler, hostile_server

pytestmark = pytest.mark.django_db

IMPORTERS = ["import_sill", "import_publiccode", "import_dpg", "import_organisations", "import_repositories"]


@pytest.fixture(autouse=True)
def _fetch_policy(settings):
    # The hostile server is on 127.0.0.1: the one internal host these tests allow.
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
    settings.FETCH_DEADLINE_SECONDS = 1  # the slow drip is cut after 1 s
    settings.FETCH_TIMEOUT_SECONDS = 1  # more than the drip's 0.25 s between bytes
    settings.FETCH_MAX_MEGABYTES = 1
    settings.FETCH_MAX_PAGES = 5


@pytest.fixture(scope="module")
def server():
    with hostile_server() as url:
        yield url


def refused(command, *args, seconds=60):
    """Run a command that must fail: (its JSON report, its error message), and nothing written."""
    out = io.StringIO()
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as failure:
            call_command(command, *args, "--json", stdout=out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Bounded, not timed: a hang or an endless read would run far past this, whereas a loaded
    # machine (tracemalloc slows every call) may take 10 s over what a quiet one does in 1.
    assert time.monotonic() - started < seconds
    assert peak < 64 * 1024 * 1024  # memory bounded: the caps hold, nothing expands
    assert not Initiative._base_manager.exists()
    assert not Actor._base_manager.exists()
    assert not Record.objects.exists()
    report = json.loads(out.getvalue()) if out.getvalue() else None
    return report, str(failure.value)


def messages(report):
    return " ".join(item["message"] for item in report["errors"])


# --- harvest: what the remote server says is not obeyed ----------------------------------


@pytest.mark.parametrize(
    ("trick", "expected"),
    [
        ("file-next", "seules les adresses http(s)"),
        ("file-redirect", "seules les adresses http(s)"),
        ("private-next", "adresse interne"),
        ("metadata-redirect", "169.254.169.254 est une adresse interne"),
        ("self-next", "déjà été lue"),
        ("endless-pages", "plus de 5 pages"),
        ("drip", "délai de 1 s dépassé"),
        ("endless-body", "plus de 1 Mo"),
    ],
)
def test_harvest_refuses_a_hostile_source(server, trick, expected):
    report, message = refused("harvest", f"{server}/{trick}/")

    assert expected in messages(report)
    assert expected in message
    assert "rien n'a été enregistré" in message


def test_harvest_reads_no_private_address_unless_allowed(server, settings):
    settings.FETCH_ALLOWED_INTERNAL_HOSTS = []

    report, _ = refused("harvest", f"{server}/ok/")

    assert "127.0.0.1 est une adresse interne" in messages(report)


def test_a_self_referencing_next_is_asked_once(server):
    Handler.requests.clear()

    refused("harvest", f"{server}/self-next/")

    assert len([path for path in Handler.requests if path.startswith("/self-next/")]) == 1


def test_wrong_types_in_harvested_entries_are_row_errors(server):
    report, _ = refused("harvest", f"{server}/wrong-types/")

    rows = {item["row"]: item["message"] for item in report["errors"]}
    assert rows["acteur acteur-bizarre"] == "« name » : un texte attendu, la source donne list"
    assert rows["acteur {'pas': 'un texte'}"] == "« slug » : un texte non vide est attendu"
    assert rows["acteur (entrée qui n'est pas un objet)"] == "entrée qui n'est pas un objet JSON"
    assert rows["initiative annee-texte"] == "« launch_year » : un nombre entier attendu, la source donne str"
    assert rows["initiative logiques"] == "« logics » : une liste de textes attendu, la source donne str"
    assert rows["initiative roles"].startswith("« involvements » : une liste de rôles")
    assert rows["initiative secteurs"] == "« sectors » : une liste d'objets avec « slug » attendu, la source donne list"


# --- importers given a URL or a local file ------------------------------------------------


@pytest.mark.parametrize("command", IMPORTERS)
@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("file:///etc/passwd", "seules les adresses http(s)"),
        ("{server}/file-redirect/export.json", "seules les adresses http(s)"),
        ("{server}/metadata-redirect/export.json", "adresse interne"),
        ("http://10.0.0.1/export.json", "10.0.0.1 est une adresse interne"),
        ("{server}/drip/export.json", "délai de 1 s dépassé"),
        ("{server}/endless-body/export.json", "plus de 1 Mo"),
    ],
)
def test_importers_given_a_hostile_url_refuse_it(server, command, location, expected):
    report, message = refused(command, location.format(server=server))

    assert expected in messages(report)
    assert expected in message


@pytest.mark.parametrize("command", IMPORTERS)
def test_importers_refuse_an_oversize_local_file(tmp_path, command):
    big = tmp_path / "export.json"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    for suffix in (".csv", ".yml"):
        big.with_suffix(suffix).write_bytes(b" " * (1024 * 1024 + 1))
    name = {"import_publiccode": "export.yml", "import_organisations": "export.yml"}.get(command, "export.json")

    report, _ = refused(command, str(tmp_path / name))

    assert "plus de 1 Mo" in messages(report)


# --- hostile files ---------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [(), ("--dry-run",), ("--lenient",), ("--dry-run", "--lenient")])
def test_import_publiccode_refuses_an_alias_bomb(tmp_path, flags):
    bomb = tmp_path / "publiccode.yml"
    bomb.write_text(ALIAS_BOMB)
    assert len(bomb.read_bytes()) < 400

    report, _ = refused("import_publiccode", str(bomb), *flags, seconds=30)

    assert "bombe" in messages(report)


def test_import_organisations_refuses_an_alias_bomb(tmp_path):
    bomb = tmp_path / "top_organizations.yml"
    bomb.write_text(ALIAS_BOMB)

    report, _ = refused("import_organisations", str(bomb), seconds=30)

    assert "bombe" in messages(report)


@pytest.mark.parametrize(
    ("command", "name", "text"),
    [
        ("import_sill", "sill.json", DEEP_JSON),
        ("import_dpg", "nominee.json", DEEP_JSON),
        ("import_repositories", "organizations.json", DEEP_JSON),
        ("import_organisations", "top_organizations.yml", DEEP_JSON),
        ("import_publiccode", "publiccode.yml", "a: " + DEEP_JSON),
        ("import_publiccode", "block.yml", "".join(f"{'  ' * i}k:\n" for i in range(200))),
    ],
)
def test_importers_refuse_deep_nesting(tmp_path, command, name, text):
    path = tmp_path / name
    path.write_text(text)

    report, _ = refused(command, str(path))

    assert "imbriquée sur plus de 64 niveaux" in messages(report)


def test_import_sill_reports_wrong_types_as_row_errors(tmp_path):
    path = tmp_path / "sill.json"
    rows = [
        {"id": "1", "i": "Logiciel correct", "f": "Fait quelque chose", "website": "https://exemple.fr/"},
        {"id": "2", "i": ["une", "liste"], "f": "x"},
        {"id": {"x": 1}, "i": "Identifiant objet"},
        {"id": "3", "i": "Description nombre", "fr-desc": 42},
    ]
    path.write_text(json.dumps(rows))

    report, _ = refused("import_sill", str(path))

    assert {item["row"]: item["message"] for item in report["errors"]} == {
        "sill.json, ligne 2": "« i » : un texte est attendu, le fichier donne list",
        "sill.json, ligne 3": "« id » : un nombre entier est attendu, le fichier donne dict",
        "sill.json, ligne 4": "« fr-desc » : un texte est attendu, le fichier donne int",
    }
