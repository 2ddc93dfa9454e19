"""The funding finder's feeds: new and updated schemes of any filtered list, in Atom and RSS."""

import datetime

import feedparser
import pytest
from django.utils import timezone

from funding.models import FundingEdition, FundingScheme
from tests.factories import PUBLISHED, make_scheme

pytestmark = pytest.mark.django_db


def scheme(slug, days_ago, closes_in=None, **fields):
    """A published scheme last changed `days_ago` days ago, with one edition closing in `closes_in` days."""
    fields.setdefault("publication_status", PUBLISHED)
    entry = make_scheme(slug, **fields)
    if closes_in is not None:
        today = timezone.localdate()
        FundingEdition.objects.create(
            scheme=entry,
            label="2026",
            opens_on=today - datetime.timedelta(days=10),
            closes_on=today + datetime.timedelta(days=closes_in),
        )
    when = timezone.now() - datetime.timedelta(days=days_ago)
    FundingScheme.objects.filter(pk=entry.pk).update(updated_at=when)
    return entry


@pytest.fixture
def schemes():
    scheme("appel-ouvert", 3, closes_in=12, summary="Un appel à communs.", kind=FundingScheme.Kind.CALL_FOR_COMMONS)
    scheme("fonds-clos", 1, status=FundingScheme.Status.CLOSED)
    scheme("appel-recent", 0, closes_in=90, kind=FundingScheme.Kind.CALL_FOR_PROJECTS)
    scheme("brouillon", 0, closes_in=5, publication_status="draft")


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_a_filtered_funding_feed_holds_the_lists_schemes_newest_first(
    client, schemes, extension, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(f"/financements/flux.{extension}", {"availability": "open"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.link.split("/")[-2] for entry in feed.entries] == ["appel-recent", "appel-ouvert"]
    assert "Disponibilité : Ouvert maintenant" in feed.feed.title
    assert feed.feed.link.endswith("/financements/?availability=open")
    opening = feed.entries[1]
    assert opening.tags[0].term == "Appel à communs"
    deadline = timezone.localdate() + datetime.timedelta(days=12)
    assert "Un appel à communs." in opening.summary and "Clôture dans les 30 jours." in opening.summary
    assert f"Prochaine date limite : {deadline.day} " in opening.summary


def test_the_whole_funding_feed_leaves_drafts_out_and_is_linked_from_the_list(client, schemes):
    feed = feedparser.parse(client.get("/financements/flux.atom").content)
    assert [entry.link.split("/")[-2] for entry in feed.entries] == ["appel-recent", "fonds-clos", "appel-ouvert"]
    listing = client.get("/financements/", {"availability": "open", "page": "2"}).content.decode()
    assert 'href="/financements/flux.atom?availability=open"' in listing
    assert 'href="/financements/flux.rss?availability=open" type="application/rss+xml">flux RSS</a>' in listing


def test_a_funding_feed_with_a_refused_filter_says_so(client):
    response = client.get("/financements/flux.rss", {"availability": "bientot"})
    assert response.status_code == 400
    assert "availability" in response.content.decode()
