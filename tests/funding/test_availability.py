"""The funding calendar's "when" and "where": availability computed from the editions' dates, and
territorial eligibility, on /financements/ and in the API alike."""

import datetime
import re

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import FundingEdition
from tests.factories import PUBLISHED, make_scheme, make_territory

pytestmark = pytest.mark.django_db


def days(n):
    """A date `n` days from today (negative: in the past), so that no test depends on the real date."""
    return timezone.localdate() + datetime.timedelta(days=n)


def scheme_with(slug, *editions, **fields):
    """A published scheme with editions given as (opens_on, closes_on) day offsets (None: no date)."""
    fields.setdefault("publication_status", PUBLISHED)
    scheme = make_scheme(slug, **fields)
    for number, (opens, closes) in enumerate(editions, start=1):
        FundingEdition.objects.create(
            scheme=scheme,
            label=f"Édition {number}",
            opens_on=None if opens is None else days(opens),
            closes_on=None if closes is None else days(closes),
        )
    return scheme


@pytest.fixture
def calendar(db):
    scheme_with("ouvert", (-10, 60))  # open, the deadline two months away
    scheme_with("bientot-clos", (-20, 5))  # open, closing in 5 days
    scheme_with("dernier-jour", (None, 0))  # the deadline is today: still open, closing soon
    scheme_with("au-fil-de-l-eau", (-5, None))  # opened, no deadline: open
    scheme_with("a-venir", (10, 40))  # announced for later: neither open nor closed
    scheme_with("passe", (-60, -10))  # its only call is over
    scheme_with("dates-passees", (-60, -10), status="open")  # the dates win over the state entered
    scheme_with("sans-dates-ouvert", (None, None), status="open")  # no date: the state entered stands
    scheme_with("recurrent", (-400, -370), status="recurring")  # over, but it comes back
    scheme_with("sans-rien")  # nothing known
    scheme_with("brouillon", (-10, 5), publication_status="draft")


def slugs(response):
    assert response.status_code == 200
    return sorted(scheme.slug for scheme in response.context["page"].object_list)


def api_slugs(query):
    response = APIClient().get(f"/api/v1/funding-schemes/?{query}&page_size=100")
    assert response.status_code == 200
    return sorted(row["slug"] for row in response.json()["results"])


