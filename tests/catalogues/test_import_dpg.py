"""manage.py import_dpg on the Digital Public Goods registry the project ships (data/dpg)."""

import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from actors.models import Actor
from catalogues.models import Record
from initiatives.models import CriterionAssessment, Initiative, Involvement
from tests.catalogues.helpers import serve_folder

pytestmark = pytest.mark.django_db(transaction=False)

DPG = settings.DATA_DIR / "dpg"


def import_dpg(*locations, **options):
    out = io.StringIO()
    call_command("import_dpg", *[str(p) for p in locations], "--json", stdout=out, **options)
    return json.loads(out.getvalue())


def nominee(stem):
    return json.loads((DPG / "nominees" / f"{stem}.json").read_text(encoding="utf-8"))


def write(path, document):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_the_registry_becomes_published_entries_citing_the_alliance(client):
    report = import_dpg()

    assert report["errors"] == [] and len(report["created"]) >= 30
    # The two schemas sit in the folder: they are read as schemas, not as entries.
    assert {item["id"] for item in report["skipped"]} == {"nominee-schema.json", "screening-schema.json"}
    dhis2 = Record.objects.get(source__key="dpg", external_id="dhis2").entry
    assert (dhis2.name, dhis2.kind, dhis2.licence) == ("DHIS2", "software", "BSD-3-Clause")
    assert (dhis2.website, dhis2.repository_url) == ("https://www.dhis2.org/", "https://github.com/dhis2/dhis2-core")
    assert dhis2.aliases == "District Health Information System 2"
    assert dhis2.description == nominee("dhis2")["description"]
    # The 268-character description is cut after a word for the summary.
    assert len(dhis2.summary) <= 200 and dhis2.summary.endswith(", regional, and international…")
    assert dhis2.is_published
    assert dhis2.sources == [{"source": "dpg", "note": "Fiche « dhis2 » : reconnu bien public numérique"}]
    assert sorted(dhis2.involvements.values_list("actor__name", "actor__kind", "role")) == [
        ("Health Information Systems Programme (HISP), University of Oslo", "research", "carrier"),
        ("Norad", "other", "funder"),
    ]
    record = Record.objects.get(source__key="dpg", external_id="dhis2")
    assert (record.extra["stage"], record.extra["sectors"]) == ("DPG", ["Health"])
    assert [sdg["number"] for sdg in record.extra["sdgs"]] == [3, 4, 17]
    assert record.extra["sdgs"][0]["evidence"].startswith("DHIS2 is the world's largest")
    first = dhis2.history.earliest()
    assert first.history_user.username == "importateur"
    assert (
        first.history_change_reason == "Import : Registre des biens publics numériques (Digital Public Goods Alliance)"
    )

    by_id = {r.external_id: r.entry for r in Record.objects.filter(source__key="dpg", content_type__model="initiative")}
    assert (by_id["x-road"].name, by_id["x-road"].licence) == ("X-Road", "MIT")
    # The registry's GNU ids are SPDX's deprecated ones, which SPDX defines as the "-only" licences.
    assert (by_id["decidim"].kind, by_id["decidim"].licence) == ("software", "AGPL-3.0-only")
    assert by_id["standard-for-public-code"].kind == "standard"
    assert by_id["mozilla-common-voice-dataset"].kind == "data"
    assert by_id["mozilla-common-voice-dataset"].aliases.splitlines() == ["MCV", "Common Voice"]
    # One licence per part (GBIF's data and software): each applies to its part.
    gbif = by_id["global-biodiversity-information-facility"]
    assert (gbif.kind, gbif.licence) == ("software", "CC0-1.0 AND CC-BY-4.0 AND Apache-2.0")
    gbif_record = Record.objects.get(source__key="dpg", external_id="global-biodiversity-information-facility")
    assert gbif_record.extra["types"] == ["software", "data"]
    # OpenStreetMap's data and the software of its website share a website: two entries, not one.
    assert by_id["openstreetmap"] != by_id["open-street-map-website"]
    assert (by_id["openstreetmap"].kind, by_id["open-street-map-website"].kind) == ("data", "software")

    # What a reader sees: the page and the API cite the registry by title, with its link.
    html = client.get(f"/initiatives/{dhis2.slug}/").content.decode()
    assert 'href="https://www.digitalpublicgoods.net/registry"' in html and "Registre des biens publics" in html
    cited = client.get(f"/api/v1/initiatives/{dhis2.slug}/").json()["sources"][0]
    assert (cited["source_url"], cited["licence"]) == ("https://www.digitalpublicgoods.net/registry", "Unlicense")


