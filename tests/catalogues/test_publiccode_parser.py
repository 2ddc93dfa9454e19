"""The offline publiccode.yml parser against the reference parser's own test cases, real files,
and the mapping to and from the directory's fields."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from catalogues.publiccode import (
    OFFLINE_UNCHECKED,
    MissingFields,
    from_publiccode,
    missing_for_publiccode,
    parse,
    to_publiccode,
)

ROOT = Path(settings.DATA_DIR) / "publiccode"
TESTDATA = ROOT / "parser-testdata"
EXPECTED = json.loads((TESTDATA / "expected-results.json").read_text()) if TESTDATA.exists() else {}


def cases(folder: str) -> list[Path]:
    return sorted((TESTDATA / folder).glob("*.yml"))


def ids(paths):
    return [p.name for p in paths]


def expected_keys(folder: str, name: str, kind: str) -> list[str]:
    return sorted(issue["key"] for issue in EXPECTED[folder][name] if issue["type"] == kind)


def keys(issues) -> list[str]:
    return sorted(issue.key for issue in issues)


def test_the_reference_cases_are_there():
    # The data folder is copied into the project; an empty folder must fail, not pass silently.
    assert len(cases("v0/valid")) == 22
    assert len(cases("v0/invalid")) == 98
    assert len(cases("v0/valid_with_warnings")) == 8


@pytest.mark.parametrize("path", cases("v0/valid"), ids=ids(cases("v0/valid")))
def test_valid_cases_have_no_error(path):
    result = parse(path.read_bytes())
    assert result.errors == []
    assert result.data["name"]


@pytest.mark.parametrize("path", cases("v0/valid_with_warnings"), ids=ids(cases("v0/valid_with_warnings")))
def test_valid_cases_with_warnings(path):
    result = parse(path.read_bytes())
    assert result.errors == []
    assert keys(result.warnings) == expected_keys("v0/valid_with_warnings", path.name, "warning")


@pytest.mark.parametrize("path", cases("v0/invalid"), ids=ids(cases("v0/invalid")))
def test_invalid_cases_give_the_expected_errors(path):
    result = parse(path.read_bytes())
    expected = expected_keys("v0/invalid", path.name, "error")
    got = keys(result.errors)
    if path.name in OFFLINE_UNCHECKED:
        # Only the check that needs the network or the repository's files is missing.
        assert got != expected
        remaining = list(expected)
        for key in got:
            remaining.remove(key)
        assert len(remaining) == 1
    else:
        assert got == expected
    assert keys(result.warnings) == expected_keys("v0/invalid", path.name, "warning")


def test_offline_unchecked_lists_only_existing_invalid_cases():
    assert set(OFFLINE_UNCHECKED) <= set(EXPECTED["v0/invalid"])
    reasons = " ".join(OFFLINE_UNCHECKED.values())
    assert all(reason for reason in OFFLINE_UNCHECKED.values()) and "file" in reasons


def test_positions_and_messages_follow_the_parser():
    result = parse((TESTDATA / "v0/invalid/maintenance_contacts_email_invalid.yml").read_bytes())
    (issue,) = result.errors
    assert (issue.key, issue.line, issue.column) == ("maintenance.contacts[0].email", 49, 9)
    assert issue.message == "email must be a valid email address"
    result = parse((TESTDATA / "v0/invalid/legal_license_invalid.yml").read_bytes())
    assert [(i.key, i.line, i.column) for i in result.errors] == [("legal.license", 42, 3)]


def test_encoding_and_broken_yaml_are_reported_not_raised():
    assert [i.message for i in parse((TESTDATA / "v0/invalid/file_encoding.yml").read_bytes()).errors] == [
        "Invalid UTF-8"
    ]
    result = parse((TESTDATA / "v0/invalid/invalid_yaml.yml").read_bytes())
    assert result.data is None and result.errors[0].line == 38
    assert parse("").errors and parse("- a list").errors


def test_version_written_as_a_number_is_read_as_written():
    text = (TESTDATA / "v0/valid_with_warnings/valid.minimal.v0.4.yml").read_text().replace('"0.4"', "0.4")
    result = parse(text)
    assert result.version == "0.4" and result.errors == []
    assert keys(result.warnings) == ["publiccodeYmlVersion"]
    assert parse(text.replace("0.4", "0.40", 1)).errors[0].key == "publiccodeYmlVersion"


def test_v1_draft_is_refused_unless_asked():
    raw = (TESTDATA / "v1/valid/valid.yml").read_bytes()
    assert keys(parse(raw).errors) == ["publiccodeYmlVersion"]
    assert parse(raw, experimental_v1=True).errors == []


OTHER_FILES = sorted(
    p for folder in ("real", "awesome-codegouvfr", "spec-examples") for p in (ROOT / folder).glob("*.y*ml")
)


@pytest.mark.parametrize("path", OTHER_FILES, ids=ids(OTHER_FILES))
def test_real_files_parse_deterministically(path):
    first, second = parse(path.read_bytes()), parse(path.read_bytes())
    assert first.data is not None
    assert first.errors == second.errors and first.warnings == second.warnings
    fields = from_publiccode(first.data)
    assert fields["name"] and fields["kind"] == "software"
    assert len(fields["summary"]) <= 200


def test_spec_examples_and_good_real_files_are_valid():
    for name in (
        "spec-examples/publiccodeyml-standard-example.publiccode.minimal.yml",
        "spec-examples/publiccodeyml-standard-example.publiccode.yml",
        "spec-examples/italia-2020-en-example.publiccode.minimal.yml",
        "real/CatalaLang__catala__publiccode.yml",
        "real/InseeFrLab__onyxia__publiccode.yml".replace("InseeFrLab__onyxia", "opendatateam__udata"),
    ):
        assert parse((ROOT / name).read_bytes()).errors == [], name
    # The French "awesome" files add keys of their own, which the standard refuses.
    result = parse((ROOT / "awesome-codegouvfr/catala_publiccode.yml").read_bytes())
    assert "creationDate" in keys(result.errors)


def test_mapping_of_catala():
    fields = from_publiccode(parse((ROOT / "real/CatalaLang__catala__publiccode.yml").read_bytes()).data)
    assert fields["name"] == "Catala"
    assert fields["licence"] == "Apache-2.0"
    assert fields["repository_url"] == "https://github.com/CatalaLang/catala"
    assert fields["language"] == "fr" and fields["summary"].startswith("Langage de programmation")
    assert "en" in fields["descriptions"]
    assert fields["development_status"] == "stable"


def test_mapping_of_onyxia_keeps_organisations_not_people():
    raw = (ROOT / "real/InseeFrLab__onyxia__publiccode.yml").read_bytes()
    data = parse(raw).data
    fields = from_publiccode(data)
    assert fields["name"].lower().startswith("onyxia")
    assert fields["repository_url"].startswith("https://github.com/InseeFrLab/onyxia")
    assert fields["licence"] == "MIT"
    contacts = (data.get("maintenance") or {}).get("contacts") or []
    people = {c.get(k) for c in contacts for k in ("name", "email", "phone") if c.get(k)}
    assert people, "the file names contacts: the test must see them left out"
    assert not people & set(json.dumps(fields, ensure_ascii=False).split('"'))


def test_obsolete_becomes_archived_and_back():
    text = (
        (TESTDATA / "v0/valid/valid.yml")
        .read_text()
        .replace("developmentStatus: development", "developmentStatus: obsolete")
    )
    fields = from_publiccode(parse(text).data)
    assert fields["development_status"] == "archived"
    assert "developmentStatus: obsolete" in to_publiccode(fields)


def test_round_trip():
    fields = from_publiccode(parse((TESTDATA / "v0/valid/valid.yml").read_bytes()).data)
    # One carrier: publiccode.yml has room for a single copyright owner without an organisation URI.
    fields["actors"] = [("City of Chicago", "carrier")] + [a for a in fields["actors"] if a[1] != "carrier"]
    assert missing_for_publiccode(fields) == []
    text = to_publiccode(fields)
    result = parse(text)
    assert result.errors == [] and result.warnings == []
    assert from_publiccode(result.data) == fields


def test_missing_values_are_named_never_invented():
    fields = from_publiccode(parse((ROOT / "real/CatalaLang__catala__publiccode.yml").read_bytes()).data)
    # Catala is maintained "internal": the standard wants named contacts, which the directory does not keep.
    assert missing_for_publiccode(fields) == ["maintenance.contacts"]
    with pytest.raises(MissingFields) as error:
        to_publiccode(fields | {"platforms": [], "software_type": ""})
    assert {"platforms", "software_type", "maintenance.contacts"} <= set(error.value.missing)
