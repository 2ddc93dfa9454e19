"""Linked data: each detail page's schema.org graph (JSON-LD), the same graph from the API, and the
DCAT-AP catalogue of the directory's exports."""

import json
import re

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rest_framework.test import APIClient

from funding.models import Award, FundingEdition
from initiatives.models import Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_sector, make_territory
from tests.hostile_corpus import CORPUS

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph: not this project's warning.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated"),
]

SCHEMA = Namespace("http://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
ETALAB = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)

# The schema.org vocabulary the graphs use: each type's parent, and the types each property is
# defined on (schema.org's "domainIncludes"; a property of a type applies to its subtypes).
PARENT = {
    "CreativeWork": "Thing",
    "SoftwareSourceCode": "CreativeWork",
    "Dataset": "CreativeWork",
    "Intangible": "Thing",
    "Service": "Intangible",
    "Grant": "Intangible",
    "MonetaryGrant": "Grant",
    "StructuredValue": "Intangible",
    "MonetaryAmount": "StructuredValue",
    "PropertyValue": "StructuredValue",
    "Organization": "Thing",
    "GovernmentOrganization": "Organization",
    "Place": "Thing",
    "AdministrativeArea": "Place",
    "Country": "AdministrativeArea",
}
DOMAINS = {
    "name": {"Thing"},
    "alternateName": {"Thing"},
    "description": {"Thing"},
    "url": {"Thing"},
    "sameAs": {"Thing"},
    "identifier": {"Thing"},
    "license": {"CreativeWork"},
    "keywords": {"CreativeWork", "Organization", "Place"},
    "spatialCoverage": {"CreativeWork"},
    "dateModified": {"CreativeWork"},
    "author": {"CreativeWork"},
    "maintainer": {"CreativeWork"},
    "contributor": {"CreativeWork"},
    "funder": {"CreativeWork", "Organization", "Grant"},
    "funding": {"CreativeWork", "Organization"},
    "codeRepository": {"SoftwareSourceCode"},
    "category": {"Service"},
    "areaServed": {"Service", "Organization"},
    "provider": {"Service", "CreativeWork"},
    "parentOrganization": {"Organization"},
    "fundedItem": {"Grant"},
    "amount": {"MonetaryGrant"},
    "currency": {"MonetaryAmount"},
    "minValue": {"MonetaryAmount", "PropertyValue"},
    "maxValue": {"MonetaryAmount", "PropertyValue"},
    "propertyID": {"PropertyValue"},
    "value": {"PropertyValue", "MonetaryAmount"},
}
# The type each Initiative.Kind is described as (every kind: a new one must be given a type).
INITIATIVE_TYPES = {
    "software": "SoftwareSourceCode",
    "data": "Dataset",
    "platform": "Service",
    "infrastructure": "Service",
    "programme": "Service",
    "network": "Service",
    "content": "CreativeWork",
    "standard": "CreativeWork",
    "ai_model": "CreativeWork",
}


def ancestors(kind):
    while kind:
        yield kind
        kind = PARENT.get(kind)


def vocabulary_errors(node, path="$"):
    """Every property used on a type schema.org does not define it for, and every unknown type."""
    errors = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            errors += vocabulary_errors(item, f"{path}[{index}]")
        return errors
    if not isinstance(node, dict):
        return errors
    kind = node.get("@type")
    if kind not in PARENT:
        return [f"{path}: unknown type {kind!r}"]
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if not DOMAINS.get(key, set()) & set(ancestors(kind)):
            errors.append(f"{path}: {kind} has no property {key!r}")
        errors += vocabulary_errors(value, f"{path}.{key}")
    return errors


def page_graph(client, url):
    """The JSON-LD embedded in a page (exactly one script), as parsed JSON."""
    response = client.get(url)
    assert response.status_code == 200, url
    scripts = SCRIPT.findall(response.content.decode())
    assert len(scripts) == 1, url
    return json.loads(scripts[0])


def rdf(document):
    """The document as RDF. Its context is schema.org's, which says `"@vocab": "http://schema.org/"`;
    the machine running the tests has no internet, so that context is given inline."""
    assert document["@context"] == "https://schema.org"
    return Graph().parse(data=json.dumps({**document, "@context": {"@vocab": str(SCHEMA)}}), format="json-ld")