def test_screening_answers_and_licences_become_criteria_shown_on_the_page_and_in_the_api(client):
    import_dpg()
    dhis2 = Record.objects.get(source__key="dpg", external_id="dhis2").entry
    odk = Record.objects.get(source__key="dpg", external_id="odk").entry
    decidim = Record.objects.get(source__key="dpg", external_id="decidim").entry

    html = client.get(f"/initiatives/{dhis2.slug}/").content.decode()
    row = html.split('data-criterion="accessible_resource"')[1].split("</tr>")[0]
    assert "Rempli" in row and 'href="https://docs.dhis2.org/2.35/en/index.html"' in row
    assert "examen du standard DPG (indicateur 5)" in row
    licence_row = html.split('data-criterion="open_licence"')[1].split("</tr>")[0]
    assert "Rempli" in licence_row and 'href="https://github.com/dhis2/dhis2-core/blob/master/LICENSE"' in licence_row
    # Ownership and documentation answer other questions than governance and contribution rules.
    for criterion in ("shared_governance", "contribution_rules", "heterogeneous_community"):
        assert "Non évalué" in html.split(f'data-criterion="{criterion}"')[1].split("</tr>")[0]

    criteria = {c["criterion"]: c for c in client.get(f"/api/v1/initiatives/{dhis2.slug}/").json()["criteria"]}
    assert set(criteria) == {"accessible_resource", "open_licence"}
    assert (criteria["accessible_resource"]["status"], criteria["accessible_resource"]["evidence_url"]) == (
        "met",
        "https://docs.dhis2.org/2.35/en/index.html",
    )
    # ODK's answer lists its code first, then its documentation: the documentation is the evidence.
    assert odk.criteria.get(criterion="accessible_resource").evidence_url == "https://docs.getodk.org"
    # A nominee the Alliance has not recognised keeps its licence; its screening answers are not read,
    # but the licence says it is open: derived from it, and marked as such until a curator confirms.
    assert decidim.licence == "AGPL-3.0-only"
    assert ("open_licence", "met") in set(decidim.criteria.values_list("criterion", "status"))
    derived = decidim.derivations.get(fact="criterion", value="open_licence:met")
    assert (derived.rule, derived.status) == ("spdx-licence", "derived")
    assessment = dhis2.criteria.get(criterion="accessible_resource")
    assert assessment.history.earliest().history_user.username == "importateur"


def test_an_invalid_file_imports_nothing_and_names_the_file_and_the_field(tmp_path):
    folder = tmp_path / "dpg"
    shutil.copytree(DPG / "nominees", folder / "nominees")
    shutil.copytree(DPG / "screening", folder / "screening")
    nameless = nominee("x-road")
    del nameless["name"]
    write(folder / "nominees" / "x-road.json", nameless)
    bad_licence = nominee("decidim")
    bad_licence["license"][0]["spdx"] = "AGPL-3"
    write(folder / "nominees" / "decidim.json", bad_licence)

    with pytest.raises(CommandError) as raised:
        import_dpg(folder)

    message = str(raised.value)
    assert "rien n'a été enregistré" in message
    assert "x-road.json : $.name : champ obligatoire absent" in message
    assert "decidim.json : $.license[0].spdx : « AGPL-3 » n'est pas une valeur permise" in message
    assert not Initiative.objects.exists() and not Actor.objects.exists()
    assert not Record.objects.exists() and not CriterionAssessment.objects.exists()


def test_an_invalid_screening_file_is_refused_too(tmp_path):
    screening = json.loads((DPG / "screening" / "odk.json").read_text(encoding="utf-8"))
    screening["documentation"]["isDocumentationAvailable"] = "Oui"
    write(tmp_path / "odk.json", screening)

    with pytest.raises(CommandError, match=r"odk\.json : \$\.documentation\.isDocumentationAvailable : « Oui »"):
        import_dpg(DPG / "nominees" / "odk.json", tmp_path / "odk.json")
    assert not Initiative.objects.exists()


def test_files_are_told_apart_by_their_content_and_others_are_skipped(tmp_path):
    # A nominee in a folder named "screening" and the reverse: the keys decide, not the folder.
    write(tmp_path / "screening" / "x-road.json", nominee("x-road"))
    shutil.copytree(DPG / "screening", tmp_path / "nominees")
    write(tmp_path / "notes.json", {"title": "Liste de lecture", "items": []})

    report = import_dpg(tmp_path)

    assert report["errors"] == []
    assert [item["id"] for item in report["created"] if not item["id"].startswith("organisation:")] == ["x-road"]
    skipped = {item["id"]: item["reason"] for item in report["skipped"]}
    assert skipped["notes.json"] == "ni une fiche du registre DPG ni un examen (screening)"
    assert "aucune fiche « altinn »" in skipped["altinn.json"]
    x_road = Record.objects.get(source__key="dpg", external_id="x-road").entry
    assert x_road.criteria.get(criterion="accessible_resource").evidence_url == "https://x-road.global/resources"


