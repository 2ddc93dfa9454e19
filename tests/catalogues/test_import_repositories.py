"""manage.py import_repositories on code.gouv.fr's 2021 export of public-sector repositories."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalogues.models import Record
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

FOLDER = settings.DATA_DIR / "codegouvfr" / "data-codes-sources-fr"


def import_repositories(*args):
    out = io.StringIO()
    call_command("import_repositories", *[str(a) for a in args], "--json", stdout=out)
    return json.loads(out.getvalue())


def test_living_reusable_repositories_become_software_carried_by_their_public_body():
    report = import_repositories()

    assert report["errors"] == []
    coq = Initiative.objects.get(repository_url="https://github.com/coq/coq")
    assert (coq.kind, coq.licence, coq.website, coq.is_published) == (
        "software",
        "LGPL-2.1-only",
        "https://coq.inria.fr/",
        True,
    )
    assert coq.software_heritage_url.startswith("https://archive.softwareheritage.org/")
    # The carrier is named as organizations.json names the forge account, not by its login.
    assert list(coq.involvements.values_list("role", flat=True)) == ["carrier"]
    # Only repositories that pass the rule: no fork, no archive, a known open licence, 50 stars.
    rows = list(csv.DictReader((FOLDER / "repositories.csv").open(encoding="utf-8")))
    imported = set(
        Record.objects.filter(source__key="codegouvfr-repositories", content_type__model="initiative").values_list(
            "external_id", flat=True
        )
    )
    for row in rows:
        if row["repository_url"] in imported:
            assert row["is_fork"] != "True" and row["is_archived"] != "True"
            assert int(row["stars_count"]) >= 50 and row["license"] not in ("", "Other")
    assert 80 <= len(imported) <= 200
    left_out = next(item for item in report["skipped"] if item["id"].endswith(" dépôts"))
    parts = {item["id"]: item["reason"] for item in report["skipped"] if item is not left_out}
    assert int(left_out["id"].split()[0]) + len(parts) == len(rows) - len(imported)
    # A project's other repository, whose homepage is the project's site, is a part of it.
    opencti = Initiative.objects.get(repository_url="https://github.com/OpenCTI-Platform/opencti")
    assert parts["https://github.com/OpenCTI-Platform/connectors"].endswith(f" : {opencti.slug}")

    second = import_repositories()
    assert (second["created"], second["updated"]) == ([], [])


def test_a_lower_threshold_takes_more_and_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="ni un fichier"):
        import_repositories(tmp_path / "absent.csv")
    out = io.StringIO()
    call_command("import_repositories", str(FOLDER / "repositories.csv"), "--min-stars", "200", "--json", stdout=out)
    few = json.loads(out.getvalue())
    assert 10 <= len([c for c in few["created"] if "/" in c["id"]]) < 80
    assert Initiative.objects.filter(repository_url="https://github.com/coq/coq").exists()
