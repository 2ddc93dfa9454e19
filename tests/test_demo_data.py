"""The demo fixtures load, cite the seed documents, and contain what the directory promises."""

import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from actors.models import Actor
from catalogues import demo as demo_module
from catalogues.publiccode import parse
from communs.search import search
from curation.duplicates import find_duplicates
from curation.roles import CURATOR
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import CriterionAssessment, Initiative, Involvement, Sector
from territories.models import Territory
from tests.api.conftest import token_client, user_with_role
from tests.catalogues.test_publiccode_export import import_publiccode, snapshot
from tests.factories import make_sector
from tests.sharing import shared_per_module

pytestmark = pytest.mark.django_db

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
SEED_FILES = [
    "000_404ba8fd69e96db8.txt",
    "001_32650449a7423ebd.txt",
    "002_df22a215291b5ecd.txt",
    "003_5b850e168406f36a.txt",
    "004_f848d1daa0fd2039.txt",
]
# The Source records of the five seed documents (fixtures/00_sources.json), and how criteria notes name them.
SEED_SOURCES = {
    "berge-2025-gouvernance-numerique-communs",
    "fabmob-2024-communs-numeriques-en-vogue",
    "communs-numeriques-souverainete-europeenne",
    "numerique-ethique-2022-biens-communs-democraties",
    "sciences-po-politiques-locales-communs-brest-grenoble",
}
SEED_LABELS = [
    "A. Berge (2025)",
    "La Fabrique des Mobilités (2024)",
    "article sur la souveraineté européenne",
    "Numérique Éthique (2022)",
    "Sciences Po, Brest et Grenoble",
]
MODELS = [Sector, Territory, Actor, Initiative, Involvement, FundingScheme, FundingEdition, Award, CriterionAssessment]

REQUIRED_INITIATIVES = [
    "sill",
    "base-adresse-nationale",
    "decidim",
    "fabrique-des-geocommuns",
    "data-gouv-fr",
    "transport-data-gouv-fr",
    "registre-de-preuve-de-covoiturage",
    "dialog",
    "opentripplanner",
    "albert",
    "pix",
    "aidants-connect",
    "code-gouv-fr",
    "openstreetmap",
    "wikipedia",
    "dhis2",
    "movilab",
    "et-si-j-accompagnais",
    "incubateur-des-territoires",
    "accelerateur-d-initiatives-citoyennes",
    "numerique-en-communs",
    "a-brest",
    "wiki-brest",
    "openfisca",
    "polis",
    "vtaiwan",
    "hinaura",
    "ogptoolbox",
    "animacoop",
    "assemblee-des-communs-de-grenoble",
    "la-turbine",
    "studio-des-communs-campus-cyber",
    "reseau-francais-des-fablabs",
    "papi-brest",
]
REQUIRED_ACTORS = [
    "dinum",
    "anct",
    "ign",
    "ademe",
    "adullact",
    "blue-hats",
    "la-poste",
    "communaute-openstreetmap",
    "ville-de-barcelone",
    "ville-de-brest",
    "ville-de-grenoble",
    "smmag",
    "fabrique-des-mobilites",
    "campus-cyber",
    "ngi",
    "commission-europeenne",
    "region-auvergne-rhone-alpes",
    "region-nouvelle-aquitaine",
    "cnnum",
    "csnp",
    "ambassade-numerique",
    "etalab",
    "ca-la-rochelle",
    "nouvelle-aquitaine-mobilites",
    "metropole-europeenne-de-lille",
    "beta-gouv",
    "ville-d-helsinki",
    "ville-de-mexico",
    "paris-12e",
    "ville-de-bologne",
    "wikimedia",
    "open-source-politics",
    "infini",
    "tela-botanica",
]
REQUIRED_SCHEMES = [
    "appel-a-communs",
    "ngi-commons-fund",
    "extreme-defi",
    "grenoble-civiclab",
    "proto-impact",
    "logiciels-libres-innovants",
    "incubateurs-de-la-culture-du-partage",
]


def fixture_files():
    return sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))


def load():
    call_command("loaddata", *fixture_files(), verbosity=0)


_loaded = shared_per_module(load)


@pytest.fixture
def loaded(db, _loaded):
    """The fixtures, loaded once for the tests of this module that only read them (see tests/sharing.py)."""
    return _loaded.get()