def assert_valid(document, expected_type, url):
    graph = rdf(document)
    subject = URIRef(url)
    assert (subject, RDF.type, SCHEMA[expected_type]) in graph, url
    assert graph.value(subject, SCHEMA.name) is not None, url
    assert graph.value(subject, SCHEMA.url) == Literal(url), url
    assert vocabulary_errors(document) == [], url
    return graph


@pytest.fixture
def directory():
    mobility = make_sector("mobilite", "Mobilité")
    brittany = make_territory("reg-53", "Bretagne", kind="region", official_code="53")
    dinum = make_actor(
        "dinum", "Direction interministérielle du numérique", acronym="DINUM", publication_status="published"
    )
    etalab = make_actor(
        "etalab",
        "Etalab",
        parent=dinum,
        siren="130025265",
        wikidata_qid="Q3586365",
        website="https://www.etalab.gouv.fr/",
        territory=brittany,
        publication_status="published",
    )
    association = make_actor("osm-france", "OpenStreetMap France", kind="association", publication_status="published")
    hidden = make_actor("brouillon", "Acteur en brouillon")
    software = make_initiative(
        "decidim",
        "Decidim",
        acronym="DCD",
        summary="Plateforme de participation citoyenne.",
        licence="AGPL-3.0-or-later OR MIT",
        repository_url="https://github.com/decidim/decidim",
        website="https://decidim.org/",
        wikidata_qid="Q61069386",
        sectors=[mobility],
        territories=[brittany],
        tags=["participation"],
        publication_status="published",
    )
    Involvement.objects.create(initiative=software, actor=etalab, role="carrier")
    Involvement.objects.create(initiative=software, actor=association, role="funder")
    Involvement.objects.create(initiative=software, actor=hidden, role="maintainer")
    platform = make_initiative("transport", "transport.data.gouv.fr", kind="platform", publication_status="published")
    Involvement.objects.create(initiative=platform, actor=etalab, role="carrier")
    Involvement.objects.create(initiative=platform, actor=association, role="funder")
    data = make_initiative(
        "ban", "Base adresse nationale", kind="data", licence="etalab-2.0", publication_status="published"
    )
    scheme = make_scheme(
        "appel-a-communs",
        "Appel à communs",
        summary="Des communs pour la transition.",
        amount_min=10000,
        amount_max=50000,
        url="https://agir.ademe.fr/",
        publication_status="published",
    )
    scheme.operators.add(dinum)
    scheme.funders.add(etalab, hidden)
    edition = FundingEdition.objects.create(scheme=scheme, label="2024", year=2024)
    Award.objects.create(edition=edition, initiative=software)
    return {"software": software, "platform": platform, "data": data, "scheme": scheme, "etalab": etalab}


def test_a_software_commons_page_describes_it_as_source_code_with_its_actors_licence_and_funding(client, directory):
    url = "http://testserver/initiatives/decidim/"
    document = page_graph(client, "/initiatives/decidim/")
    graph = assert_valid(document, "SoftwareSourceCode", url)
    subject = URIRef(url)
    assert graph.value(subject, SCHEMA.codeRepository) == Literal("https://github.com/decidim/decidim")
    assert document["alternateName"] == "DCD"
    assert document["description"] == "Plateforme de participation citoyenne."
    # An SPDX expression gives each of its licences' pages.
    assert set(document["license"]) == {
        "https://spdx.org/licenses/AGPL-3.0-or-later",
        "https://spdx.org/licenses/MIT",
    }
    assert set(document["sameAs"]) == {"https://www.wikidata.org/entity/Q61069386", "https://decidim.org/"}
    assert document["keywords"] == ["Mobilité", "participation"]
    assert document["spatialCoverage"][0]["@type"] == "AdministrativeArea"
    assert document["spatialCoverage"][0]["name"] == "Bretagne"
    assert document["dateModified"].startswith(str(directory["software"].updated_at.date()))
    # Carrier → author, funder → funder; an actor in draft is not named (its page is a 404).
    assert document["author"] == [
        {
            "@type": "GovernmentOrganization",
            "@id": "http://testserver/acteurs/etalab/",
            "name": "Etalab",
            "url": "http://testserver/acteurs/etalab/",
        }
    ]
    assert [funder["@type"] for funder in document["funder"]] == ["Organization"]
    assert "maintainer" not in document
    assert "brouillon" not in json.dumps(document)
    assert document["funding"] == [
        {"@type": "MonetaryGrant", "@id": "http://testserver/financements/appel-a-communs/", "name": "Appel à communs"}
    ]


