"""manage.py import_territories on the official files of DATA_DIR/geo-fr."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from territories.models import Territory
from tests.conftest import data_path

pytestmark = pytest.mark.django_db

FILES = [
    "regions.csv",
    "departements.csv",
    "epci-2025.csv",
    "communes-cog-5000plus.csv",
    "communes-siren-insee-5000plus.csv",
    "epci-membres-5000plus.csv",
]


@pytest.fixture
def geo_dir():
    return data_path("geo-fr")


@pytest.fixture
def geo_copy(geo_dir, tmp_path):
    """A writable copy of the official files, to corrupt."""
    folder = tmp_path / "geo-fr"
    folder.mkdir()
    for name in FILES:
        shutil.copy(geo_dir / name, folder / name)
    return folder


def run(source=None):
    out = StringIO()
    args = ["--source", str(source)] if source else []
    call_command("import_territories", *args, stdout=out)
    return out.getvalue()


def counts():
    return {kind: Territory.objects.filter(kind=kind).count() for kind in Territory.Kind.values}


def line_of(path: Path, needle: str) -> int:
    """The 1-based line number of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def replace_line(path: Path, number: int, old: str, new: str):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_imports_every_official_territory_with_its_codes_and_parents(geo_dir):
    output = run()  # the default source is DATA_DIR/geo-fr

    assert counts() == {
        "world": 0,
        "europe": 0,
        "country": 1,
        "region": 18,
        "departement": 101,
        "epci": 1255,
        "commune": 2272,
        "other": 0,
    }
    assert "Total : 3647 créé(s), 0 mis à jour." in output

    france = Territory.objects.get(code="fr")
    bretagne = Territory.objects.get(code="reg-53")
    assert (bretagne.name, bretagne.kind, bretagne.official_code, bretagne.parent) == (
        "Bretagne",
        "region",
        "53",
        france,
    )
    finistere = Territory.objects.get(code="dep-29")
    assert (finistere.name, finistere.parent) == ("Finistère", bretagne)
    assert Territory.objects.get(code="dep-2A").name == "Corse-du-Sud"

    brest = Territory.objects.get(code="com-29019")
    assert (brest.name, brest.kind, brest.official_code, brest.siren, brest.parent) == (
        "Brest",
        "commune",
        "29019",
        "212900195",
        finistere,
    )
    paris = Territory.objects.get(code="com-75056")
    assert (paris.siren, paris.parent.code, paris.parent.parent.code) == ("217500016", "dep-75", "reg-11")

    metropole = Territory.objects.get(code="epci-242900314")
    assert (metropole.name, metropole.kind, metropole.official_code, metropole.siren, metropole.parent) == (
        "Brest Métropole",
        "epci",
        "242900314",
        "242900314",
        finistere,
    )
    # Every row below the country has a parent.
    assert not Territory.objects.exclude(kind="country").filter(parent__isnull=True).exists()

    # Brest is a member of its métropole, while its parent stays the département.
    assert brest.epci == metropole
    # Its communes of 5,000 inhabitants or more, the ones the project ships.
    assert sorted(metropole.member_communes.values_list("official_code", flat=True)) == [
        "29019",
        "29061",
        "29069",
        "29075",
        "29189",
        "29212",
        "29235",
    ]
    # Every shipped commune but L'Île-d'Yeu (an island commune in no EPCI) is a member of one.
    assert list(Territory.objects.filter(kind="commune", epci__isnull=True).values_list("code", flat=True)) == [
        "com-85113"
    ]


def test_a_second_run_changes_nothing(geo_dir):
    run()
    before = {t.code: (t.pk, t.name, t.siren, t.parent_id, t.epci_id) for t in Territory.objects.all()}

    output = run()

    assert "Total : 0 créé(s), 0 mis à jour." in output
    assert {t.code: (t.pk, t.name, t.siren, t.parent_id, t.epci_id) for t in Territory.objects.all()} == before


def test_memberships_follow_the_file_and_stay_without_it(geo_copy):
    path = geo_copy / "epci-membres-5000plus.csv"
    run(geo_copy)
    # Brest leaves its métropole in the next file: the import takes it out.
    replace_line(path, line_of(path, ",29019,"), "242900314,29019,212900195\n", "")

    output = run(geo_copy)

    assert "Commune : 0 créé(s), 1 mis à jour," in output
    assert Territory.objects.get(code="com-29019").epci is None
    # Without a membership file, the memberships recorded earlier stay as they are.
    path.unlink()
    run(geo_copy)
    assert Territory.objects.get(code="com-29075").epci.code == "epci-242900314"
    assert Territory.objects.filter(kind="commune", epci__isnull=False).count() == 2270


def test_existing_rows_are_updated_in_place(geo_dir):
    old = Territory.objects.create(code="reg-53", kind="region", name="Bretagne (ancien nom)")
    france = Territory.objects.create(code="fr", kind="country", name="France métropolitaine et outre-mer")

    output = run()

    old.refresh_from_db()
    assert (old.name, old.official_code, old.parent) == ("Bretagne", "53", france)
    assert "Région : 17 créé(s), 1 mis à jour, 0 inchangé(s)" in output
    # The country is created when missing, never renamed.
    france.refresh_from_db()
    assert france.name == "France métropolitaine et outre-mer"
    assert Territory.objects.filter(code="reg-53").count() == 1


