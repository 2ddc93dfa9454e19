"""manage.py harvest URL: another instance of the directory, started for the test on its own database
(an SQLite file, served by gunicorn), mirrored through its API, then kept in sync."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalogues.models import Record
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db


def _environment(folder):
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'remote.sqlite3'}",
        "DEBUG": "1",
        "SECRET_KEY": "insecure-key-for-tests-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PAGE_CACHE_TIMEOUT": "0",
        "REDIS_URL": "",
        "CACHE_DIR": str(folder / "cache"),
        "API_THROTTLE_ANON": "100000/minute",
    }


class OtherInstance:
    """The demo data's fixtures in a migrated SQLite file, served by one gunicorn worker."""

    def __init__(self, folder, migrated_sqlite):
        self.folder, self.env = folder, _environment(folder)
        fixtures = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        migrated_sqlite(folder / "remote.sqlite3")
        self.manage("loaddata", *fixtures, "-v", "0")
        (folder / "empty.conf.py").write_text("")
        self.error_log = folder / "error.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "communs.wsgi:application", "--config", str(folder / "empty.conf.py")]
            + ["--workers", "1", "--bind", "127.0.0.1:0", "--error-logfile", str(self.error_log)],
            env=self.env,
            cwd=settings.BASE_DIR,
        )
        self.url = f"http://127.0.0.1:{self._wait_for_port()}/"

    def manage(self, *args):
        subprocess.run([sys.executable, "manage.py", *args], env=self.env, cwd=settings.BASE_DIR, check=True)

    def shell(self, code):
        self.manage("shell", "-c", code)

    def _wait_for_port(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn stopped: {self.error_log.read_text()}")
            log = self.error_log.read_text() if self.error_log.exists() else ""
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if port and "Booting worker" in log:
                return int(port[1])
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not start: {self.error_log.read_text()}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def other_instance(tmp_path_factory, migrated_sqlite):
    instance = OtherInstance(tmp_path_factory.mktemp("other-instance"), migrated_sqlite)
    yield instance
    instance.stop()


def harvest(url):
    out = io.StringIO()
    call_command("harvest", url, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_harvest_mirrors_then_applies_an_edit_an_archive_and_a_deletion(other_instance):
    remote_published = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", _COUNT],
            env=other_instance.env,
            cwd=settings.BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]  # after the shell's own "objects imported" line
    )

    first = harvest(other_instance.url)

    assert first["errors"] == []
    mirrored = Initiative.objects.filter(slug__in=remote_published["initiatives"])
    assert mirrored.count() == len(remote_published["initiatives"]) >= 40
    decidim = Initiative.objects.get(slug="decidim")
    # As the other directory gives it, a draft here until a curator publishes it, citing that directory.
    assert decidim.publication_status == "draft"
    assert decidim.summary == remote_published["decidim_summary"]
    assert decidim.involvements.exists()
    assert decidim.sources[-1]["source"].startswith("harvest-127-0-0-1")
    assert Record.objects.filter(source__key__startswith="harvest-", external_id="decidim").exists()

    second = harvest(other_instance.url)
    assert (second["created"], second["updated"], second["archived"]) == ([], [], [])

    other_instance.shell(_CHANGES)
    third = harvest(other_instance.url)

    assert [(u["entry"], u["fields"]) for u in third["updated"] if u["entry"] == "decidim"] == [
        ("decidim", ["summary"])
    ]
    decidim.refresh_from_db()
    assert decidim.summary == "Plateforme de participation citoyenne (modifiée là-bas)"
    archived = {item["entry"]: item["reason"] for item in third["archived"]}
    assert archived == {
        "openfisca": "Archivée dans l'annuaire moissonné",
        "sill": "Supprimée de l'annuaire moissonné",
    }
    assert Initiative.objects.get(slug="sill").publication_status == "archived"
    assert Initiative.objects.get(slug="openfisca").publication_status == "archived"


def test_a_url_that_is_not_an_instance_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(CommandError, match="http"):
        harvest("ftp://example.org/")
    with pytest.raises(CommandError, match="lecture impossible"):
        harvest("http://127.0.0.1:9/")
    assert not Initiative.objects.exists() and not Record.objects.exists()


_COUNT = """
import json
from initiatives.models import Initiative
print(json.dumps({
    "initiatives": list(Initiative.objects.published().values_list("slug", flat=True)),
    "decidim_summary": Initiative.objects.get(slug="decidim").summary,
}))
"""

_CHANGES = """
from initiatives.models import Initiative
decidim = Initiative.objects.get(slug="decidim")
decidim.summary = "Plateforme de participation citoyenne (modifiée là-bas)"
decidim.save()
from django.utils import timezone
openfisca = Initiative.objects.get(slug="openfisca")
# What the review workflow's "archive" transition writes (curation/services.py).
openfisca.publication_status, openfisca.status_changed_at = "archived", timezone.now()
openfisca.archived_reason = "Projet arrêté"
openfisca.save()
Initiative.objects.get(slug="sill").delete()
"""