def test_a_platform_is_a_service_provided_by_its_carrier_and_a_data_commons_a_dataset(client, directory):
    platform = page_graph(client, "/initiatives/transport/")
    assert_valid(platform, "Service", "http://testserver/initiatives/transport/")
    assert [actor["name"] for actor in platform["provider"]] == ["Etalab"]
    # A Service has no funder nor licence in schema.org: the graph does not claim them.
    assert "funder" not in platform and "license" not in platform

    data = page_graph(client, "/initiatives/ban/")
    assert_valid(data, "Dataset", "http://testserver/initiatives/ban/")
    assert data["license"] == "https://spdx.org/licenses/etalab-2.0"
    assert "codeRepository" not in data


def test_an_actor_page_describes_a_public_body_with_its_parent_and_identifiers(client, directory):
    url = "http://testserver/acteurs/etalab/"
    document = page_graph(client, "/acteurs/etalab/")
    graph = assert_valid(document, "GovernmentOrganization", url)
    parent = graph.value(URIRef(url), SCHEMA.parentOrganization)
    assert parent == URIRef("http://testserver/acteurs/dinum/")
    assert (parent, SCHEMA.name, Literal("Direction interministérielle du numérique")) in graph
    assert document["identifier"] == {"@type": "PropertyValue", "propertyID": "SIREN", "value": "130025265"}
    assert set(document["sameAs"]) == {
        "https://www.wikidata.org/entity/Q3586365",
        "https://www.etalab.gouv.fr/",
        "https://annuaire-entreprises.data.gouv.fr/entreprise/130025265",
    }
    assert document["areaServed"]["name"] == "Bretagne"

    association = page_graph(client, "/acteurs/osm-france/")
    assert_valid(association, "Organization", "http://testserver/acteurs/osm-france/")
    assert "parentOrganization" not in association


def test_a_scheme_page_describes_a_monetary_grant_with_its_funders_amount_and_laureates(client, directory):
    url = "http://testserver/financements/appel-a-communs/"
    document = page_graph(client, "/financements/appel-a-communs/")
    graph = assert_valid(document, "MonetaryGrant", url)
    funders = set(graph.objects(URIRef(url), SCHEMA.funder))
    # The operator and the published funder; the funder in draft is left out.
    assert funders == {URIRef("http://testserver/acteurs/dinum/"), URIRef("http://testserver/acteurs/etalab/")}
    assert document["amount"] == {
        "@type": "MonetaryAmount",
        "currency": "EUR",
        "minValue": 10000.0,
        "maxValue": 50000.0,
    }
    assert document["fundedItem"] == [
        {"@type": "SoftwareSourceCode", "@id": "http://testserver/initiatives/decidim/", "name": "Decidim"}
    ]
    assert document["sameAs"] == "https://agir.ademe.fr/"


