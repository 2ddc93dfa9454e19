"""The funding desk with the shipped schemes file imported: its sections from the editions' dates,
the proposals told apart, the iCal feed, and the facets the site and the API agree on.

The clock is held on 15 July 2025 (a day on which the file has calls closing soon, open, announced
and past), so that the suite gives the same answers at any hour and in any time zone."""

import datetime
import io
import zoneinfo

import icalendar
import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from rest_framework.test import APIClient

from funding.models import FundingEdition, FundingScheme
from territories.models import Territory
from tests.factories import PUBLISHED, make_scheme
from tests.sharing import shared_per_module

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 7, 15)
PROPOSALS = ["fondation-europeenne-communs-numeriques", "appel-a-projets-europeen-communs", "the-librery"]


NOW = datetime.datetime(2025, 7, 15, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def build_desk():
    with time_machine.travel(NOW, tick=False):
        call_command("import_funding", stdout=io.StringIO())
        # The three proposals of the demo's fixtures, one with a call a report dated: still no call.
        for slug in PROPOSALS:
            proposal = make_scheme(
                slug, slug.replace("-", " ").title(), status="proposed", publication_status=PUBLISHED
            )
            proposal.eligible_local_authority = True
            proposal.save()
        FundingEdition.objects.create(
            scheme=FundingScheme.objects.get(slug="the-librery"),
            label="Appel imaginé",
            opens_on=TODAY - datetime.timedelta(days=5),
            closes_on=TODAY + datetime.timedelta(days=10),
        )


# Imported once for the tests of this module (tests/sharing.py), each of which sees the clock at NOW.
_desk = shared_per_module(build_desk)


@pytest.fixture
def desk(time_machine, _desk):
    time_machine.move_to(NOW, tick=False)


def between(html, testid):
    """The markup of one list of the desk."""
    start = html.index(f'data-testid="{testid}"')
    tag = html.rfind("<", 0, start)
    closing = "</ol>" if html.startswith("<ol", tag) else "</ul>"
    return html[start : html.index(closing, start)]


def test_the_desk_sorts_the_calls_by_their_dates(client, desk):
    html = client.get("/financements/").content.decode()

    closing = between(html, "closing-soon")
    assert "NGI Zero Commons Fund (2025-08Z) – 8th call, deadline 1 Aug 2025" in closing
    assert "1 août 2025" in closing
    assert "NGI Zero Review Open Call (2022–2025)" in closing
    upcoming = between(html, "upcoming")
    assert "NGI Zero Commons Fund (2026-02Z) – 11th call, deadline 1 Feb 2026" in upcoming
    # A recurring scheme with no dated call ahead: "appels réguliers", with its last known deadline.
    recurring = between(html, "recurring")
    ftap = recurring[recurring.index("Fonds pour la transformation de l’action publique") :]
    assert ftap.split("</li>")[0].endswith(
        'appels réguliers, dernière date limite connue le <time datetime="2020-07-31">31 juillet 2020</time></span>'
    )
    past = between(html, "past-calls")
    assert "NGI Zero Entrust – 7th and final call (closed 1 Dec 2023)" in past
    # France Relance ended: its call that never recorded an end is not "open now".
    assert "Axe 3 – guichets territoriaux" not in between(html, "open-now")


def test_proposals_are_listed_apart_and_never_offered_as_open_or_recurring(client, desk):
    response = client.get("/financements/?territory=fr")
    html = response.content.decode()

    desk_html = html[html.index('data-testid="desk"') : html.index('id="resultats"')]
    assert "Appel imaginé" not in desk_html and "The Librery" not in desk_html
    listed = [scheme.slug for scheme in response.context["page"].object_list]
    assert not set(PROPOSALS) & set(listed)
    proposals = between(html, "proposals")
    assert all(f'href="/financements/{slug}/"' in proposals for slug in PROPOSALS)
    facets = {f["name"]: {o["value"]: o["count"] for o in f["options"] + f["more"]} for f in response.context["facets"]}
    # Counted nowhere: the availability counts are those of the file's schemes alone.
    api = APIClient()
    for state, count in facets["availability"].items():
        rows = api.get(f"/api/v1/funding-schemes/?availability={state}&page_size=100").json()["results"]
        assert count == len(rows)
        assert not set(PROPOSALS) & {row["slug"] for row in rows}
    # The API gives them on request.
    rows = api.get("/api/v1/funding-schemes/?proposed=true").json()["results"]
    assert sorted(row["slug"] for row in rows) == sorted(PROPOSALS)
    page = client.get("/financements/the-librery/").content.decode()
    assert "Proposition : pas ouverte aux candidatures" in page
    assert "Candidatures ouvertes" not in page and "calendrier.ics" not in page


def test_the_calendar_has_an_event_per_dated_opening_and_deadline_and_none_for_proposals(client, desk):
    response = client.get("/financements/calendrier.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))

    editions = FundingEdition.objects.exclude(scheme__status="proposed")
    dates = editions.filter(opens_on__isnull=False).count() + editions.filter(closes_on__isnull=False).count()
    assert len(events) == dates >= 30
    assert len({str(event["UID"]) for event in events}) == len(events)
    summaries = [str(event["SUMMARY"]) for event in events]
    assert not [summary for summary in summaries if "Appel imaginé" in summary]
    deadline = "Date limite : NGI Zero Commons Fund — NGI Zero Commons Fund (2025-08Z) – 8th call, deadline 1 Aug 2025"
    event = next(event for event in events if str(event["SUMMARY"]) == deadline)
    assert event.decoded("DTSTART") == datetime.date(2025, 8, 1)
    opening = next(e for e in events if str(e["SUMMARY"]).startswith("Ouverture : NGI Zero Commons Fund — "))
    assert opening.decoded("DTSTART") == datetime.date(2024, 6, 1)
    assert FundingEdition.objects.filter(Q(opens_on__isnull=False) | Q(closes_on__isnull=False)).count() >= 30


def test_the_facets_count_the_real_schemes_and_the_api_agrees(client, desk):
    response = client.get("/financements/")
    facets = {f["name"]: {o["value"]: o["count"] for o in f["options"] + f["more"]} for f in response.context["facets"]}
    api = APIClient()
    total = api.get("/api/v1/funding-schemes/?page_size=100").json()["count"]

    assert response.context["total"] == total >= 20
    assert facets["availability"]["closing_soon"] == 3
    assert facets["availability"]["recurring"] >= 5
    assert facets["beneficiary"]["local_authority"] >= 5
    for name in ("availability", "beneficiary", "kind"):
        for value, count in facets[name].items():
            assert api.get(f"/api/v1/funding-schemes/?{name}={value}").json()["count"] == count, (name, value)


def test_a_recurring_schemes_page_says_regular_calls_with_its_last_deadline(client, desk):
    html = client.get("/financements/ngi0-entrust/").content.decode()
    assert "Appels réguliers" in html
    assert 'Dernière date limite connue : <time datetime="2023-12-01">1 décembre 2023</time>' in html
    assert "Candidatures ouvertes" not in html
    row = APIClient().get("/api/v1/funding-schemes/ngi0-entrust/").json()
    assert (row["availability"], row["next_deadline"], row["last_deadline"]) == ("recurring", None, "2023-12-01")
    timeline = between(html, "timeline")
    assert (
        timeline.index("7th and final call")
        < timeline.index("deadline 1 Aug 2023")
        < timeline.index("deadline 1 Apr 2023")
    )


def test_the_desk_runs_a_fixed_number_of_queries(client, desk, django_assert_num_queries):
    with django_assert_num_queries(7):
        client.get("/financements/?kind=grant")
    for n in range(5):
        scheme = make_scheme(f"autre-{n}", kind="grant", status="recurring", publication_status=PUBLISHED)
        FundingEdition.objects.create(scheme=scheme, label="1", closes_on=TODAY - datetime.timedelta(days=n + 1))
    with django_assert_num_queries(7):
        client.get("/financements/?kind=grant&page=1")


def test_a_places_page_offers_the_schemes_open_to_it_but_no_proposal(client, desk):
    Territory.objects.create(code="com-63113", kind="commune", name="Clermont-Ferrand", official_code="63113")
    html = client.get("/territoires/com-63113/").content.decode()
    offered = html[html.index("Financements ouverts à ce territoire") :]
    assert 'href="/financements/ngi0-commons-fund/"' in offered
    assert not [slug for slug in PROPOSALS if f'href="/financements/{slug}/"' in offered]