EXPECTED = {
    "open": ["au-fil-de-l-eau", "bientot-clos", "dernier-jour", "ouvert", "sans-dates-ouvert"],
    "closing_soon": ["bientot-clos", "dernier-jour"],
    "recurring": ["recurrent"],
    "closed": ["dates-passees", "passe"],
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_availability_from_the_editions_dates_on_the_site_and_in_the_api(client, calendar, state):
    assert slugs(client.get(f"/financements/?availability={state}")) == EXPECTED[state]
    assert api_slugs(f"availability={state}") == EXPECTED[state]


def test_availability_facet_counts(client, calendar):
    response = client.get("/financements/?availability=open")
    facet = next(f for f in response.context["facets"] if f["name"] == "availability")
    counts = {option["value"]: option["count"] for option in facet["options"]}
    assert counts == {state: len(expected) for state, expected in EXPECTED.items()}
    labels = [option["label"] for option in facet["options"]]
    assert labels == ["Ouvert maintenant", "Clôture dans les 30 jours", "Appels réguliers", "Clos"]


def french_date(day):
    return date_filter(day, "j F Y")


def card_badges(html):
    """{scheme slug: (availability shown, next deadline shown)} read from the cards."""
    cards = {}
    for card in html.split('<div class="fr-card fr-enlarge-link')[1:]:
        slug = re.search(r'href="/financements/([^/]+)/"', card).group(1)
        state = re.search(r'data-availability="([a-z_]+)"', card)
        deadline = re.search(r"Date limite : ([^<]+)<", card)
        cards[slug] = (state and state.group(1), deadline and deadline.group(1))
    return cards


def test_cards_show_the_state_and_the_next_deadline(client, calendar):
    cards = card_badges(client.get("/financements/").content.decode())
    assert cards["bientot-clos"] == ("closing_soon", french_date(days(5)))
    assert cards["dernier-jour"] == ("closing_soon", french_date(days(0)))
    assert cards["ouvert"] == ("open", french_date(days(60)))
    assert cards["au-fil-de-l-eau"] == ("open", None)
    assert cards["recurrent"] == ("recurring", None)
    assert cards["passe"] == ("closed", None)
    assert cards["a-venir"] == (None, french_date(days(40)))
    assert cards["sans-rien"] == (None, None)
    assert "brouillon" not in cards


def test_the_detail_page_shows_the_state_and_the_next_deadline(client, calendar):
    html = client.get("/financements/bientot-clos/").content.decode()
    assert 'data-availability="closing_soon"' in html
    assert "Clôture dans les 30 jours" in html
    assert f'<dt class="fr-text--bold">Prochaine date limite</dt><dd><time datetime="{days(5).isoformat()}">' in html
    assert "Candidatures ouvertes" in html
    # Announced for later: its deadline shows, but applications are not said to be open.
    html = client.get("/financements/a-venir/").content.decode()
    assert f'Prochaine date limite</dt><dd><time datetime="{days(40).isoformat()}">' in html
    assert "Candidatures ouvertes" not in html
    html = client.get("/financements/passe/").content.decode()
    assert 'data-availability="closed"' in html and "Prochaine date limite" not in html


def test_an_unknown_state_is_refused_clearly(client, calendar):
    html = client.get("/financements/?availability=someday").content.decode()
    assert "Disponibilité" in html and "someday" in html
    response = APIClient().get("/api/v1/funding-schemes/?availability=someday")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "availability" in response.json()["errors"]


# --- Where ----------------------------------------------------------------------------------------


@pytest.fixture
def places(db):
    france = make_territory("fr", "France", kind="country")
    europe = make_territory("eu", "Union européenne", kind="europe")
    bretagne = make_territory("reg-53", "Bretagne", kind="region", parent=france)
    finistere = make_territory("dep-29", "Finistère", kind="departement", official_code="29", parent=bretagne)
    brest = make_territory("com-29019", "Brest", kind="commune", official_code="29019", parent=finistere)
    grenoble = make_territory("com-38185", "Grenoble", kind="commune", official_code="38185")
    scheme_with("national")
    scheme_with("europeen", territory=europe)
    scheme_with("francais", territory=france)
    scheme_with("breton", territory=bretagne)
    scheme_with("brestois", territory=brest)
    scheme_with("grenoblois", territory=grenoble)
    scheme_with("breton-brouillon", territory=bretagne, publication_status="draft")
    return {"brest": brest, "bretagne": bretagne}


@pytest.mark.parametrize(
    "query, expected",
    [
        # A commune is eligible to its région's schemes (through its département), and to national ones.
        ("territory=com-29019", ["brestois", "breton", "europeen", "francais", "national"]),
        # A commune's scheme is not open to the whole région.
        ("territory=reg-53", ["breton", "europeen", "francais", "national"]),
        ("territory=com-38185", ["europeen", "grenoblois", "national"]),
        (
            "territory=com-38185&territory=com-29019",
            ["brestois", "breton", "europeen", "francais", "grenoblois", "national"],
        ),
    ],
)
def test_a_scheme_is_open_to_the_places_inside_its_territory(client, places, query, expected):
    assert slugs(client.get(f"/financements/?{query}")) == expected
    assert api_slugs(query) == expected


def test_territory_facet_counts_the_schemes_open_to_each_place(client, places):
    response = client.get("/financements/?territory=com-29019")
    facet = next(f for f in response.context["facets"] if f["name"] == "territory")
    counts = {option["value"]: option["count"] for option in facet["options"] + facet["more"]}
    # national + European everywhere (2); France adds 1, Bretagne 1 more, Brest 1 more.
    assert counts == {"eu": 2, "fr": 3, "reg-53": 4, "com-29019": 5, "com-38185": 3}
    checked = [option["value"] for option in facet["options"] if option["checked"]]
    assert checked == ["com-29019"]


def test_an_unknown_territory_is_refused_clearly(places):
    response = APIClient().get("/api/v1/funding-schemes/?territory=com-00000")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "territory" in response.json()["errors"]


def test_the_list_runs_a_fixed_number_of_queries(client, places, calendar, django_assert_num_queries):
    url = "/financements/?territory=com-29019&availability=open&availability=closed&ordering=deadline"
    # The desk's sections: the dated editions, and the recurring schemes with the proposals.
    with django_assert_num_queries(8):
        first = client.get(url)
    for n in range(20):
        scheme_with(f"autre-{n}", (-n, n), territory=places["bretagne"] if n % 2 else places["brest"])
    with django_assert_num_queries(8):
        second = client.get(url + "&page=1")
    assert len(second.context["page"].object_list) > len(first.context["page"].object_list)


def test_a_territory_page_leads_to_the_schemes_open_to_it(client, places):
    html = client.get("/territoires/com-29019/").content.decode()
    assert 'href="/financements/?territory=com-29019">Financements ouverts à ce territoire</a>' in html


def test_the_api_gives_each_schemes_availability_and_next_deadline(calendar):
    response = APIClient().get("/api/v1/funding-schemes/?page_size=100")
    rows = {row["slug"]: (row["availability"], row["next_deadline"]) for row in response.json()["results"]}
    assert rows == {
        "ouvert": ("open", days(60).isoformat()),
        "bientot-clos": ("closing_soon", days(5).isoformat()),
        "dernier-jour": ("closing_soon", days(0).isoformat()),
        "au-fil-de-l-eau": ("open", None),
        "a-venir": (None, days(40).isoformat()),
        "passe": ("closed", None),
        "dates-passees": ("closed", None),
        "sans-dates-ouvert": ("open", None),
        "recurrent": ("recurring", None),
        "sans-rien": (None, None),
    }
    # The same on one scheme's page, and in the CSV export's columns.
    assert APIClient().get("/api/v1/funding-schemes/bientot-clos/").json()["availability"] == "closing_soon"
    csv = APIClient().get("/api/v1/funding-schemes/?q=bientot", HTTP_ACCEPT="text/csv").content.decode("utf-8-sig")
    header, row = csv.splitlines()
    assert header.startswith("slug,name,kind,status,availability,next_deadline,")
    assert row.startswith(f"bientot-clos,Bientot Clos,fund,,closing_soon,{days(5).isoformat()},")