@pytest.mark.parametrize(
    "path, api_path",
    [
        ("/initiatives/decidim/", "/api/v1/initiatives/decidim/"),
        ("/initiatives/transport/", "/api/v1/initiatives/transport/"),
        ("/acteurs/etalab/", "/api/v1/actors/etalab/"),
        ("/financements/appel-a-communs/", "/api/v1/funding-schemes/appel-a-communs/"),
    ],
)
def test_the_api_answers_json_ld_with_the_pages_graph(client, directory, path, api_path):
    api = APIClient()
    response = api.get(api_path, HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["ETag"]
    assert json.loads(response.content) == page_graph(client, path)
    assert isomorphic(rdf(json.loads(response.content)), rdf(page_graph(client, path)))
    # The format parameter says the same; plain JSON is still the default.
    assert json.loads(api.get(api_path, {"format": "jsonld"}).content) == json.loads(response.content)
    assert api.get(api_path)["Content-Type"] == "application/json"


def test_json_ld_is_for_entries_lists_and_unknown_formats_still_get_406(directory):
    api = APIClient()
    response = api.get("/api/v1/initiatives/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert api.get("/api/v1/initiatives/decidim/", HTTP_ACCEPT="application/xml").status_code == 406
    missing = api.get("/api/v1/initiatives/absent/", HTTP_ACCEPT="application/ld+json")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_the_openapi_document_names_json_ld_on_the_detail_endpoints(directory):
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/initiatives/{slug}/", "/api/v1/actors/{slug}/", "/api/v1/funding-schemes/{slug}/"):
        assert "application/ld+json" in schema["paths"][path]["get"]["responses"]["200"]["content"], path
    assert "application/ld+json" not in schema["paths"]["/api/v1/initiatives/"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize("label, payload", [item for item in CORPUS if "script" in item[1].lower()])
def test_a_hostile_name_stays_inside_the_json_ld(client, label, payload):
    make_initiative("hostile", payload.replace("\x00", ""), summary=payload[:200], publication_status="published")
    html = client.get("/initiatives/hostile/").content.decode()
    document = page_graph(client, "/initiatives/hostile/")
    # The script holds the whole graph (json.loads would fail on a cut one), with the name as written.
    assert document["name"] == payload.replace("\x00", "")
    script = SCRIPT.search(html).group(1)
    assert "<" not in script and ">" not in script


# --- DCAT-AP ---

EXPORTS = {
    # address: (EU file type or media type, media type)
    "/api/v1/initiatives/export.csv/": ("file-type/CSV", "text/csv"),
    "/api/v1/initiatives/export.json/": ("file-type/JSON", "application/json"),
    "/initiatives/flux.atom": ("file-type/ATOM", "application/atom+xml"),
    "/initiatives/flux.rss": ("file-type/RSS", "application/rss+xml"),
    "/api/v1/actors/export.csv/": ("file-type/CSV", "text/csv"),
    "/api/v1/actors/export.json/": ("file-type/JSON", "application/json"),
    "/api/v1/funding-schemes/export.csv/": ("file-type/CSV", "text/csv"),
    "/api/v1/funding-schemes/export.json/": ("file-type/JSON", "application/json"),
    "/financements/calendrier.ics": ("media-types/text/calendar", "text/calendar"),
}


def test_the_dcat_catalogue_lists_every_export_with_its_format_and_licence(
    client, directory, django_assert_num_queries
):
    # The latest change of each dataset (one query each).
    with django_assert_num_queries(3):
        response = client.get("/api/v1/dcat.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    graph = Graph().parse(data=response.content, format="json-ld")
    turtle = client.get("/api/v1/dcat.ttl")
    assert turtle["Content-Type"] == "text/turtle; charset=utf-8"
    assert isomorphic(graph, Graph().parse(data=turtle.content, format="turtle"))

    catalogue = URIRef("http://testserver/api/v1/dcat.jsonld")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert graph.value(catalogue, DCT.title) == Literal("Annuaire des communs numériques du secteur public", lang="fr")
    assert graph.value(catalogue, DCT.publisher) is not None
    datasets = set(graph.objects(catalogue, DCAT.dataset))
    assert {graph.value(dataset, DCT.title).toPython() for dataset in datasets} == {
        "Communs numériques et initiatives",
        "Acteurs des communs numériques",
        "Financements des communs numériques",
    }
    distributions = {}
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        assert graph.value(dataset, DCT.description).language == "fr"
        assert graph.value(dataset, DCT.license) == ETALAB
        assert graph.value(dataset, DCT.modified) is not None
        for distribution in graph.objects(dataset, DCAT.distribution):
            distributions[str(graph.value(distribution, DCAT.downloadURL))] = distribution
    assert set(distributions) == {f"http://testserver{path}" for path in EXPORTS}
    for path, (file_type, media_type) in EXPORTS.items():
        distribution = distributions[f"http://testserver{path}"]
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert str(graph.value(distribution, DCT["format"])).endswith(file_type), path
        assert (
            str(graph.value(distribution, DCAT.mediaType))
            == f"https://www.iana.org/assignments/media-types/{media_type}"
        )
        assert graph.value(distribution, DCT.license) == ETALAB
        assert graph.value(distribution, DCAT.accessURL) == graph.value(distribution, DCAT.downloadURL)
        # Each address answers, in the format the catalogue says.
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer["Content-Type"].split(";")[0] == media_type, path


def test_the_dcat_catalogue_is_read_only(client, db):
    assert client.post("/api/v1/dcat.jsonld").status_code == 405
    assert client.head("/api/v1/dcat.ttl").status_code == 200