def test_importing_twice_changes_nothing_the_second_time():
    import_dpg()
    versions = dict(Initiative.objects.values_list("pk", "version"))
    counts = (Initiative.history.count(), Actor.history.count(), CriterionAssessment.history.count())
    involvements = Involvement.objects.count()

    second = import_dpg()

    assert (second["created"], second["updated"], second["conflicts"]) == ([], [], [])
    assert dict(Initiative.objects.values_list("pk", "version")) == versions
    assert (Initiative.history.count(), Actor.history.count(), CriterionAssessment.history.count()) == counts
    assert Involvement.objects.count() == involvements


def test_a_curators_edits_are_kept_and_reported_and_source_changes_still_apply(tmp_path):
    import_dpg()
    dhis2 = Record.objects.get(source__key="dpg", external_id="dhis2").entry
    dhis2.summary = "Système d'information sanitaire (résumé de l'équipe)"
    dhis2.save()
    # A curator assessed one criterion the registry fills; another was assessed before any import.
    documented = dhis2.criteria.get(criterion="accessible_resource")
    documented.status, documented.note = "partial", "Documentation en anglais seulement."
    documented.save()
    x_road = Record.objects.get(source__key="dpg", external_id="x-road").entry
    x_road.criteria.filter(criterion="accessible_resource").delete()
    CriterionAssessment.objects.create(initiative=x_road, criterion="accessible_resource", status="not_met")
    # The registry changes the description (the summary follows) and the website.
    changed = nominee("dhis2")
    changed["description"] = "DHIS2 est une plateforme libre d'information sanitaire."
    changed["website"] = "https://dhis2.org/"
    folder = tmp_path / "dpg"
    write(folder / "dhis2.json", changed)
    write(folder / "screening" / "dhis2.json", json.loads((DPG / "screening" / "dhis2.json").read_text()))
    shutil.copy(DPG / "nominees" / "x-road.json", folder / "x-road.json")
    write(folder / "screening" / "x-road.json", json.loads((DPG / "screening" / "x-road.json").read_text()))

    report = import_dpg(folder)

    dhis2.refresh_from_db()
    assert dhis2.summary == "Système d'information sanitaire (résumé de l'équipe)"
    assert (dhis2.description, dhis2.website) == (changed["description"], "https://dhis2.org/")
    conflicts = {(c["entry"], c["field"]): c for c in report["conflicts"]}
    assert conflicts[dhis2.slug, "summary"]["incoming"] == changed["description"]
    assert {"id": "dhis2", "entry": dhis2.slug, "fields": ["description", "website"]} in report["updated"]
    # The criteria the curators assessed are kept, never downgraded or upgraded by the source.
    documented.refresh_from_db()
    assert (documented.status, documented.note) == ("partial", "Documentation en anglais seulement.")
    assert conflicts[dhis2.slug, "criteria.accessible_resource.status"]["incoming"] == "met"
    # Not even its empty evidence is filled: the registry's evidence argues for another status.
    kept = x_road.criteria.get(criterion="accessible_resource")
    assert (kept.status, kept.evidence_url, kept.note) == ("not_met", "", "")
    assert conflicts[x_road.slug, "criteria.accessible_resource.status"]["current"] == "not_met"


def test_an_http_url_is_read_like_a_file():
    with serve_folder(DPG) as base_url:
        report = import_dpg(f"{base_url}/nominees/dhis2.json", f"{base_url}/screening/dhis2.json")

    assert report["errors"] == [] and [item["id"] for item in report["created"]][0] == "dhis2"
    dhis2 = Record.objects.get(source__key="dpg", external_id="dhis2").entry
    assert dhis2.website == "https://www.dhis2.org/"
    assert dhis2.criteria.get(criterion="accessible_resource").status == "met"


def test_no_contact_person_reaches_the_database_the_api_or_the_report(client, tmp_path):
    # The registry names a contact person in each organisation; a copy gives every one of them one.
    contacts = []
    for path in sorted((DPG / "nominees").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for organisation in document["organizations"]:
            name, email = f"Personne Contact{len(contacts)}", f"contact{len(contacts)}@exemple.invalid"
            organisation.update(contact_name=name, contact_email=email)
            contacts += [name, email]
        write(tmp_path / path.name, document)

    report = import_dpg(tmp_path)

    assert report["errors"] == [] and len(contacts) > 60
    dump = io.StringIO()
    call_command("dumpdata", "initiatives", "actors", "catalogues", "communs", stdout=dump)
    api = [client.get(f"/api/v1/initiatives/{entry.slug}/").content.decode() for entry in Initiative.objects.all()] + [
        client.get(f"/api/v1/actors/{actor.slug}/").content.decode() for actor in Actor.objects.all()
    ]
    published = "\n".join([dump.getvalue(), *api, json.dumps(report)])
    assert "Health Information Systems Programme" in published
    assert [contact for contact in contacts if contact.lower() in published.lower()] == []
    assert "contact_name" not in published and "contact_email" not in published