# The web addresses and domain names the five seed documents cite, shipped with the project (the
# documents themselves are not ours to redistribute): what the demo's links are checked against.
CITED_ADDRESSES = Path(settings.DATA_DIR) / "seeds" / "cited-addresses.txt"
URL = re.compile(r"https?://[^\s>\]\"'<,;*]+")
DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b")


def _balanced(url):
    # "(see https://x.fr/a_(b))." : the closing parentheses and the dot that the sentence adds are not the URL's.
    while url.endswith((".", ")")) and (url.endswith(".") or url.count(")") > url.count("(")):
        url = url[:-1]
    return url


def cited_addresses(folder):
    """The index that data/seeds/cited-addresses.txt holds, rebuilt from the documents in `folder`."""
    blocks = []
    for path in sorted(Path(folder).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found = sorted({_balanced(url) for url in URL.findall(text)} | set(DOMAIN.findall(text.lower())))
        blocks.append(f"# {path.name}\n" + "\n".join(found))
    return "\n".join(blocks) + "\n"


def test_the_shipped_index_of_cited_addresses_is_the_seed_documents_own():
    index = CITED_ADDRESSES.read_text(encoding="utf-8")
    assert re.findall(r"^# (.+)$", index, re.M) == sorted(SEED_FILES)
    folder = Path(settings.SEEDS_DIR)
    if folder.is_dir():  # beside the project on the team's machines and in CI: the index must be current
        assert index == cited_addresses(folder)


def cites_a_seed(sources):
    return any(source.get("source") in SEED_SOURCES for source in sources)


# A curator may add an entry that no seed document names when the catalogue files the project ships
# state it (Panoramax: a laureate in the funding file, a forge account of IGN on code.gouv.fr's
# list). Its sources are then pages those files cite, and its links what they list.
FUNDING_FILE = Path(settings.DATA_DIR) / "funding" / "schemes.yaml"
FORGE_ACCOUNTS_FILE = Path(settings.DATA_DIR) / "codegouvfr" / "codegouvfr-data" / "comptes-organismes-publics.yml"


def shipped_catalogue_text():
    return FUNDING_FILE.read_text(encoding="utf-8") + FORGE_ACCOUNTS_FILE.read_text(encoding="utf-8")


def listed_forge_accounts():
    import yaml

    forges = yaml.safe_load(FORGE_ACCOUNTS_FILE.read_text(encoding="utf-8"))
    return {f"https://{host}/{owner}" for host, forge in forges.items() for owner in (forge or {}).get("owners") or {}}


def cites_a_shipped_catalogue(sources, catalogue_text):
    return bool(sources) and all(source.get("url") and source["url"] in catalogue_text for source in sources)


def test_fixture_files_are_pretty_printed_utf8_json_without_primary_keys():
    files = fixture_files()
    assert [Path(f).name for f in files][:4] == [
        "00_sources.json",
        "01_sectors.json",
        "02_territories.json",
        "03_actors.json",
    ]
    for name in files:
        text = Path(name).read_text(encoding="utf-8")
        objects = json.loads(text)
        assert text.startswith("[\n  {"), name  # indent 2, hand-editable
        assert "\\u00e9" not in text, name  # written with ensure_ascii=False
        assert all("pk" not in obj for obj in objects), name  # natural keys only


def test_the_demo_data_has_the_promised_size_and_entries(loaded):
    assert Initiative.objects.published().count() >= 40
    assert Actor.objects.published().count() >= 35
    assert FundingScheme.objects.published().count() >= 7
    assert Sector.objects.count() == 32  # 14 of the seed documents, 18 more for publiccode.yml's scopes
    required = [(Initiative, REQUIRED_INITIATIVES), (Actor, REQUIRED_ACTORS), (FundingScheme, REQUIRED_SCHEMES)]
    for model, slugs in required:
        found = set(model.objects.published().filter(slug__in=slugs).values_list("slug", flat=True))
        assert found == set(slugs), f"{model.__name__} missing: {sorted(set(slugs) - found)}"


def test_every_entry_cites_a_seed_document(loaded):
    catalogues = shipped_catalogue_text()
    curated_from_catalogues = []
    for model in (Initiative, Actor, FundingScheme, Involvement, FundingEdition):
        for obj in model.objects.all():
            if not cites_a_seed(obj.sources):
                assert cites_a_shipped_catalogue(obj.sources, catalogues), f"{model.__name__} {obj} cites no source"
                curated_from_catalogues.append(str(obj))
    # The exception stays one: the demo's entries come from the seed documents.
    assert len(curated_from_catalogues) <= 2, curated_from_catalogues
    for criterion in CriterionAssessment.objects.all():
        assert any(label in criterion.note for label in SEED_LABELS), criterion


def test_every_url_comes_from_the_seed_documents(loaded):
    """No invented link: each URL is in a document, or is the bare domain the document names (data.gouv.fr)."""
    corpus = CITED_ADDRESSES.read_text(encoding="utf-8") + shipped_catalogue_text()
    accounts = listed_forge_accounts()
    urls = []
    for initiative in Initiative.objects.all():
        urls += [initiative.website, initiative.documentation_url, initiative.repository_url, initiative.governance_url]
    urls += [actor.website for actor in Actor.objects.all()]
    urls += [scheme.url for scheme in FundingScheme.objects.all()]
    urls += [c.evidence_url for c in CriterionAssessment.objects.all()]
    for model in (Initiative, Actor, FundingScheme, Involvement, FundingEdition):
        for obj in model.objects.all():
            urls += [source.get("url", "") for source in obj.sources]
    for url in filter(None, urls):
        parts = urlsplit(url)
        bare_domain = parts.path in ("", "/") and not parts.query
        listed = url in corpus or url in accounts
        assert listed or (bare_domain and parts.netloc.removeprefix("www.") in corpus), url


def test_appel_a_communs_has_both_editions_with_their_figures(loaded):
    scheme = FundingScheme.objects.get(slug="appel-a-communs")
    assert list(scheme.operators.values_list("slug", flat=True)) == ["ademe"]
    first, second = scheme.editions.order_by("label")
    assert (first.budget, first.laureates_count) == (Decimal("1000000"), 20)
    assert (second.year, second.budget, second.laureates_count) == (2024, Decimal("1700000"), 30)
    assert (second.applicants_count, second.applicants_count_is_minimum) == (80, True)
    assert FundingScheme.objects.get(slug="extreme-defi").total_budget == Decimal("15000000")
    assert FundingScheme.objects.get(slug="incubateurs-de-la-culture-du-partage").competitive is False


def test_the_relations_the_sources_state(loaded):
    def roles(initiative):
        return set(Involvement.objects.filter(initiative__slug=initiative).values_list("actor__slug", "role"))

    assert {("ign", "contributor"), ("la-poste", "contributor"), ("communaute-openstreetmap", "contributor")} <= roles(
        "base-adresse-nationale"
    )
    assert roles("decidim") == {
        ("ville-de-barcelone", "carrier"),
        ("ville-d-helsinki", "user"),
        ("ville-de-mexico", "user"),
        ("paris-12e", "user"),
    }
    assert ("dinum", "carrier") in roles("sill")
    assert ("anct", "carrier") in roles("incubateur-des-territoires")
    fabrique = Initiative.objects.get(slug="fabrique-des-geocommuns")
    assert fabrique.launch_year == 2022
    assert Involvement.objects.get(initiative=fabrique, actor__slug="ign").since == 2022
    assert Actor.objects.get(slug="ville-de-brest").territory.code == "com-29019"
    assert Actor.objects.get(slug="blue-hats").parent.parent.slug == "dinum"
    assert Territory.objects.get(code="com-29019").parent.parent.parent.code == "fr"


def test_every_object_passes_model_validation(loaded):
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_loading_twice_creates_no_duplicates():
    load()
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in MODELS}

    load()

    assert {model: set(model.objects.values_list("pk", flat=True)) for model in MODELS} == before
    assert Initiative.objects.get(slug="decidim").sectors.count() == 1