def test_the_demo_fixture_territories_agree_with_the_official_files(geo_dir):
    call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "02_territories.json"), verbosity=0)
    fixture_codes = set(Territory.objects.values_list("code", flat=True))

    output = run()

    assert "0 mis à jour" in output.splitlines()[-1]
    assert fixture_codes <= set(Territory.objects.values_list("code", flat=True))
    assert Territory.objects.count() == 3647 + 2  # plus "eu" and "world" from the fixture


@pytest.mark.parametrize(
    "filename, needle, old, new, expected",
    [
        # a commune in a département that does not exist
        ("communes-cog-5000plus.csv", "COM,29019,", ",29,29D,", ",99,99D,", "département « 99 » inconnu"),
        # a malformed SIREN (fails the Luhn key)
        ("epci-2025.csv", "242900314", "242900314", "242900315", "SIREN « 242900315 » est invalide"),
        # a SIREN with a letter in the commune SIREN table
        ("communes-siren-insee-5000plus.csv", "212900195", "212900195", "21290019X", "9 chiffres"),
        # a missing code
        ("departements.csv", "Finistère", "29,53,", ",53,", "code département (DEP) manquant"),
        # a region code that is not an INSEE code
        ("regions.csv", "Bretagne", "53,", "5X,", "« 5X » mal formé"),
        # a membership in an EPCI that no file lists (a valid SIREN)
        ("epci-membres-5000plus.csv", ",29019,", "242900314,", "200000008,", "EPCI « 200000008 » inconnu"),
        # a member that is not a commune of the import
        ("epci-membres-5000plus.csv", ",29019,", ",29019,", ",29999,", "commune « 29999 » inconnue"),
        # a commune in two EPCI: Brest listed again on Guipavas's line
        ("epci-membres-5000plus.csv", ",29075,", ",29075,", ",29019,", "commune « 29019 » déjà membre d'un EPCI"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_the_file_and_line(geo_copy, filename, needle, old, new, expected):
    Territory.objects.create(code="fr", kind="country", name="France")
    before = counts()
    path = geo_copy / filename
    line = line_of(path, needle)
    replace_line(path, line, old, new)

    with pytest.raises(CommandError) as error:
        run(geo_copy)

    message = str(error.value)
    assert f"{filename}, ligne {line} :" in message
    assert expected in message
    assert counts() == before


def test_an_error_in_the_last_file_leaves_earlier_files_unimported(geo_copy):
    path = geo_copy / "communes-cog-5000plus.csv"
    line = line_of(path, "COM,38185,")
    replace_line(path, line, ",GRENOBLE,Grenoble,Grenoble,", ",GRENOBLE,Grenoble,,")

    with pytest.raises(CommandError, match=rf"communes-cog-5000plus.csv, ligne {line} : nom \(LIBELLE\) manquant"):
        run(geo_copy)

    assert Territory.objects.count() == 0


def test_duplicate_codes_are_refused(geo_copy):
    path = geo_copy / "regions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[-1]]), encoding="utf-8")

    with pytest.raises(CommandError, match=rf"regions.csv, ligne {len(lines) + 1} : code « reg-\d+ » en double"):
        run(geo_copy)
    assert Territory.objects.count() == 0


def test_a_file_without_its_columns_is_refused(geo_copy):
    (geo_copy / "epci-2025.csv").write_text("code,nom\n200029999,CC\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run(geo_copy)
    assert "epci-2025.csv : colonne(s) manquante(s) : dept, siren, raison_sociale." in str(error.value)
    assert Territory.objects.count() == 0


def test_the_full_insee_communes_file_is_read_when_present(geo_copy):
    # The full COG file has the same columns, plus merged communes (COMD) and municipal arrondissements (ARM).
    (geo_copy / "communes.csv").write_text(
        "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT\n"
        "COM,29019,53,29,29D,291,0,BREST,Brest,Brest,2998,\n"
        "COM,29001,53,29,29D,293,0,ARGOL,Argol,Argol,2903,\n"
        "COMD,29002,53,29,29D,291,0,OLD,Old,Old,,29001\n"
        "ARM,75112,11,75,75C,751,0,PARIS 12,Paris 12,Paris 12e Arrondissement,,75056\n",
        encoding="utf-8",
    )
    # And so does the full membership file over the subset.
    (geo_copy / "epci-membres.csv").write_text("siren_epci,insee,siren\n242900314,29019,212900195\n", encoding="utf-8")

    run(geo_copy)

    assert set(Territory.objects.filter(kind="commune").values_list("code", flat=True)) == {"com-29019", "com-29001"}
    assert Territory.objects.get(code="com-29019").siren == "212900195"
    assert Territory.objects.get(code="com-29001").siren == ""  # not in the ≥ 5,000 SIREN table
    assert Territory.objects.get(code="com-29019").epci.code == "epci-242900314"
    assert Territory.objects.get(code="com-29001").epci is None


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Dossier introuvable"):
        run(tmp_path / "nowhere")
