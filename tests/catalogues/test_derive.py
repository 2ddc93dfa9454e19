"""Facts derived from the sources (catalogues/derive.py, `manage.py derive_facts`), as the API, the
pages and the curators' admin show them."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from catalogues.derive import MAPPING_FILE, MAPPING_RULES, mapping
from catalogues.models import Record
from communs.models import Source
from curation.roles import CURATOR, sync_roles
from initiatives.models import Category, Derivation, Initiative, Sector
from tests.catalogues.test_import_sill import SILL, import_sill
from tests.curation.conftest import logged_in
from tests.factories import make_actor, make_initiative, make_territory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    # The API's rate limit counts in the cache: each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def curator(db):
    sync_roles()
    return make_user("curatrice", CURATOR, password="motdepasse-long-42", is_staff=True)


@pytest.fixture
def sectors(db):
    # The sectors of the demo, with their publiccode.yml scopes: the mapping file names them.
    call_command("loaddata", settings.BASE_DIR / "fixtures" / "01_sectors.json", verbosity=0)


def derive_facts(*args):
    out = io.StringIO()
    call_command("derive_facts", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def record(initiative, source_key, **extra):
    source, _ = Source.objects.get_or_create(
        key=source_key, defaults={"title": f"Catalogue {source_key}", "url": f"https://{source_key}.example/"}
    )
    return Record.objects.create(
        source=source,
        external_id=f"{source_key}:{initiative.slug}",
        content_type=ContentType.objects.get_for_model(Initiative),
        object_id=initiative.pk,
        extra=extra,
        last_imported_at=initiative.created_at,
    )


# What each mapping rule reads in its source's record.
def extra_for(rule, value):
    if rule == "dpg-sdg":
        return {"sdgs": [{"number": int(value)}]}
    return {
        "sill-component": {"component": value},
        "sill-service-software": {"software_name": value},
        "forge-organisation": {"organization_name": value},
        "repository-topic": {"topics": [value]},
        "dpg-sector": {"sectors": [value]},
    }[rule]


def test_every_line_of_the_mapping_file_gives_its_category_or_sector(sectors):
    with open(settings.DATA_DIR / MAPPING_FILE, encoding="utf-8") as handle:
        lines = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert len(lines) > 150
    entries = {}
    for number, line in enumerate(lines, start=2):
        entry = make_initiative(f"ligne-{number}", publication_status="published")
        record(entry, MAPPING_RULES[line["rule"]][0], **extra_for(line["rule"], line["match"]))
        entries[number] = (entry, line)

    derive_facts()

    listed, page = {}, "/api/v1/initiatives/?page_size=100"
    while page:
        data = APIClient().get(page).json()
        listed.update({item["slug"]: item for item in data["results"]})
        page = data["next"]
    wrong = []
    for number, (entry, line) in entries.items():
        data = listed[entry.slug]
        facet = "categories" if line["facet"] == "category" else "sectors"
        on_entry = {item["slug"] for item in data[facet]}
        derived = {(item["fact"], item["value"], item["rule"]) for item in data["derived_from"]}
        said = (line["facet"], line["target"], f"{line['rule']} (mapping.csv, ligne {number})")
        if line["target"] not in on_entry or said not in derived:
            wrong.append((number, line, on_entry))
    assert wrong == []


def test_every_target_of_the_mapping_file_exists(sectors):
    categories = set(Category.objects.values_list("slug", flat=True))
    known = {"category": categories, "sector": set(Sector.objects.values_list("slug", flat=True))}
    unknown = [line for lines in mapping().values() for line in lines if line.target not in known[line.facet]]
    assert unknown == []


def test_the_categories_are_the_standards_list_with_french_names():
    from catalogues.publiccode.vocab import CATEGORIES, SCOPES

    assert set(Category.objects.values_list("slug", flat=True)) == set(CATEGORIES)
    assert Category.objects.get(slug="office").name == "Bureautique"
    assert set(Sector.Scope.values) == set(SCOPES)


def test_places_scales_criteria_and_ways_to_take_part_come_with_their_evidence(sectors):
    region = make_territory("reg-53", "Bretagne", kind="region")
    brest = make_territory("com-29019", "Brest", kind="commune", parent=region)
    city = make_actor(
        "ville-de-brest", "Ville de Brest", kind="local_authority", territory=brest, publication_status="published"
    )
    association = make_actor("asso", "Association des usagers", kind="association", publication_status="published")
    entry = make_initiative(
        "outil-brestois",
        publication_status="published",
        licence="AGPL-3.0-or-later",
        repository_url="https://github.com/brest/outil.git",
        documentation_url="https://doc.example.org/",
    )
    entry.involvements.create(actor=city, role="carrier")
    entry.involvements.create(actor=association, role="contributor")

    report = derive_facts()

    assert report["entries"] == 1
    data = APIClient().get("/api/v1/initiatives/outil-brestois/").json()
    assert [t["code"] for t in data["territories"]] == ["com-29019"]
    assert data["territorial_scope"] == "local"
    criteria = {c["criterion"]: (c["status"], c["evidence_url"]) for c in data["criteria"]}
    assert criteria["open_licence"] == ("met", "https://spdx.org/licenses/AGPL-3.0-or-later.html")
    assert criteria["accessible_resource"] == ("met", "https://github.com/brest/outil.git")
    assert criteria["heterogeneous_community"][0] == "met"
    assert "shared_governance" not in criteria  # no source says so: not assessed, not failed
    ways = {way["action"]: way["url"] for way in data["ways_to_take_part"]}
    assert ways["report_issue"] == "https://github.com/brest/outil/issues"
    assert ways["read_documentation"] == "https://doc.example.org/"
    assert ways["contact_maintainer"] == "/acteurs/ville-de-brest/"
    rules = {(item["fact"], item["value"]): item["rule"] for item in data["derived_from"]}
    assert rules["territory", "com-29019"] == "carrier-local-authority (territoire de l'acteur)"
    assert rules["criterion", "open_licence:met"] == "spdx-licence"

    # The page says which values were derived, and offers the actions.
    html = APIClient().get("/initiatives/outil-brestois/").content.decode()
    assert 'data-derived="carrier-local-authority (territoire de l&#x27;acteur)"' in html
    assert 'href="https://github.com/brest/outil/issues"' in html

    # A commons carried by a commune is offered in its région, not in another one.
    make_territory("reg-84", "Auvergne-Rhône-Alpes", kind="region")
    in_brittany = APIClient().get("/api/v1/initiatives/?territory=reg-53").json()["results"]
    elsewhere = APIClient().get("/api/v1/initiatives/?territory=reg-84").json()["results"]
    assert [item["slug"] for item in in_brittany] == ["outil-brestois"]
    assert elsewhere == []


def test_a_non_open_licence_fails_the_criterion_and_a_curators_value_wins(sectors):
    make_initiative(
        "ferme", publication_status="published", licence="LicenseRef-proprietaire", territorial_scope="local"
    )
    entry = make_initiative("etatique", publication_status="published", territorial_scope="regional")
    record(entry, "sill", component="Outil collaboratif")

    derive_facts()

    api = APIClient()
    closed = api.get("/api/v1/initiatives/ferme/").json()
    assert [(c["criterion"], c["status"]) for c in closed["criteria"]] == [("open_licence", "not_met")]
    # The SILL would make it national; the curator said regional, and that stays.
    assert api.get("/api/v1/initiatives/etatique/").json()["territorial_scope"] == "regional"


def test_a_curators_verdict_without_evidence_gets_the_address_of_the_rule_that_agrees(sectors):
    from initiatives.models import CriterionAssessment

    gimp = make_initiative("gimp", "GIMP", publication_status="published", licence="GPL-3.0-only")
    CriterionAssessment.objects.create(initiative=gimp, criterion="open_licence", status="met", note="Selon la source.")
    closed = make_initiative("outil", "Outil", publication_status="published", licence="LicenseRef-proprietaire")
    CriterionAssessment.objects.create(initiative=closed, criterion="open_licence", status="met", note="Selon X.")

    derive_facts()

    criteria = {c["criterion"]: c for c in APIClient().get("/api/v1/initiatives/gimp/").json()["criteria"]}
    assert criteria["open_licence"]["status"] == "met"
    assert criteria["open_licence"]["evidence_url"] == "https://spdx.org/licenses/GPL-3.0-only.html"
    assert criteria["open_licence"]["note"] == "Selon la source."  # the curator's words stay
    # A rule that disagrees with the curator adds nothing: the verdict and its (missing) evidence stay.
    other = {c["criterion"]: c for c in APIClient().get("/api/v1/initiatives/outil/").json()["criteria"]}
    assert (other["open_licence"]["status"], other["open_licence"]["evidence_url"]) == ("met", "")


def test_a_rejected_value_stays_rejected_after_every_run_and_every_import(client, curator, sectors):
    # One export of the SILL is enough, and twice faster to import twice than the whole folder.
    import_sill(SILL / "etalab-sill-data" / "sill.json")
    entry = Initiative.objects.filter(derivations__fact="category", derivations__status="derived").first()
    derivation = entry.derivations.get(fact="category")
    assert entry.categories.filter(slug=derivation.value).exists()

    # A curator rejects it from the queue: taken off the entry.
    logged_in(client, curator)
    response = client.post(
        "/admin/initiatives/derivation/",
        {"action": "reject_selected", "_selected_action": [derivation.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert not entry.categories.filter(slug=derivation.value).exists()

    # Neither a new run nor a new import puts it back.
    derive_facts()
    import_sill(SILL / "etalab-sill-data" / "sill.json")
    derive_facts(entry.slug)
    derivation.refresh_from_db()
    assert derivation.status == "rejected"
    assert not entry.categories.filter(slug=derivation.value).exists()
    data = APIClient().get(f"/api/v1/initiatives/{entry.slug}/").json()
    assert ("category", derivation.value) not in {(d["fact"], d["value"]) for d in data["derived_from"]}


def test_a_value_a_curator_removed_is_not_applied_again(sectors):
    entry = make_initiative("retiree", publication_status="published")
    record(entry, "sill", component="Outil collaboratif")
    derive_facts()
    assert list(entry.categories.values_list("slug", flat=True)) == ["collaboration"]

    entry.categories.clear()  # as the admin's form or an API write would
    report = derive_facts()

    assert report["rejected"] == [{"entry": "retiree", "fact": "category", "value": "collaboration"}]
    assert not entry.categories.exists()
    assert Derivation.objects.get(initiative=entry, fact="category").status == "rejected"


def test_confirming_fifty_values_is_one_action_and_one_history_row_per_entry(client, curator, sectors):
    entries = [make_initiative(f"commun-{n}", publication_status="published") for n in range(10)]
    for entry in entries:
        record(entry, "sill", component="Outil collaboratif")
        record(entry, "dpg", sdgs=[{"number": 3}, {"number": 4}, {"number": 13}], sectors=["Health"])
    derive_facts()
    queue = Derivation.objects.filter(status="derived", fact__in=["category", "sector", "scope"])
    assert queue.count() == 50  # per entry: a category, four sectors, a scale
    before = {entry.pk: entry.history.count() for entry in entries}

    logged_in(client, curator)
    response = client.post(
        "/admin/initiatives/derivation/",
        {"action": "confirm_selected", "_selected_action": list(queue.values_list("pk", flat=True))},
        follow=True,
    )

    assert "50 faits confirmés sur 10 fiches." in response.content.decode()
    assert not Derivation.objects.filter(status="derived", fact__in=["category", "sector", "scope"]).exists()
    for entry in entries:
        assert entry.history.count() == before[entry.pk] + 1
        assert entry.history.first().history_change_reason.startswith("Faits déduits confirmés")
        assert entry.history.first().history_user == curator
    # Confirmed values lose their "derived" mark on the page.
    html = client.get("/initiatives/commun-0/").content.decode()
    facets = html.split('data-testid="categories"')[1].split("</dl>")[0]
    assert "Travail collaboratif" in facets and "Santé" in facets
    assert "annuaire-derived" not in facets


def test_curators_see_the_coverage_of_each_field(client, curator, sectors):
    entry = make_initiative("couvert", publication_status="published", licence="MIT")
    record(entry, "sill", component="Outil collaboratif")
    make_initiative("nu", publication_status="published")
    derive_facts()

    html = logged_in(client, curator).get("/admin/initiatives/derivation/couverture/").content.decode()

    assert "2 initiatives publiées" in html
    row = html.split('<th scope="row">Catégorie</th>')[1].split("</tr>")[0]
    assert "<td>1</td><td>50 %</td><td>1</td><td>0</td><td>0</td>" in row


def test_category_filter_gives_the_same_entries_on_the_site_and_the_api(sectors):
    office = make_initiative("bureau", publication_status="published")
    record(office, "sill", component="Consultation et édition de documents")
    make_initiative("autre", publication_status="published")
    derive_facts()

    api = APIClient().get("/api/v1/initiatives/?category=office").json()
    html = APIClient().get("/initiatives/?category=office").content.decode()

    assert [item["slug"] for item in api["results"]] == ["bureau"]
    assert 'href="/initiatives/bureau/"' in html and 'href="/initiatives/autre/"' not in html
    assert APIClient().get("/api/v1/initiatives/?category=nope").status_code == 400


def test_a_dry_run_writes_nothing(sectors):
    entry = make_initiative("essai", publication_status="published")
    record(entry, "sill", component="Outil collaboratif")

    report = derive_facts("--dry-run")

    assert report["dry_run"] and report["applied"]
    assert not Derivation.objects.exists() and not entry.categories.exists()


def test_a_places_page_lists_its_commons_and_apart_the_national_ones_usable_there(client, sectors):
    region = make_territory("reg-53", "Bretagne", kind="region")
    brest = make_territory("com-29019", "Brest", kind="commune", parent=region)
    make_initiative("outil-brestois", "Outil brestois", publication_status="published", territories=[brest])
    make_initiative("outil-national", "Outil national", publication_status="published", territorial_scope="national")
    make_initiative("outil-local", "Outil d'ailleurs", publication_status="published", territorial_scope="local")

    html = client.get("/territoires/reg-53/").content.decode()

    own, usable = html.split('data-testid="usable-here"')
    assert "Outil brestois" in own and "Outil national" not in own
    assert "1 commun utilisable partout en France" in usable
    assert "Outil national" in usable and "Outil brestois" not in usable and "Outil d&#x27;ailleurs" not in usable
    assert client.get("/territoires/reg-53/?territory_level=only").content.decode().count("usable-here") == 0


def test_the_software_of_a_sill_service_is_national_as_the_catalogue_says(sectors):
    # The SILL's services are run by French public bodies: their software is used by the public sector
    # at the national scale, as code.gouv.fr's lists say of theirs; a curator's value still wins.
    entry = make_initiative("etherpad", "Etherpad", publication_status="published")
    record(entry, "sill-services", software_name="Etherpad", service_name="Pad de l'État")
    curated = make_initiative("pad-local", "Pad local", publication_status="published", territorial_scope="local")
    record(curated, "sill-services", software_name="Pad local")

    derive_facts()

    api = APIClient()
    data = api.get("/api/v1/initiatives/etherpad/").json()
    assert data["territorial_scope"] == "national"
    rules = {(item["fact"], item["value"]): (item["rule"], item["source"]) for item in data["derived_from"]}
    assert rules["scope", "national"][0] == "french-public-sector"
    assert api.get("/api/v1/initiatives/pad-local/").json()["territorial_scope"] == "local"
