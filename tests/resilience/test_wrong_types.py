"""Files whose values have the wrong types: every importer ends with a report, never a traceback."""

import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

OSPO_URL = "https://ospo.example.gouv.fr/"
PSO = "8d9f9a0a-0000-4000-8000-000000000001"

CASES = [
    ("import_organisations", "fr-public-sector-ospo.yml", {OSPO_URL: {"name": ["x"], "description": 3, "pso_id": {}}}),
    (
        "import_organisations",
        "fr-public-sector-ospo.yml",
        {OSPO_URL: {"name": "OSPO", "description": "d", "pso_id": PSO, "accounts": 7}},
    ),
    ("import_organisations", "comptes-organismes-publics.yml", {"github.com": {"forge": 1, "owners": "pas une liste"}}),
    (
        "import_organisations",
        "comptes-organismes-publics.yml",
        {"github.com": {"forge": "github", "owners": {"x": {"pso_id": [1]}}}},
    ),
    ("import_organisations", "comptes-organismes-publics.yml", {"github.com": {"forge": "github", "owners": ["x", 3]}}),
    ("import_organisations", "top_organizations.yml", {PSO: "Ministère"}),
    ("import_repositories", "organizations.json", [{"platform": ["x"], "login": {"a": 1}}]),
    ("import_repositories", "organizations.json", [1, 2]),
    ("import_sill", "sill.json", [{"id": "1", "i": "x"}, 3]),
    ("import_dpg", "nominee.json", {"name": ["x"], "description": 3, "stage": "DPG", "license": "MIT"}),
    ("import_publiccode", "publiccode.yml", {"publiccodeYmlVersion": "0.4", "name": ["x"], "url": 3}),
    ("import_publiccode", "publiccode.yml", {"publiccodeYmlVersion": "0.4", "name": "x", "description": ["y"]}),
    ("import_publiccode", "publiccode.yml", {"publiccodeYmlVersion": "0.4", "name": "x", "description": {"fr": 3}}),
    ("import_publiccode", "publiccode.yml", {"publiccodeYmlVersion": "0.4", "name": "x", "legal": "MIT"}),
    ("import_publiccode", "publiccode.yml", {"publiccodeYmlVersion": 0.4, "name": {"a": 1}, "url": ["u"]}),
]


@pytest.mark.parametrize("flags", [(), ("--lenient",)])
@pytest.mark.parametrize(("command", "name", "document"), CASES)
def test_wrong_types_end_in_a_report(tmp_path, command, name, document, flags):
    if flags and command != "import_publiccode":
        pytest.skip("--lenient is import_publiccode's")
    path = tmp_path / name
    path.write_text(json.dumps(document))  # JSON is YAML too
    out = io.StringIO()
    # A CommandError (the report has errors) is an expected end; any other exception fails the test.
    with contextlib.suppress(CommandError):
        call_command(command, str(path), "--json", *flags, stdout=out)

    report = json.loads(out.getvalue())
    assert set(report) >= {"created", "skipped", "errors"}
    if report["errors"]:
        assert not Initiative._base_manager.exists()
