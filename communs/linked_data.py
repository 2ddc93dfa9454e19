"""Linked data: the schema.org graph of an entry (embedded in its page as JSON-LD, and the API's
answer to `Accept: application/ld+json`), and the DCAT-AP catalogue of the directory's exports.

Here the shared part: the vocabulary's addresses, the helpers every graph uses, the script that
embeds a graph in a page, and the catalogue. Each app builds the graph of its own entries next to
its models, in its linked_data.py (initiatives, actors, funding), one builder per kind of entry
used by both the page and the API, so that they give the same graph. The builders take the related
entries the caller may see (published ones on the site; the API passes what the token's user may
see) rather than querying: each view already prefetched them.
"""

import json
from functools import lru_cache

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

SCHEMA_CONTEXT = "https://schema.org"

WIKIDATA = "https://www.wikidata.org/entity/"
SPDX = "https://spdx.org/licenses/"


def absolute(request, path):
    return request.build_absolute_uri(path)


def wikidata_url(qid):
    return f"{WIKIDATA}{qid}" if qid else None


@lru_cache(maxsize=512)
def spdx_urls(expression):
    """The SPDX licence pages of an expression's licences ("MIT OR Apache-2.0": both). A licence
    outside the SPDX list (LicenseRef-…) has no page and is left out."""
    if not expression:
        return ()
    from communs.validators import spdx_licensing

    try:
        # The licensing object takes about 0.1 s to build: one per process, shared with the validator.
        keys = spdx_licensing().license_keys(expression)
    except Exception:  # a stored value is validated; an older one may not parse: say nothing
        return ()
    return tuple(f"{SPDX}{key}" for key in keys if not key.startswith("LicenseRef-"))


def plain_text(markdown, limit=5000):
    # The description is Markdown whose HTML is sanitised at display; the graph wants the text.
    return strip_tags(markdown or "").strip()[:limit]


def compact(node):
    """Leave out empty values: an absent property says "unknown", an empty one says "none"."""
    return {key: value for key, value in node.items() if value not in (None, "", [], ())}


def one_or_many(values):
    values = list(dict.fromkeys(v for v in values if v))  # in order, without duplicates
    return values[0] if len(values) == 1 else values


def json_for_script(graph):
    """The graph as the text of a <script type="application/ld+json">: `<`, `>` and `&` escaped as
    JSON escapes (still the same JSON), so that no value can close the script element."""
    text = json.dumps(graph, ensure_ascii=False, sort_keys=True)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# --- The DCAT-AP catalogue of the directory's exports -------------------------------------------

# The footer of every page: "les contenus de ce site sont disponibles sous licence ouverte", that is
# Etalab's Licence Ouverte 2.0, the French public sector's open licence (data.gouv.fr knows it by this URL).
DATA_LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
SITE_NAME = "Annuaire des communs numériques du secteur public"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE_FR = "http://publications.europa.eu/resource/authority/language/FRA"
IANA = "https://www.iana.org/assignments/media-types/"

# Written inline: a harvester (and rdflib) reads the catalogue without fetching any context.
DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# The formats of the exports: the EU Publications Office's file types (what DCAT-AP asks for
# dct:format) and the IANA media types.
FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "atom": ("ATOM", "application/atom+xml"),
    "rss": ("RSS", "application/rss+xml"),
    "ics": (None, "text/calendar"),  # no EU file type names iCalendar: the media type says it
}


def _fr(text):
    return {"@value": text, "@language": "fr"}


def _distribution(request, url_name, fmt, title):
    url = absolute(request, reverse(url_name))
    file_type, media_type = FORMATS[fmt]
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": _fr(title),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dct:format": {"@id": f"{FILE_TYPE}{file_type}" if file_type else f"{IANA}{media_type}"},
        "dcat:mediaType": {"@id": f"{IANA}{media_type}"},
        "dct:license": {"@id": DATA_LICENCE},
    }


def dcat_catalogue(request):
    """The directory as a dcat:Catalog (JSON-LD with an inline context): one dcat:Dataset per
    endpoint that declares `dcat_dataset` (its full dumps, plus the other files it names)."""
    from django.db.models import Max

    from communs.rest.router import router

    catalogue_url = absolute(request, reverse("api:dcat-jsonld"))
    publisher = {"@type": "foaf:Agent", "foaf:name": SITE_NAME, "foaf:homepage": {"@id": absolute(request, "/")}}
    datasets = []
    for _prefix, viewset, basename in router.registry:
        dataset = getattr(viewset, "dcat_dataset", None)
        if not dataset:
            continue
        model = viewset.queryset.model
        modified = model._base_manager.aggregate(last=Max("updated_at"))["last"]
        files = [
            (f"api:{basename}-export-csv", "csv", f"{dataset['title']} : export complet en CSV"),
            (f"api:{basename}-export-json", "json", f"{dataset['title']} : export complet en JSON"),
            *dataset.get("files", ()),
        ]
        node = {
            "@id": f"{catalogue_url}#{basename}",
            "@type": "dcat:Dataset",
            "dct:identifier": basename,
            "dct:title": _fr(dataset["title"]),
            "dct:description": _fr(dataset["description"]),
            "dct:publisher": publisher,
            "dct:language": {"@id": LANGUAGE_FR},
            "dct:license": {"@id": DATA_LICENCE},
            "dcat:landingPage": {"@id": absolute(request, reverse(dataset["landing_page"]))},
            "dcat:keyword": [_fr(word) for word in dataset.get("keywords", ())],
            "dcat:distribution": [_distribution(request, *file) for file in files],
        }
        if modified is not None:
            node["dct:modified"] = {"@value": modified.isoformat(), "@type": "xsd:dateTime"}
        datasets.append(node)
    return {
        "@context": DCAT_CONTEXT,
        "@id": catalogue_url,
        "@type": "dcat:Catalog",
        "dct:title": _fr(SITE_NAME),
        "dct:description": _fr(
            "Les communs numériques du secteur public, les acteurs qui les portent, les financent ou les "
            "utilisent, et les dispositifs de financement qui les soutiennent, en données ouvertes."
        ),
        "dct:publisher": publisher,
        "dct:language": {"@id": LANGUAGE_FR},
        "dct:license": {"@id": DATA_LICENCE},
        "foaf:homepage": {"@id": absolute(request, "/")},
        "dcat:dataset": datasets,
    }


def dcat_graph(request):
    """The catalogue as an rdflib graph (for Turtle): parsed from the same JSON-LD document."""
    from rdflib import Graph

    return Graph().parse(data=json.dumps(dcat_catalogue(request)), format="json-ld")
