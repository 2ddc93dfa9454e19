"""The funding calendar's iCal feeds, and the laureates: what a curator enters inline in the admin
shows in the feeds, on the scheme's page and on the funded commons' page."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from funding.models import Award, FundingEdition
from tests.curation.conftest import curator, form_data, roles  # noqa: F401
from tests.factories import PUBLISHED, make_initiative, make_scheme

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def schemes(db):
    call = make_scheme("appel", "Appel à communs", publication_status=PUBLISHED)
    FundingEdition.objects.create(scheme=call, label="2023", opens_on=days(-400), closes_on=days(-350))
    FundingEdition.objects.create(scheme=call, label="2024", opens_on=days(-10), closes_on=days(20))
    FundingEdition.objects.create(scheme=call, label="Sans date")
    fund = make_scheme("fonds", "Fonds des communs", publication_status=PUBLISHED)
    FundingEdition.objects.create(scheme=fund, label="Vague 1", closes_on=days(3), url="https://example.org/vague-1")
    make_scheme("sans-edition", publication_status=PUBLISHED)
    draft = make_scheme("brouillon", "Dispositif en brouillon")
    FundingEdition.objects.create(scheme=draft, label="Secret", opens_on=days(1), closes_on=days(9))
    archived = make_scheme("archive", "Dispositif archivé", publication_status="archived")
    FundingEdition.objects.create(scheme=archived, label="Ancien", closes_on=days(9))
    return {"call": call, "fund": fund}


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return calendar.walk("VEVENT")


def by_summary(events):
    return {str(event["SUMMARY"]): event for event in events}


def test_the_feed_holds_every_dated_edition_of_published_schemes(client, schemes):
    events = by_summary(parse(client.get("/financements/calendrier.ics")))
    expected = {
        ("Appel à communs", "2023"),
        ("Appel à communs", "2024"),
        ("Fonds des communs", "Vague 1"),
    }
    assert {tuple(summary.split(" : ", 1)[1].split(" — ")) for summary in events} == expected
    assert sorted(events) == [
        "Date limite : Appel à communs — 2023",
        "Date limite : Appel à communs — 2024",
        "Date limite : Fonds des communs — Vague 1",
        "Ouverture : Appel à communs — 2023",
        "Ouverture : Appel à communs — 2024",
    ]
    deadline = events["Date limite : Appel à communs — 2024"]
    assert deadline.decoded("DTSTART") == days(20)  # an all-day event on the deadline
    assert deadline.decoded("DTEND") == days(21)
    assert str(deadline["URL"]) == "http://testserver/financements/appel/"
    assert isinstance(deadline.decoded("DTSTAMP"), datetime.datetime)
    assert events["Ouverture : Appel à communs — 2024"].decoded("DTSTART") == days(-10)
    assert "https://example.org/vague-1" in str(events["Date limite : Fonds des communs — Vague 1"]["DESCRIPTION"])
    # Every event has its own identifier, and keeps it from one fetch to the next.
    uids = [str(event["UID"]) for event in events.values()]
    assert len(set(uids)) == len(uids)
    again = [str(event["UID"]) for event in parse(client.get("/financements/calendrier.ics?v=2"))]
    assert sorted(again) == sorted(uids)


def test_nothing_unpublished_is_in_the_feed(client, schemes):
    body = client.get("/financements/calendrier.ics").content.decode()
    assert "brouillon" not in body and "Secret" not in body
    assert "archivé" not in body and "Ancien" not in body


def test_one_feed_per_scheme(client, schemes):
    events = by_summary(parse(client.get("/financements/fonds/calendrier.ics")))
    assert list(events) == ["Date limite : Fonds des communs — Vague 1"]
    assert parse(client.get("/financements/sans-edition/calendrier.ics")) == []
    assert client.get("/financements/brouillon/calendrier.ics").status_code == 404
    assert client.get("/financements/inconnu/calendrier.ics").status_code == 404


def test_the_feeds_are_linked_from_the_pages(client, schemes):
    assert 'href="/financements/calendrier.ics"' in client.get("/financements/").content.decode()
    assert 'href="/financements/fonds/calendrier.ics"' in client.get("/financements/fonds/").content.decode()


def test_the_feed_runs_a_fixed_number_of_queries(client, schemes, django_assert_num_queries):
    with django_assert_num_queries(1):
        small = client.get("/financements/calendrier.ics?n=1")
    for n in range(10):
        scheme = make_scheme(publication_status=PUBLISHED)
        FundingEdition.objects.create(scheme=scheme, label="2030", opens_on=days(n), closes_on=days(n + 5))
    with django_assert_num_queries(1):
        large = client.get("/financements/calendrier.ics?n=2")
    assert len(parse(large)) == len(parse(small)) + 20


# --- Laureates, entered inline by a curator -----------------------------------------------------


def test_a_curator_enters_an_edition_and_its_laureates_inline(client, curator, schemes):  # noqa: F811
    client.force_login(curator)
    commons = make_initiative("ma-commune-libre", "Ma commune libre", publication_status=PUBLISHED)
    fund = schemes["fund"]

    url = f"/admin/funding/fundingscheme/{fund.pk}/change/"
    data = form_data(client, url)
    n = int(data["editions-TOTAL_FORMS"])
    data.update(
        {
            "editions-TOTAL_FORMS": str(n + 1),
            f"editions-{n}-label": "Vague 2",
            f"editions-{n}-opens_on": days(40).isoformat(),
            f"editions-{n}-closes_on": days(70).isoformat(),
            f"editions-{n}-sources": "[]",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    edition = fund.editions.get(label="Vague 2")

    url = f"/admin/funding/fundingedition/{edition.pk}/change/"
    data = form_data(client, url)
    data.update(
        {
            "awards-TOTAL_FORMS": "1",
            "awards-0-initiative": str(commons.pk),
            "awards-0-amount": "25000",
            "awards-0-sources": "[]",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Award.objects.filter(edition=edition, initiative=commons, amount=25000).exists()

    client.logout()
    events = by_summary(parse(client.get("/financements/fonds/calendrier.ics")))
    assert events["Date limite : Fonds des communs — Vague 2"].decoded("DTSTART") == days(70)
    assert events["Ouverture : Fonds des communs — Vague 2"].decoded("DTSTART") == days(40)

    # The scheme's page lists the laureate under its edition …
    html = client.get("/financements/fonds/").content.decode()
    section = html[html.index("Vague 2") :]
    assert '<a class="fr-link" href="/initiatives/ma-commune-libre/">Ma commune libre</a>' in section
    assert "25\u202f000\u00a0€" in section
    # … and the commons' page the funding it received.
    html = client.get("/initiatives/ma-commune-libre/").content.decode()
    received = html[html.index("Financements reçus") :]
    assert 'href="/financements/fonds/">Fonds des communs</a>' in received
    assert "Vague 2" in received and "25\u202f000\u00a0€" in received


def test_a_laureate_in_draft_is_not_shown(client, schemes):
    draft = make_initiative("brouillon-laureat", "Lauréat en brouillon")
    Award.objects.create(edition=schemes["fund"].editions.get(), initiative=draft)
    assert "Lauréat en brouillon" not in client.get("/financements/fonds/").content.decode()
