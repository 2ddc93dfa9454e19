"""The commons label: filters and facets on the criteria, the public-interest logics and the licence,
the same on the site and in the API; each entry's summary; the /label/ page; unknown API parameters."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import CriterionAssessment
from tests.factories import PUBLISHED, make_initiative

pytestmark = pytest.mark.django_db

MET, PARTIAL, NOT_MET = "met", "partial", "not_met"
EVIDENCE = "https://exemple.fr/preuve"


def assess(initiative, **statuses):
    """assess(entry, open_licence=(MET, evidence_url), …)."""
    for criterion, (status, evidence) in statuses.items():
        CriterionAssessment.objects.create(
            initiative=initiative, criterion=criterion, status=status, evidence_url=evidence
        )


@pytest.fixture
def label_directory(db):
    """Four published entries and a draft, each with a different standing on the grid."""
    alpha = make_initiative(
        "alpha",
        "Alpha",
        publication_status=PUBLISHED,
        licence="MIT",
        logic_free_software=True,
        development_status="stable",
    )
    assess(
        alpha,
        open_licence=(MET, EVIDENCE),
        accessible_resource=(MET, EVIDENCE),
        heterogeneous_community=(PARTIAL, ""),
        shared_governance=(MET, ""),
        contribution_rules=(MET, EVIDENCE),
    )
    bravo = make_initiative(
        "bravo",
        "Bravo",
        kind="data",
        publication_status=PUBLISHED,
        licence="CC-BY-NC-4.0",  # non-commercial: not an open licence
        logic_sovereignty=True,
        logic_public_action=True,
        development_status="beta",
    )
    assess(bravo, open_licence=(NOT_MET, EVIDENCE), accessible_resource=(MET, EVIDENCE))
    charlie = make_initiative(
        "charlie",
        "Charlie",
        publication_status=PUBLISHED,
        licence="Apache-2.0 OR MIT",
        logic_resilience=True,
        logic_free_software=True,
        development_status="beta",
    )
    assess(charlie, open_licence=(MET, ""))
    make_initiative("delta", "Delta", publication_status=PUBLISHED)  # nothing assessed, no licence
    draft = make_initiative("brouillon", "Brouillon", licence="MIT", logic_free_software=True)
    assess(draft, open_licence=(MET, EVIDENCE))


def api_slugs(api, query):
    response = api.get(f"/api/v1/initiatives/?{query}&page_size=100")
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def site_page(client, query):
    response = client.get(f"/initiatives/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def site_slugs(client, query):
    html = site_page(client, query)
    if "annuaire-results" not in html:
        return []
    results = html[html.index("annuaire-results") :].split('class="fr-pagination"')[0]
    return re.findall(r'class="fr-card__title"><a href="/initiatives/([-\w]+)/"', results)


def facet_counts(html, name):
    """{option: count} of the facet `name` as the sidebar shows it."""
    match = re.search(rf'<fieldset[^>]*data-facet="{name}">(.*?)</fieldset>', html, re.S)
    if match is None:
        return {}
    return {value: int(count) for value, count in re.findall(r'data-option="([^"]+)" data-count="(\d+)"', match[1])}


PARITY = {
    "criterion=open_licence": ["alpha", "charlie"],
    "criterion=accessible_resource": ["alpha", "bravo"],
    # Repeated, every criterion must be met.
    "criterion=open_licence&criterion=accessible_resource": ["alpha"],
    "criterion=shared_governance&criterion=contribution_rules&criterion=heterogeneous_community": [],
    "logic=sovereignty": ["bravo"],
    # Repeated, any of the logics.
    "logic=sovereignty&logic=resilience": ["bravo", "charlie"],
    "logic=free_software": ["alpha", "charlie"],
    "licence=MIT": ["alpha"],
    "licence=mit": ["alpha"],  # normalised as the entries are stored
    "licence=Apache-2.0+OR+MIT": ["charlie"],
    "licence=open": ["alpha", "charlie"],
    "licence=CC-BY-NC-4.0": ["bravo"],
    "licence=open&licence=CC-BY-NC-4.0": ["alpha", "bravo", "charlie"],
    "development_status=beta": ["bravo", "charlie"],
    "development_status=beta&licence=open": ["charlie"],
    "criterion=open_licence&logic=resilience&licence=open&development_status=beta": ["charlie"],
    "kind=data&criterion=accessible_resource": ["bravo"],
}


@pytest.mark.parametrize("query", list(PARITY))
def test_the_site_and_the_api_give_the_same_entries(api, client, label_directory, query):
    assert api_slugs(api, query) == PARITY[query]
    assert site_slugs(client, query) == PARITY[query]


def test_without_a_filter_every_published_entry_is_listed(api, client, label_directory):
    # So that each case above really narrows the list.
    everything = ["alpha", "bravo", "charlie", "delta"]
    assert api_slugs(api, "") == everything
    assert site_slugs(client, "") == everything


@pytest.mark.parametrize(
    "query, parameter, label",
    [
        ("criterion=bogus", "criterion", "Critère du commun rempli"),
        ("criterion=met", "criterion", "Critère du commun rempli"),
        ("logic=bogus", "logic", "Logique d'intérêt général"),
        ("licence=pas+une+licence+!", "licence", "Licence"),
        ("licence=MIT+AND", "licence", "Licence"),
        ("licence=" + "MIT+OR+" * 40 + "MIT", "licence", "Licence"),  # longer than any stored licence
    ],
)
def test_a_bad_value_is_a_400_in_the_api_and_an_error_on_the_site(
    api, client, label_directory, query, parameter, label
):
    response = api.get(f"/api/v1/initiatives/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert parameter in body["errors"] and parameter in body["detail"]

    html = site_page(client, query)
    errors = html[html.index('class="fr-alert') :].split("</div>")[0]
    assert label.replace("'", "&#x27;") in errors
    # The refused filter is left out: every entry is listed.
    assert site_slugs(client, query) == ["alpha", "bravo", "charlie", "delta"]


@pytest.mark.parametrize(
    "url, unknown",
    [
        ("/api/v1/initiatives/?secteur=geodonnees", ["secteur"]),
        ("/api/v1/initiatives/?kind=software&criteria=open_licence&license=MIT", ["criteria", "license"]),
        ("/api/v1/initiatives/export.csv/?critere=open_licence", ["critere"]),
        ("/api/v1/initiatives/export.json/?page=2", ["page"]),  # a dump has no pages
        ("/api/v1/sectors/?q=geo", ["q"]),
        ("/api/v1/actors/?logic=sovereignty", ["logic"]),
        ("/api/v1/initiatives/archived/?kind=software", ["kind"]),
    ],
)
def test_an_unknown_api_parameter_is_a_400_naming_it(api, label_directory, url, unknown):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert sorted(body["errors"]) == sorted(unknown)
    assert body["code"] == "unknown_parameter"
    for name in unknown:
        assert name in body["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/initiatives/?format=csv&criterion=open_licence&page=1&page_size=5&ordering=-name&q=alpha",
        "/api/v1/initiatives/export.csv/?licence=open&logic=free_software",
        "/api/v1/initiatives/export.json/?criterion=open_licence&format=json",
        "/api/v1/sectors/?page=1&page_size=10&format=json",
        "/api/v1/initiatives/archived/?updated_since=2024-01-01T00:00:00Z&page=1",
        "/api/v1/initiatives/alpha/?format=json",
    ],
)
def test_the_parameters_an_endpoint_reads_are_accepted(api, label_directory, url):
    assert api.get(url).status_code == 200


FACET_QUERIES = ["", "kind=software", "criterion=open_licence", "logic=free_software&development_status=beta"]


@pytest.mark.parametrize("query", FACET_QUERIES)
def test_each_facet_count_is_the_count_of_the_list_it_leads_to(client, label_directory, query):
    html = site_page(client, query)
    params = [pair for pair in query.split("&") if pair]
    checked = 0
    for name in ("criterion", "logic", "licence"):
        counts = facet_counts(html, name)
        assert counts, name
        for value, count in counts.items():
            # Logics and licences add up (any of them): an option replaces the facet's own filter.
            # Criteria must all be met: an option adds to the ones ticked.
            kept = params if name == "criterion" else [p for p in params if not p.startswith(f"{name}=")]
            target = "&".join([*kept, f"{name}={value}"])
            assert count == len(site_slugs(client, target)), (name, value)
            checked += 1
    assert checked >= 6


def test_the_facets_label_their_options(client, label_directory):
    html = site_page(client, "")
    assert facet_counts(html, "licence") == {"open": 2, "MIT": 1, "Apache-2.0 OR MIT": 1, "CC-BY-NC-4.0": 1}
    assert facet_counts(html, "criterion") == {
        "open_licence": 2,
        "accessible_resource": 2,
        "shared_governance": 1,
        "contribution_rules": 1,
    }
    assert facet_counts(html, "logic") == {"free_software": 2, "sovereignty": 1, "public_action": 1, "resilience": 1}
    assert 'id="facette-licence-legende">Licence</legend>' in html
    assert "Toute licence ouverte <span" in html
    assert "Critère du commun rempli</legend>" in html
    # A ticked option shows as a removable chip with its label.
    html = site_page(client, "licence=open&criterion=open_licence")
    assert "Licence : Toute licence ouverte" in html
    assert "Critère du commun rempli : Licence ouverte" in html


def card_summary(html, slug):
    card = html[html.index(f'href="/initiatives/{slug}/"') :]
    return re.search(r"data-criteria-summary>([^<]*)<", card)[1]


def test_each_card_and_page_sums_up_the_criteria(client, label_directory):
    html = site_page(client, "")
    assert card_summary(html, "alpha") == "Critères du commun : 4 critères sur 5 remplis, 3 avec preuve"
    assert card_summary(html, "bravo") == "Critères du commun : 1 critère sur 5 rempli, 1 avec preuve"
    assert card_summary(html, "charlie") == "Critères du commun : 1 critère sur 5 rempli, 0 avec preuve"
    assert card_summary(html, "delta") == "Critères du commun : non évalués"

    page = client.get("/initiatives/alpha/").content.decode()
    assert "data-criteria-summary>4 critères sur 5 remplis, 3 avec preuve.<" in page
    assert 'href="/label/"' in page
    page = client.get("/initiatives/delta/").content.decode()
    assert "data-criteria-summary>Aucun critère n'est encore évalué.<" in page


def test_the_api_gives_each_entry_its_summary(api, label_directory):
    rows = {row["slug"]: row["criteria_summary"] for row in api.get("/api/v1/initiatives/").json()["results"]}
    assert rows["alpha"] == {"met": 4, "total": 5, "with_evidence": 3, "assessed": 5}
    assert rows["bravo"] == {"met": 1, "total": 5, "with_evidence": 1, "assessed": 2}
    assert rows["delta"] == {"met": 0, "total": 5, "with_evidence": 0, "assessed": 0}
    assert api.get("/api/v1/initiatives/alpha/").json()["criteria_summary"]["met"] == 4


def test_the_schema_documents_the_summary_and_the_filters(api, db):
    schema = api.get("/api/v1/schema/?format=json").json()
    initiative = schema["components"]["schemas"]["Initiative"]["properties"]
    assert "criteria_summary" in initiative
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/initiatives/"]["get"]["parameters"]}
    assert {"criterion", "logic", "licence", "development_status"} <= set(parameters)
    assert "all of them must match" in parameters["criterion"]["description"]
    assert "any of them matches" in parameters["logic"]["description"]
    # Any SPDX expression, not only `open`: no enum.
    assert "enum" not in parameters["licence"]["schema"]["items"]


def test_the_label_page_explains_the_grid_and_links_to_the_lists(client, label_directory):
    response = client.get("/label/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Le label des communs</h1>" in html
    for label in ("Licence ouverte", "Ressource accessible", "Gouvernance partagée et documentée"):
        assert label in html
    assert "Preuve attendue" in html
    assert "La Fabrique des Mobilités (2024)" in html
    # The counts of published entries, each a link to the list it counts.
    links = dict(re.findall(r'<a class="fr-link" href="(/initiatives/\?[^"]+)">([^<]+)', html))
    assert links["/initiatives/?criterion=open_licence"] == "2 communs remplissent ce critère"
    assert links["/initiatives/?criterion=shared_governance"] == "1 commun remplit ce critère"
    assert "/initiatives/?logic=sovereignty" in links
    assert "/initiatives/?licence=open" in links
    for url in links:
        assert client.get(url).status_code == 200
    assert site_slugs(client, "criterion=open_licence") == ["alpha", "charlie"]
    all_five = re.search(r'href="(/initiatives/\?criterion=[^"]+)">Les communs qui remplissent les cinq critères', html)
    assert all_five[1].replace("&amp;", "&").count("criterion=") == 5


def test_the_label_page_is_linked_and_in_the_sitemap(client, label_directory):
    assert 'href="/label/"' in client.get("/").content.decode()
    assert 'href="/label/"' in client.get("/a-propos/").content.decode()
    assert "/label/</loc>" in client.get("/sitemap-pages.xml").content.decode()


# Pinned like the other list pages (tests/site/test_query_budget.py): the facets of the label are
# counted with the others in one statement, and `licence=open` adds one read of the stored licences.
# The uses of the commons add their prefetch to the API.
LABEL_PAGES = {
    "/initiatives/?criterion=open_licence&criterion=accessible_resource&logic=free_software&licence=open": 6,
    "/api/v1/initiatives/?criterion=open_licence&logic=free_software&licence=open": 13,
    "/label/": 2,
}


@pytest.mark.parametrize("url", list(LABEL_PAGES))
def test_the_label_pages_run_a_fixed_number_of_queries(client, api, label_directory, url, django_assert_num_queries):
    get = api.get if url.startswith("/api/") else client.get
    get(url)
    with django_assert_num_queries(LABEL_PAGES[url]):
        small = get(url)
    for i in range(30):
        entry = make_initiative(
            f"autre-{i}",
            publication_status=PUBLISHED,
            licence="MIT",
            logic_free_software=True,
            development_status="beta",
        )
        assess(entry, open_licence=(MET, EVIDENCE), accessible_resource=(MET, ""), shared_governance=(PARTIAL, ""))
    with CaptureQueriesContext(connection):
        get(url)  # content version moved on: warm again
    with django_assert_num_queries(LABEL_PAGES[url]):
        large = get(url)
    assert small.status_code == large.status_code == 200
    assert len(large.content) > len(small.content)
