"""manage.py import_funding on the funding schemes file the project ships (data/funding/schemes.yaml)."""

import io
import json
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Q
from rest_framework.test import APIClient

from actors.models import Actor
from catalogues.models import Record
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative
from tests.factories import PUBLISHED, make_actor, make_initiative

pytestmark = pytest.mark.django_db

SCHEMES = settings.DATA_DIR / "funding" / "schemes.yaml"
GEOCOMMUNS = "fabrique-des-geocommuns"


def import_funding(*locations, **options):
    out = io.StringIO()
    call_command("import_funding", *[str(p) for p in locations], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def document():
    return yaml.safe_load(SCHEMES.read_text(encoding="utf-8"))


def write(path, data):
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def counts():
    return {
        model.__name__: model._base_manager.count()
        for model in (FundingScheme, FundingEdition, Award, Actor, Initiative, Record)
    }


def test_the_file_gives_every_scheme_its_dated_calls_and_the_pages_they_were_read_on(client):
    report = import_funding()

    assert report["errors"] == []
    schemes = FundingScheme.objects.published()
    assert schemes.count() >= 20
    dated = FundingEdition.objects.filter(Q(opens_on__isnull=False) | Q(closes_on__isnull=False))
    assert dated.count() >= 30
    fund = FundingScheme.objects.get(slug="ngi0-commons-fund")
    assert (fund.kind, fund.status, fund.amount_min, fund.amount_max) == (
        "grant",
        "recurring",
        Decimal("5000"),
        Decimal("50000"),
    )
    assert fund.eligible_individual and fund.eligible_association
    addresses = [item["url"] for item in fund.sources if "url" in item]
    assert addresses[0] == "https://nlnet.nl/commonsfund/"
    assert "https://bruxelles.regione.campania.it/?p=21493" in addresses
    assert addresses.count("https://bruxelles.regione.campania.it/?p=21493") == 1  # the file lists it twice
    # Each page shows where its facts were read: the scheme's pages and each edition's.
    html = client.get("/financements/ngi0-commons-fund/").content.decode()
    assert 'href="https://vuink.com/post/ayarg-d-day/news/2023/20240109-CommonsFund-starts-d-dhtml"' in html
    assert 'href="https://renam.md/?p=2945"' in html  # the 11th call's page
    assert "1 février 2026" in html
    # The wording the directory has no field for stays in the Record, for a curator to check.
    record = Record.objects.get(source__key="funding", external_id="ngi0-commons-fund")
    assert record.extra["beneficiaries"] == ["individuals", "organisations of any type"]
    assert record.imported["amount_max"] == 50000


def test_operators_are_matched_to_known_actors_and_new_ones_wait_as_drafts():
    ign = make_actor(
        "ign",
        "Institut national de l'information géographique et forestière",
        acronym="IGN",
        kind="agency",
        publication_status=PUBLISHED,
    )
    make_actor("dinum", "Direction interministérielle du numérique", acronym="DINUM", publication_status=PUBLISHED)

    report = import_funding()

    geocommuns = FundingScheme.objects.get(slug=GEOCOMMUNS)
    assert list(geocommuns.operators.all()) == [ign]
    ign.refresh_from_db()
    assert ign.kind == "agency"  # the curated actor keeps its kind
    # "DINUM" alone and "Direction interministérielle du numérique (DINUM)" are one actor.
    assert Actor.objects.filter(acronym="DINUM").count() == 1
    assert not Actor.objects.filter(name__in=["DINUM", "IGN"]).exists()
    nlnet = Actor.objects.get(name="NLnet Foundation")
    assert nlnet.publication_status == "draft"
    assert {"id": "operator:nlnetfoundation", "entry": "nlnet-foundation"} in [
        {"id": item["id"], "entry": item["entry"]} for item in report["held_back"]
    ]


def test_a_known_laureate_gets_an_award_and_the_others_stay_names_without_a_page(client):
    panoramax = make_initiative("panoramax", "Panoramax", kind="platform", publication_status=PUBLISHED)
    before = Initiative.objects.count()

    import_funding()

    award = Award.objects.get(initiative=panoramax)
    assert award.edition.scheme.slug == GEOCOMMUNS
    assert award.edition.label == "1er appel à intrapreneurs"
    assert Initiative.objects.count() == before  # no laureate became a commons
    fast = FundingEdition.objects.get(scheme__slug="fast", label__startswith="FAST 7")
    assert "Histologe" in fast.laureate_name_list
    page = client.get("/financements/fast/").content.decode()
    assert "Histologe" in page and "sans fiche" in page
    editions = APIClient().get("/api/v1/funding-schemes/fast/").json()["editions"]
    seventh = next(edition for edition in editions if edition["label"].startswith("FAST 7"))
    assert seventh["awards"] == [] and "Histologe" in seventh["laureate_names"]

    # The commons' page and the API give its funding history; the "funded by" filter finds it.
    html = client.get("/initiatives/panoramax/").content.decode()
    received = html[html.index("Financements reçus") :]
    assert "La Fabrique des géocommuns (IGN)" in received and "1er appel à intrapreneurs" in received
    assert "<td>2022</td>" in received
    api = APIClient()
    awards = api.get("/api/v1/initiatives/panoramax/").json()["awards"]
    assert [(a["scheme"]["slug"], a["edition"], a["year"], a["amount"]) for a in awards] == [
        (GEOCOMMUNS, "1er appel à intrapreneurs", award.edition.year, None)
    ]
    site = client.get(f"/initiatives/?funding_scheme={GEOCOMMUNS}").context["page"].object_list
    assert [entry.slug for entry in site] == ["panoramax"]
    listed = api.get(f"/api/v1/initiatives/?funding_scheme={GEOCOMMUNS}").json()["results"]
    assert [row["slug"] for row in listed] == ["panoramax"]


def test_running_it_again_changes_nothing():
    make_initiative("panoramax", "Panoramax", publication_status=PUBLISHED)
    import_funding()
    before = counts()
    histories = [model.history.count() for model in (FundingScheme, FundingEdition, Award, Actor)]

    report = import_funding()

    assert report["created"] == report["updated"] == report["conflicts"] == []
    assert counts() == before
    assert [model.history.count() for model in (FundingScheme, FundingEdition, Award, Actor)] == histories


def test_a_dry_run_writes_nothing():
    report = import_funding(dry_run=True)
    assert report["dry_run"] and len(report["created"]) > 20
    assert FundingScheme.objects.count() == Record.objects.count() == 0


@pytest.mark.parametrize(
    "breaks, names",
    [
        (
            lambda data: data["schemes"][4]["editions"][1].update(closes_on=20230201),
            ["schemes[4] « NGI Assure »", "editions[1].closes_on", "type attendu"],
        ),
        (
            lambda data: data["schemes"][2].update(amount_max=50000),
            ["schemes[2] « NGI Zero Entrust »", "amount_max", "clé inconnue"],
        ),
        (
            lambda data: data["schemes"][0]["editions"][0].update(opens_on="2024-13-01"),
            ["schemes[0] « NGI Zero Commons Fund »", "editions[0].opens_on", "date"],
        ),
        (
            lambda data: data["schemes"][10].update(kind="loan"),
            ["schemes[10] « Prototype Fund »", "kind", "loan"],
        ),
    ],
)
def test_a_broken_copy_imports_nothing_and_names_the_record_and_the_field(tmp_path, breaks, names):
    data = document()
    breaks(data)
    broken = write(tmp_path / "schemes.yaml", data)

    with pytest.raises(CommandError) as failure:
        import_funding(broken)

    message = str(failure.value)
    assert "rien n'a été enregistré" in message
    assert all(name in message for name in names), message
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_curators_edit_wins_over_the_file_and_a_change_at_the_source_comes_in(tmp_path):
    import_funding()
    fund = FundingScheme.objects.get(slug="ngi0-commons-fund")
    fund.amount_max = Decimal("60000")
    fund.save()
    call = FundingEdition.objects.get(scheme=fund, closes_on="2024-10-01")
    call.note = "Précisé par une curatrice."
    call.save()
    data = document()
    data["schemes"][0]["amount_max_eur"] = 55000
    data["schemes"][0]["amount_min_eur"] = 1000
    data["schemes"][0]["editions"][0]["note"] = "Date relevée à nouveau."
    data["schemes"][0]["editions"][0]["budget_eur"] = 100000

    report = import_funding(write(tmp_path / "schemes.yaml", data))

    fund.refresh_from_db()
    call.refresh_from_db()
    assert (fund.amount_max, fund.amount_min) == (Decimal("60000"), Decimal("1000"))
    assert (call.note, call.budget) == ("Précisé par une curatrice.", Decimal("100000"))
    conflicts = {(item["id"], item["field"]) for item in report["conflicts"]}
    assert ("ngi0-commons-fund", "amount_max") in conflicts
    assert any(field == "note" for _, field in conflicts)


def test_a_scheme_of_the_curated_demo_gains_the_files_calls_instead_of_a_twin():
    curated = FundingScheme.objects.create(
        name="NGI Commons Fund",
        slug="ngi-commons-fund",
        kind="fund",
        url="https://nlnet.nl/commonsfund/",
        publication_status=PUBLISHED,
    )

    report = import_funding()

    assert not FundingScheme.objects.filter(slug="ngi0-commons-fund").exists()
    curated.refresh_from_db()
    assert (curated.name, curated.kind) == ("NGI Commons Fund", "fund")  # the curator's words stay
    assert curated.editions.filter(closes_on__isnull=False).count() == 4
    assert {item["field"] for item in report["conflicts"] if item["entry"] == "ngi-commons-fund"} >= {"name", "kind"}
