"""publiccode.yml out: /initiatives/<slug>/publiccode.yml and /api/v1/initiatives/<slug>/publiccode/.

A file goes out only when the directory holds every value the standard requires, is valid for the
standard's latest version, and imports back into the same entry; otherwise the page and the API say
which fields are missing.
"""

import io
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.forms.models import model_to_dict

from actors.models import Actor
from catalogues.publiccode import from_publiccode, parse
from initiatives.models import Initiative, Involvement
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

REAL = settings.DATA_DIR / "publiccode" / "real"
YAML = "application/yaml; charset=utf-8"
# What an export must give back as the file said it (the directory's fields).
SAME_AS_THE_FILE = [
    "name",
    "summary",
    "description",
    "language",
    "features",
    "licence",
    "development_status",
    "software_type",
    "platforms",
    "localisation",
    "depends_on",
]


@pytest.fixture(autouse=True)
def _rate_limits_out_of_the_way(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pc"}}
    cache.clear()
    rates = {"anon": "100000/minute", "user": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield
    cache.clear()


def import_publiccode(*args):
    out = io.StringIO()
    call_command("import_publiccode", *[str(a) for a in args], "--json", stdout=out)
    return json.loads(out.getvalue())


def publish_with_its_actors(entry):
    Initiative.objects.filter(pk=entry.pk).update(publication_status="published")
    Actor.objects.filter(involvements__initiative=entry).update(publication_status="published")


def snapshot(entry):
    """What a reader sees of an entry: its fields (not its citations), tags and actors with roles."""
    entry = Initiative.objects.get(pk=entry.pk)
    fields = model_to_dict(entry, exclude=["sources", "sectors", "territories", "tags"])
    roles = sorted(Involvement.objects.filter(initiative=entry).values_list("actor__name", "role"))
    return fields, sorted(entry.tags.names()), roles


def test_a_real_file_goes_out_valid_and_imports_back_into_the_same_entry(client, tmp_path):
    original = REAL / "iTowns__itowns__publiccode.yml"
    # A real file with loose parts (its contractors under a "community" maintenance…): read leniently,
    # as `make run` does, and written back strictly valid.
    assert import_publiccode(original, "--source", "publiccode", "--lenient")["errors"] == []
    itowns = Initiative.objects.get(name="itowns")
    publish_with_its_actors(itowns)

    page = client.get(f"/initiatives/{itowns.slug}/")
    assert f'href="/initiatives/{itowns.slug}/publiccode.yml"' in page.content.decode()
    response = client.get(f"/initiatives/{itowns.slug}/publiccode.yml")
    assert (response.status_code, response["Content-Type"]) == (200, YAML)
    result = parse(response.content)
    assert result.errors == [] and result.version == "0"
    exported, source = from_publiccode(result.data), from_publiccode(parse(original.read_bytes()).data)
    assert {key: exported[key] for key in SAME_AS_THE_FILE} == {key: source[key] for key in SAME_AS_THE_FILE}
    assert (exported["repository_url"], exported["website"]) == (itowns.repository_url, itowns.website)
    assert exported["maintenance"]["type"] == source["maintenance"]["type"] == "community"
    # The organisations keep their roles; the file's personal contacts never went in, so never come out.
    assert {
        ("IGN and Ciril GROUP", "carrier"),
        ("Institut national de l'information géographique et forestière (IGN)", "user"),
    } <= set(exported["actors"])
    assert "@" not in response.content.decode()
    # The API gives the same file.
    api = client.get(f"/api/v1/initiatives/{itowns.slug}/publiccode/")
    assert (api.status_code, api["Content-Type"], api.content) == (200, YAML, response.content)

    before = snapshot(itowns)
    (tmp_path / "itowns.yml").write_bytes(response.content)
    report = import_publiccode(tmp_path / "itowns.yml", "--source", "publiccode")
    assert (report["errors"], report["conflicts"], report["created"], report["updated"]) == ([], [], [], [])
    assert snapshot(itowns) == before
    assert Initiative.objects.count() == 1


def test_an_entry_without_what_the_standard_requires_names_the_missing_fields(client):
    entry = make_initiative(
        name="Outil sans fiche",
        kind="software",
        publication_status="published",
        repository_url="https://forge.example.org/outil",
        licence="MIT",
        summary="Un outil.",
        description="Trop court.",
    )

    response = client.get(f"/initiatives/{entry.slug}/publiccode.yml")
    assert (response.status_code, response["Content-Type"]) == (409, "text/plain; charset=utf-8")
    assert "il manque état, type de logiciel, plateformes, fonctionnalités, description d'au moins 150 caractères" in (
        response.content.decode()
    )
    api = client.get(f"/api/v1/initiatives/{entry.slug}/publiccode/")
    assert (api.status_code, api["Content-Type"]) == (409, "application/problem+json")
    assert api.json()["missing"] == [
        "development_status",
        "software_type",
        "platforms",
        "features",
        "description",
        "maintenance.type",
        "localisation.languages",
    ]
    page = client.get(f"/initiatives/{entry.slug}/").content.decode()
    assert (
        "Fiche publiccode.yml : l'annuaire ne peut pas encore la publier, il lui manque état, type de logiciel"
        in page.replace("&#x27;", "'")
    )


def test_only_visible_software_has_a_publiccode_file(client):
    draft = make_initiative(name="Brouillon", kind="software", publication_status="draft")
    dataset = make_initiative(name="Jeu de données", kind="data", publication_status="published")
    for entry in (draft, dataset):
        assert client.get(f"/initiatives/{entry.slug}/publiccode.yml").status_code == 404
        api = client.get(f"/api/v1/initiatives/{entry.slug}/publiccode/")
        assert (api.status_code, api["Content-Type"]) == (404, "application/problem+json")
    assert "publiccode" not in client.get(f"/initiatives/{dataset.slug}/").content.decode()
