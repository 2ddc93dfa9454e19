"""The interface in English: /en/ pages, the language switch, the first visit's Accept-Language, the
sitemap and the page cache per language, the API's Accept-Language, and catalogues that translate
every interface string."""

import gettext
import json
import os
import re
import shutil
import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from actors.models import Actor
from communs.translations import SOURCES, catalogue_path, missing_translations, read_catalogue
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector
from territories.models import Territory

READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
READ_META = {"description", "og:title", "og:description", "og:site_name"}
VOID = {"meta", "link", "input", "img", "br", "hr", "source", "area", "wbr", "path", "rect"}


class InterfaceText(HTMLParser):
    """The texts a visitor reads or hears, outside the parts marked as French (lang="fr"): what
    was entered stays as entered, and says so."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, language) of the open elements
        self.texts = []
        self.french = []  # the content marked as French, which <title> and <meta> repeat unmarked

    def _language(self):
        return next((language for _tag, language in reversed(self.stack) if language), None)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.stack.append((tag, attrs.get("lang")))
        if (attrs.get("lang") or self._language()) == "fr":
            return
        for name in READ_ATTRIBUTES & attrs.keys():
            self.texts.append((f"{tag}[{name}]", attrs[name] or ""))
        if tag == "meta" and (attrs.get("name") or attrs.get("property")) in READ_META:
            self.texts.append((f"meta {attrs.get('name') or attrs.get('property')}", attrs.get("content", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        # Code is quoted as typed (an address, a command), not interface text.
        if any(tag in {"script", "style", "code", "pre"} for tag, _ in self.stack):
            return
        if self._language() == "fr":
            self.french.append(" ".join(data.split()))
            return
        if data.strip():
            self.texts.append((self.stack[-1][0] if self.stack else "", data))


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]*>")


@cache
def french_interface_strings():
    """The French of the interface, from the English catalogue's msgids: each literal part (between
    placeholders and markup) that English writes differently. Not a list of French words: exactly
    the strings that a template or the code would show if one were left untranslated."""
    entries = read_catalogue(catalogue_path("en"))
    english = " \n ".join(" ".join(text.split()) for entry in entries for text in entry.msgstr.values())
    parts = set()
    for entry in entries:
        for french in filter(None, (entry.msgid, entry.msgid_plural)):
            pieces = PLACEHOLDER.split(french)
            for part in pieces:
                part = " ".join(part.split()).strip(" :;,.!?()«»—–-…'’")
                # Too short to tell apart from a name ("Type", "API"); a lone word between two
                # placeholders ("%(n)s communs") is a word, not a string of the interface.
                if len(part) < 4 or not re.search(r"[^\W\d_]{3}", part):
                    continue
                if len(pieces) > 1 and " " not in part:
                    continue
                if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", english):
                    continue
                parts.add(part)
    return parts


@cache
def _french_pattern():
    # A string of several words is found within a text; a single word only as the whole text (its
    # punctuation and numbers aside: "Territoires", "Acteurs (12)"), since a name may contain it
    # ("Pays de la Loire", "Territoire de Belfort").
    parts = sorted(french_interface_strings(), key=len, reverse=True)
    edge = r"[\s\d:;,.!?()«»—–\-…'’/·]*"
    alternatives = [
        rf"(?<!\w){re.escape(part)}(?!\w)" if " " in part else rf"^{edge}{re.escape(part)}{edge}$" for part in parts
    ]
    return re.compile("|".join(alternatives))


def french_left(html):
    """The interface strings of the French catalogue found in a page, outside content marked French."""
    parser = InterfaceText()
    parser.feed(html)
    found = []
    # <title> and <meta> cannot mark a part as French: the entry's name they repeat is taken out.
    marked = sorted({text for text in parser.french if len(text) > 2}, key=len, reverse=True)
    for where, text in parser.texts:
        text = " ".join(text.split())
        if where == "title" or where.startswith("meta"):
            for content in marked:
                text = text.replace(content, " ")
        found += [f"{where}: {match!r} in {text[:120]!r}" for match in _french_in(text)]
    return found


@cache
def _french_in(text):
    # The header, the footer, the filters and the facets repeat on every page: each distinct text is
    # matched once against the catalogue's thousands of alternatives, not once per page.
    return tuple(match.group().strip(" :;,.!?()«»—–-…/·0123456789") for match in _french_pattern().finditer(text))


def public_pages(every=1):
    """Every public page of the demo data, as test_demo_pages renders them in French, plus the
    pages a sitemap leaves out: searches, an empty result, the forms, the histories, a missing page.
    With `every`, one entry page in `every` of each kind (the other pages all)."""
    urls = ["/", "/initiatives/", "/acteurs/", "/financements/", "/a-propos/", "/label/", "/statistiques/"]
    urls += ["/territoires/", "/proposer/", "/page-qui-n-existe-pas/"]
    urls += ["/initiatives/?q=IGN&kind=data", "/initiatives/?q=zzzzzz", "/initiatives/?q=geocomun"]
    urls += ["/acteurs/?q=zzzzzz", "/financements/?q=zzzzzz", "/initiatives/?kind=nonsense&page=99"]
    urls += [s.get_absolute_url() for s in Sector.objects.all()]
    fixture = json.loads((Path(settings.BASE_DIR) / "fixtures" / "02_territories.json").read_text(encoding="utf-8"))
    urls += [t.get_absolute_url() for t in Territory.objects.filter(code__in=[e["fields"]["code"] for e in fixture])]
    urls += [initiative.get_absolute_url() for initiative in Initiative.objects.published().order_by("pk")[::every]]
    first = Initiative.objects.published().order_by("pk").first()
    urls += [f"/initiatives/{first.slug}/signaler/", f"/initiatives/{first.slug}/historique/"]
    urls += [actor.get_absolute_url() for actor in Actor.objects.published().order_by("pk")[::every]]
    urls += [scheme.get_absolute_url() for scheme in FundingScheme.objects.published().order_by("pk")[::every]]
    return urls


# The English pages of the demo as this module's first test rendered them: the demo is built once
# per module (tests/sharing.py) and no test of the module changes it, so a later test that reads
# the same pages reads them here instead of rendering the 300 commons' pages again.
_english_pages = {}


def english_page(client, url):
    """(status, html) of the English page of `url`."""
    if url not in _english_pages:
        response = client.get(f"/en{url}")
        _english_pages[url] = (response.status_code, response.content.decode())
    return _english_pages[url]


# Every page is a minute on this machine: `make test` reads one commons, actor and scheme page in 20
# (and every other page), `make test-postgres` all of them.
@pytest.mark.parametrize("every", [pytest.param(20, id="a-sample"), pytest.param(1, id="all", marks=pytest.mark.long)])
def test_every_public_page_in_english_has_no_french_interface_string_left(client, demo_data, every):
    left = {}
    pages = public_pages(every)
    for url in pages:
        status, html = english_page(client, url)
        assert status in (200, 404), url
        assert '<html lang="en"' in html, url
        found = french_left(html)
        if found:
            left[url] = found
    assert len(pages) > 500 // every
    assert left == {}, f"{len(left)} English pages show French interface strings: {json.dumps(left, indent=1)[:3000]}"


def test_the_check_finds_an_interface_string_left_in_french():
    html = (
        '<html lang="en"><body><h1>Filtrer les résultats</h1><p lang="fr">Filtrer les résultats</p>'
        '<button title="Appliquer les filtres">Apply the filters</button><p>Search</p></body></html>'
    )

    assert french_left(html) == [
        "h1: 'Filtrer les résultats' in 'Filtrer les résultats'",
        "button[title]: 'Appliquer les filtres' in 'Appliquer les filtres'",
    ]


def test_a_template_string_left_unmarked_fails_the_check(client, demo_data, tmp_path):
    # The whole chain: a list page's template with one string no longer marked for translation.
    copy = tmp_path / "templates"
    shutil.copytree(settings.BASE_DIR / "templates", copy)
    base = copy / "_list_base.html"
    text = base.read_text(encoding="utf-8")
    assert '{% translate "Appliquer les filtres" %}' in text
    base.write_text(text.replace('{% translate "Appliquer les filtres" %}', "Appliquer les filtres"), encoding="utf-8")
    templates = [{**settings.TEMPLATES[0], "DIRS": [copy]}]

    assert french_left(client.get("/en/initiatives/").content.decode()) == []
    # The page cache off: the same address must be rendered again, from the changed template.
    with override_settings(TEMPLATES=templates, PAGE_CACHE_TIMEOUT=0):
        html = client.get("/en/initiatives/").content.decode()

    assert french_left(html) == ["button: 'Appliquer les filtres' in 'Appliquer les filtres'"]


def test_the_english_list_of_commons_has_an_english_interface(client, demo_data):
    html = client.get("/en/initiatives/?kind=software").content.decode()

    assert '<html lang="en"' in html
    for english in ["Commons and initiatives", "Filter results", "Apply filters", "Sort by", "Type"]:
        assert english in html, english
    # Links within the English pages stay in English.
    assert 'href="/en/acteurs/"' in html and 'href="/en/initiatives/' in html
    empty = client.get("/en/initiatives/?q=zzzzzz").content.decode()
    assert "No commons matches this search." in empty


def test_the_switch_keeps_the_page_and_its_filters_both_ways(client, demo_data):
    french = client.get("/initiatives/?kind=software&sector=sante").content.decode()
    english = client.get("/en/initiatives/?kind=software&sector=sante").content.decode()

    assert '<html lang="fr"' in french
    assert 'hreflang="en" lang="en" href="/en/initiatives/?kind=software&amp;sector=sante">EN - English</a>' in french
    assert 'hreflang="fr" lang="fr" href="/initiatives/?kind=software&amp;sector=sante">FR - Français</a>' in english
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/en/initiatives/?kind=software&amp;sector=sante">'
        in french
    )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://testserver/initiatives/?kind=software&amp;sector=sante">'
        in english
    )


def test_french_addresses_are_unchanged_and_english_ones_have_the_prefix(client, demo_data):
    initiative = Initiative.objects.published().order_by("pk").first()

    assert client.get("/initiatives/").status_code == 200
    assert client.get(f"/initiatives/{initiative.slug}/").status_code == 200
    assert client.get(f"/en/initiatives/{initiative.slug}/").status_code == 200
    assert client.get("/fr/initiatives/").status_code == 404
    assert client.get("/en/").status_code == 200


def test_a_first_visit_asking_for_english_gets_the_english_page(client, demo_data):
    response = client.get("/initiatives/?kind=data", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,fr;q=0.5")

    assert response.status_code == 302
    assert response["Location"] == "/en/initiatives/?kind=data"
    assert "Accept-Language" in response["Vary"]
    # French first, or a click from one of the site's pages (the switch's "Français"): French stays.
    assert client.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.8").status_code == 200
    clicked = client.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="en", HTTP_REFERER="http://testserver/en/initiatives/")
    assert clicked.status_code == 200 and '<html lang="fr"' in clicked.content.decode()
    # The admin, the API and the sitemap have no English address to go to.
    assert client.get("/sitemap.xml", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_the_page_cache_keeps_each_language_apart(client, demo_data, settings):
    settings.PAGE_CACHE_TIMEOUT = 600
    client.get("/initiatives/")
    english = client.get("/en/initiatives/")
    cached_french = client.get("/initiatives/")
    cached_english = client.get("/en/initiatives/")

    assert english["X-Cache"] == "miss" and cached_french["X-Cache"] == cached_english["X-Cache"] == "hit"
    assert '<html lang="fr"' in cached_french.content.decode()
    assert '<html lang="en"' in cached_english.content.decode()
    # A first visit in English is sent on, not given the French page the cache holds.
    assert client.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="en").status_code == 302


def test_the_sitemap_lists_every_page_in_both_languages(client, demo_data):
    xml = client.get("/sitemap-pages.xml").content.decode()

    assert "<loc>http://testserver/initiatives/</loc>" in xml
    assert "<loc>http://testserver/en/initiatives/</loc>" in xml
    assert '<xhtml:link rel="alternate" hreflang="en" href="http://testserver/en/initiatives/"/>' in xml
    assert '<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/initiatives/"/>' in xml


def test_the_api_answers_in_the_language_asked_with_the_same_field_names(client, demo_data):
    english = client.get("/api/v1/initiatives/?kind=nonsense", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    french = client.get("/api/v1/initiatives/?kind=nonsense", HTTP_ACCEPT_LANGUAGE="fr-FR")

    assert english.status_code == french.status_code == 400
    assert english["Content-Language"] == "en" and french["Content-Language"] == "fr"
    assert "Accept-Language" in english["Vary"]
    assert english.json() != french.json()
    listed = client.get("/api/v1/initiatives/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert listed.keys() == client.get("/api/v1/initiatives/").json().keys()


@pytest.fixture
def gettext_tools():
    """GNU gettext's xgettext and msgfmt, which makemessages and the catalogue checks run: in CI,
    where .ci/run installs Debian's gettext, their absence fails; on a machine without them these
    checks alone are skipped, saying why (the committed .mo files serve English without them)."""
    if shutil.which("xgettext") and shutil.which("msgfmt"):
        return
    message = "GNU gettext (Debian's gettext package) is needed by the translation catalogue checks"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message + ": install it to run them")


def test_every_interface_string_has_its_english_translation(gettext_tools):
    # makemessages run afresh on a copy of the code: no string without English, none fuzzy.
    missing = missing_translations()

    assert missing == [], f"{len(missing)} strings without English: run 'make messages' and translate them"


def test_a_string_added_without_translation_is_reported(tmp_path, gettext_tools):
    for name in [*SOURCES, "locale"]:
        shutil.copytree(settings.BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "templates" / "nouveau.html").write_text(
        '{% load i18n %}<p>{% translate "Une phrase que personne n’a traduite" %}</p>', encoding="utf-8"
    )

    assert missing_translations(tmp_path) == [(None, "Une phrase que personne n’a traduite")]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_committed_compiled_catalogue_is_its_po_file_compiled(language, tmp_path, gettext_tools):
    # The .mo files are committed so that a fresh clone needs no gettext to serve English; a .po
    # edited without `make messages` would leave the site on the old texts.
    po = catalogue_path(language)
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True)
    with open(po.with_suffix(".mo"), "rb") as committed, open(compiled, "rb") as fresh:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog


@pytest.mark.parametrize("every", [pytest.param(5, id="a-sample"), pytest.param(1, id="all", marks=pytest.mark.long)])
def test_english_pages_show_the_sources_english_descriptions_and_mark_french_text(client, demo_data, every):
    english, french_only = 0, 0
    # The addresses first, in French: a request to an English page leaves English active here.
    published = Initiative.objects.published().order_by("pk")[::every]
    pages = [(initiative, initiative.get_absolute_url()) for initiative in published]
    for initiative, url in pages:
        status, html = english_page(client, url)
        assert status == 200, url
        if 'data-description-language="en"' in html:
            english += 1
            assert "Description in English as given by the source" in html, initiative.slug
        elif initiative.description:
            french_only += 1
            assert (
                '<p class="fr-badge fr-badge--sm fr-badge--info" data-testid="french-text">Text in French</p>' in html
            ), initiative.slug
            assert 'data-testid="description" lang="fr">' in html, initiative.slug

    assert english >= 0.4 * len(pages)  # the SILL gives English for about half of them
    assert french_only > 0


def test_the_sills_english_text_is_the_english_pages_description(client, demo_data):
    sill = json.loads((settings.BASE_DIR / "data/sill/etalab-sill-data/sill.json").read_text(encoding="utf-8"))
    row = next(row for row in sill if row.get("en-desc") and row.get("i") == "Asqatasun")
    initiative = Initiative.objects.published().get(sill_id=row["id"])

    url = initiative.get_absolute_url()
    english = client.get(f"/en{url}").content.decode()
    french = client.get(url).content.decode()

    assert row["en-desc"].strip()[:60] in english and "Text in French" not in english
    assert row["en-desc"].strip()[:60] not in french and "data-description-language" not in french


def test_the_api_gives_a_sources_english_description_under_the_same_field(client, demo_data):
    api = "/api/v1/initiatives/asqatasun/"

    english = client.get(api, HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get(api, HTTP_ACCEPT_LANGUAGE="fr").json()

    assert english.keys() == french.keys()
    assert english["description"].startswith("Opensource web site analyser for web accessibility")
    assert french["description"] != english["description"]
