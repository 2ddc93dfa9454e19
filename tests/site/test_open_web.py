"""The open web: feeds of any list, sitemap.xml, robots.txt, canonical addresses and sharing cards."""

import datetime
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone

from communs.sitemaps import EntrySitemap
from initiatives.models import Initiative
from tests.factories import make_actor, make_initiative, make_scheme, make_sector

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def dated(entry, days_ago):
    """Set an entry's last change (auto_now would overwrite it through save())."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    Initiative.objects.filter(pk=entry.pk).update(updated_at=when)


@pytest.fixture
def mobility_and_health():
    mobility, health = make_sector("mobilite", "Mobilité"), make_sector("sante", "Santé")
    for days in (5, 1, 3, 2, 4):
        dated(make_initiative(f"mobilite-{days}", publication_status="published", sectors=[mobility]), days)
    dated(make_initiative("mobilite-brouillon", publication_status="draft", sectors=[mobility]), 0)
    dated(make_initiative("sante-1", publication_status="published", sectors=[health]), 0)
    return mobility, health


def slugs_of_list_page(html):
    return re.findall(r'class="fr-card__title"[^>]*>\s*<a[^>]*href="/initiatives/([^/]+)/"', html)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_a_filtered_feed_holds_exactly_the_filtered_lists_newest_entries(
    client, mobility_and_health, extension, django_assert_num_queries
):
    page = client.get("/initiatives/", {"sector": "mobilite", "ordering": "-updated_at"}).content.decode()
    newest_first = slugs_of_list_page(page)
    assert newest_first == ["mobilite-1", "mobilite-2", "mobilite-3", "mobilite-4", "mobilite-5"]

    # Filters, then sectors of the entries: the same count for 5 entries or 50.
    with django_assert_num_queries(3):
        response = client.get(f"/initiatives/flux.{extension}", {"sector": "mobilite"})
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [entry.link.split("/")[-2] for entry in feed.entries] == newest_first
    assert "Secteur : Mobilité" in feed.feed.title
    assert feed.feed.link.endswith("/initiatives/?sector=mobilite")
    assert feed.entries[0].tags[0].term == "Mobilité"


def test_the_whole_directorys_feed_and_its_links_from_the_pages(client, mobility_and_health):
    feed = feedparser.parse(client.get("/initiatives/flux.atom").content)
    assert not feed.bozo
    assert [entry.link.split("/")[-2] for entry in feed.entries][:2] == ["sante-1", "mobilite-1"]
    assert "mobilite-brouillon" not in str(feed.entries)

    listing = client.get("/initiatives/", {"sector": "mobilite", "page": "1", "ordering": "name"}).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Cette liste, nouveautés et mises à jour (Atom)" '
        'href="/initiatives/flux.atom?sector=mobilite">'
    ) in listing
    assert 'href="/initiatives/flux.rss?sector=mobilite" type="application/rss+xml">flux RSS</a>' in listing
    home = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in home and 'href="/initiatives/flux.atom"' in home


def test_a_feed_with_a_refused_filter_says_so(client):
    response = client.get("/initiatives/flux.atom", {"kind": "inconnu"})
    assert (response.status_code, response["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert "kind" in response.content.decode() and "inconnu" in response.content.decode()


def sitemap_urls(client):
    """{path: <lastmod> element} of every address the sitemaps list, read from the index as a crawler does."""
    index = client.get("/sitemap.xml")
    assert (index.status_code, index["Content-Type"]) == (200, "application/xml")
    urls = {}
    for section in ET.fromstring(index.content).iter(f"{SITEMAP}sitemap"):
        response = client.get(section.find(f"{SITEMAP}loc").text.removeprefix("http://testserver"))
        assert response.status_code == 200
        for url in ET.fromstring(response.content).iter(f"{SITEMAP}url"):
            urls[url.find(f"{SITEMAP}loc").text.removeprefix("http://testserver")] = url.find(f"{SITEMAP}lastmod")
    return urls


def test_the_sitemap_index_splits_a_large_section_into_pages(client, monkeypatch):
    entries = [make_initiative(f"commun-{number}", publication_status="published") for number in range(5)]
    # A sitemap holds 50,000 addresses; four here, so that five entries, each in French and in
    # English, need three pages.
    monkeypatch.setattr(EntrySitemap, "limit", 4)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = {
        section.find(f"{SITEMAP}loc").text.removeprefix("http://testserver"): section.findtext(f"{SITEMAP}lastmod")
        for section in index.iter(f"{SITEMAP}sitemap")
    }
    pages = [loc for loc in sections if loc.startswith("/sitemap-initiatives.xml")]
    assert pages == ["/sitemap-initiatives.xml", "/sitemap-initiatives.xml?p=2", "/sitemap-initiatives.xml?p=3"]
    latest = max(entry.updated_at for entry in entries)
    assert datetime.datetime.fromisoformat(sections["/sitemap-initiatives.xml"]) == latest
    assert {entry.get_absolute_url() for entry in entries} <= set(sitemap_urls(client))
    assert client.get("/sitemap-initiatives.xml?p=4").status_code == 404
    assert client.get("/sitemap-inconnue.xml").status_code == 404


def test_the_sitemap_lists_every_public_page_and_nothing_unpublished(client, time_machine):
    # 23:30 UTC on 6 December is already 7 December in Paris, the directory's time zone: the date
    # a visitor of the site would give.
    time_machine.move_to(datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC), tick=False)
    published = make_initiative("publie", publication_status="published")
    make_initiative("brouillon", publication_status="draft")
    make_initiative("archive", publication_status="archived")
    actor = make_actor("ign", publication_status="published")
    make_actor("acteur-brouillon", publication_status="draft")
    scheme = make_scheme("appel-a-communs", publication_status="published")
    sector = make_sector("sante", "Santé")

    urls = sitemap_urls(client)
    for path in (
        "/",
        "/initiatives/",
        "/territoires/",
        "/statistiques/",
        "/acteurs/",
        "/financements/",
        "/a-propos/",
        "/secteurs/sante/",
    ):
        assert path in urls
    for entry in (published, actor, scheme):
        assert urls[entry.get_absolute_url()].text == "2026-12-07"
    assert sector.get_absolute_url() in urls
    for missing in ("/initiatives/brouillon/", "/initiatives/archive/", "/acteurs/acteur-brouillon/"):
        assert missing not in urls


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_editors_space(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines and "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public pages stay open


def test_each_page_gives_its_canonical_address_and_a_sharing_card(client):
    entry = make_initiative("decidim", "Decidim", publication_status="published", summary="Participation citoyenne.")
    html = client.get("/initiatives/decidim/", {"utm_source": "courriel"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/initiatives/decidim/">' in html
    assert '<meta property="og:url" content="http://testserver/initiatives/decidim/">' in html
    assert f'<meta property="og:title" content="{entry.name}">' in html
    assert '<meta property="og:description" content="Participation citoyenne.">' in html
    listing = client.get("/initiatives/", {"page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/initiatives/">' in listing