def test_load_demo_data_gives_each_entry_one_first_version_shown_on_its_public_history(client):
    call_command("load_demo_data", "--seeds-only", verbosity=0)
    decidim = Initiative.objects.get(slug="decidim")
    records = list(decidim.history.all())
    assert [r.history_type for r in records] == ["+"]
    assert decidim.sectors.exists()
    assert {row.sector_id for row in records[0].sectors.all()} == set(decidim.sectors.values_list("pk", flat=True))
    for model in (Actor, Involvement, FundingScheme, FundingEdition, CriterionAssessment):
        assert not model.objects.exclude(pk__in=model.history.values("id")).exists(), model
    page = client.get(f"/initiatives/{decidim.slug}/historique/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Création" in text and "Aucune modification enregistrée" not in text


def test_load_demo_data_leaves_an_existing_directory_alone_unless_reload(capsys):
    call_command("load_demo_data", "--seeds-only", verbosity=0)
    Initiative.objects.filter(slug="decidim").update(summary="Résumé revu par une curatrice")
    call_command("load_demo_data", verbosity=0)
    assert "already present" in capsys.readouterr().out
    assert Initiative.objects.get(slug="decidim").summary == "Résumé revu par une curatrice"
    history_rows = Initiative.history.count()
    call_command("load_demo_data", "--reload", "--seeds-only", verbosity=0)
    assert Initiative.objects.get(slug="decidim").summary != "Résumé revu par une curatrice"
    assert Initiative.history.count() == history_rows  # a reload adds no spurious versions


# What `make run` loads (the snapshot, in a few seconds), once for the tests below that ask for it.
_demo = shared_per_module(lambda: call_command("load_demo_data", verbosity=0))


# Half a minute of importing: the PostgreSQL job runs it. make test still fails on a fixture or data
# file changed since the snapshot was made (the snapshot holds their digest: the test below loads it).
@pytest.mark.long
def test_the_snapshot_is_what_the_sources_give(time_machine):
    # `make run` and the tests load fixtures/demo-snapshot.json.xz; built here from the fixtures and
    # data/ files by the importers, as `make demo-snapshot` does, the directory must be the same
    # row for row. A change to an importer, a fixture or a migration that was not followed by
    # `make demo-snapshot` fails here.
    time_machine.move_to(demo_module.SNAPSHOT_CLOCK, tick=False)
    demo_module.restart_ids()
    demo_module.build_from_sources(stdout=StringIO(), verbosity=0)
    built, shipped = demo_module.dump_snapshot(), demo_module.read_snapshot()
    advice = "fixtures/demo-snapshot.json.xz is out of date: run `make demo-snapshot` and commit it"
    assert {key: built[key] for key in ("format", "clock", "migrations", "sources")} == {
        key: shipped[key] for key in ("format", "clock", "migrations", "sources")
    }, advice
    assert sorted(built["tables"]) == sorted(shipped["tables"]), advice
    for label, table in built["tables"].items():
        assert table["columns"] == shipped["tables"][label]["columns"], f"{label}: {advice}"
        rows, shipped_rows = table["rows"], shipped["tables"][label]["rows"]
        if "m2m_history_id" in table["columns"]:
            # django-simple-history copies a version's links in the order the database lists them,
            # unordered, which differs between SQLite and PostgreSQL: their own ids are not compared.
            key = table["columns"].index("m2m_history_id")
            rows = sorted(row[:key] + row[key + 1 :] for row in rows)
            shipped_rows = sorted(row[:key] + row[key + 1 :] for row in shipped_rows)
        for number, (row, shipped_row) in enumerate(zip(rows, shipped_rows, strict=False)):
            assert row == shipped_row, f"{label}, row {number}: {advice}"
        assert len(table["rows"]) == len(shipped["tables"][label]["rows"]), f"{label}: {advice}"


def test_load_demo_data_loads_the_snapshot_into_an_empty_directory_only(capsys):
    # Rows of its own would clash with the snapshot's: a directory holding anything (here one
    # sector, no entry) is built from the sources, by the importers, which match what is there.
    sector = make_sector("sante", "Santé")
    assert demo_module.stale_because(demo_module.read_snapshot()).startswith("the directory is not empty")
    sector.delete()
    Sector.history.all().delete()

    call_command("load_demo_data")
    assert "Demo data loaded from demo-snapshot.json.xz" in capsys.readouterr().out
    # About 100 hosted services of the SILL are uses of their commons, not commons (catalogues/deployments.py).
    assert Initiative.objects.published().count() >= 300
    assert Territory.objects.get(code="com-29019").parent.code == "dep-29"
    # Found by search at once: the search documents were rebuilt from the loaded rows.
    assert search(Initiative.objects.published(), "géocommuns").exists()


@pytest.fixture
def demo(db, _demo):
    return _demo.get()


def test_load_demo_data_imports_every_official_territory_once(client, demo):
    # data/geo-fr: France, 18 regions, 101 départements, 1,255 EPCI, 2,272 communes; plus the fixture's
    # "eu" and "world". The fixture's French territories are the same rows, found by code, not copies.
    assert Territory.objects.count() == 1 + 18 + 101 + 1255 + 2272 + 2
    brest = Territory.objects.get(code="com-29019")
    assert (brest.siren, brest.parent.code, brest.parent.parent.code) == ("212900195", "dep-29", "reg-53")
    assert Actor.objects.get(slug="ville-de-brest").territory == brest

    page = client.get("/territoires/dep-35/")  # no demo entry there: only the official import has it
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ille-et-Vilaine" in html
    assert 'href="/territoires/reg-53/">Bretagne</a>' in html  # "Fait partie de : Bretagne"


def test_the_demo_holds_hundreds_of_real_commons_each_citing_its_sources_without_duplicates(client, demo):
    """What `make run` gives a newcomer: the seeds' entries and the real catalogues shipped in data/."""

    published = Initiative.objects.published()
    assert published.count() >= 300  # and 120 published uses of them (initiatives.Deployment)
    software = published.filter(kind="software")
    described = software.exclude(licence="").exclude(website="", repository_url="")
    assert described.count() / software.count() >= 0.9
    for model in (Initiative, Actor):
        assert not model.objects.filter(sources=[]).exists(), model
    pairs = set()
    for entry in published:
        for duplicate in find_duplicates(
            Initiative,
            name=entry.name,
            acronym=entry.acronym,
            aliases=entry.aliases,
            website=entry.website,
            repository_url=entry.repository_url,
            exclude_pk=entry.pk,
        ):
            if duplicate.obj.is_published and any("identique" in reason for reason in duplicate.reasons):
                pairs.add(tuple(sorted([entry.slug, duplicate.obj.slug])))
    assert pairs == set()
    # Entries from each catalogue, each page naming its source.
    cited = {item.get("source") for entry in published for item in entry.sources}
    assert {"sill", "sill-services", "dpg", "codegouvfr-repositories", "awesome-codegouvfr"} <= cited
    decidim = Initiative.objects.get(slug="decidim")
    page = client.get("/initiatives/decidim/").content.decode()
    assert "Dans les catalogues publics" in page and decidim.licence in page


def test_every_software_entry_of_the_demo_round_trips_through_publiccode_or_says_what_it_lacks(
    demo, tmp_path, settings
):
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    curator = token_client(user_with_role("curatrice", CURATOR))  # drafts included
    software = list(Initiative.objects.filter(kind="software").order_by("slug"))
    files, refused = {}, {}
    for entry in software:
        response = curator.get(f"/api/v1/initiatives/{entry.slug}/publiccode/")
        assert response.status_code in (200, 409), entry.slug
        if response.status_code == 409:
            refused[entry.slug] = response.json()["missing"]
            assert refused[entry.slug], entry.slug
            continue
        result = parse(response.content)
        assert result.errors == [], (entry.slug, result.errors)
        files[entry.slug] = response.content
    # The entries imported from complete publiccode.yml files go out; the others wait for their fields.
    assert len(files) >= 10 and len(files) + len(refused) == len(software)
    assert "catala" in files
    # A SILL entry: the SILL gives no platforms, features or maintenance, and nothing is made up.
    sill_only = next(entry for entry in software if entry.sill_id and entry.slug not in files)
    assert {"platforms", "features", "maintenance.type"} <= set(refused[sill_only.slug])

    before = {entry.slug: snapshot(entry) for entry in software if entry.slug in files}
    for slug, content in files.items():
        (tmp_path / f"{slug}.yml").write_bytes(content)
    report = import_publiccode(tmp_path, "--source", "publiccode")
    assert (report["errors"], report["conflicts"], report["created"], report["updated"]) == ([], [], [], [])
    assert {entry.slug: snapshot(entry) for entry in software if entry.slug in files} == before


def test_panoramax_is_in_the_demo_with_its_award_from_the_fabrique_des_geocommuns(client, demo):
    # The funding file names it as a laureate; a curator's entry (fixtures/04_initiatives.json) gives it a
    # page, so the import makes the laureate an award on it rather than a name without a page.
    html = client.get("/initiatives/panoramax/").content.decode()
    received = html[html.index("Financements reçus") :]
    assert "La Fabrique des géocommuns (IGN)" in received and "1er appel à intrapreneurs" in received
    assert "https://github.com/panoramax-project" in html
    edition = FundingEdition.objects.get(
        scheme__name__startswith="La Fabrique des géocommuns", label="1er appel à intrapreneurs"
    )
    assert [award.initiative.slug for award in edition.awards.all()] == ["panoramax"]
    assert not any("Panoramax" in name for name in edition.laureate_name_list)
