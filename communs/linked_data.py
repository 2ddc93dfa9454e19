"""Linked data: the schema.org graph of an entry (embedded in its page as JSON-LD, and the API's
answer to `Accept: application/ld+json`), and the DCAT-AP catalogue of the directory's exports.

One builder per kind of entry, used by both the page and the API, so that they give the same
graph. The builders take the related entries the caller may see (published ones on the site; the
API passes what the token's user may see) rather than querying: each view already prefetched them.

The ground floor imports no feature app: the builders read the entries' fields, and name the
pages by their URL names.
"""

import json
from functools import lru_cache

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

SCHEMA_CONTEXT = "https://schema.org"

# schema.org types by Initiative.Kind: code is SoftwareSourceCode, data a Dataset, what is run for
# its users a Service, the rest (texts, standards, models) a CreativeWork.
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

# Actor.Kind values that are public bodies (schema.org's GovernmentOrganization); the others are
# plain Organizations (associations, companies, foundations, research bodies, communities …).
GOVERNMENT_KINDS = {"state", "agency", "local_authority", "eu_institution"}

# Involvement.Role values as the CreativeWork properties that say the same thing. A Service has
# only a `provider`: the actors that run it.
CREATIVE_WORK_ROLES = {
    "carrier": "author",
    "maintainer": "maintainer",
    "funder": "funder",
    "contributor": "contributor",
}
SERVICE_ROLES = {"carrier": "provider", "maintainer": "provider"}

WIKIDATA = "https://www.wikidata.org/entity/"
SPDX = "https://spdx.org/licenses/"
# The legal-entity register of data.gouv.fr (INSEE's Sirene), one public page per SIREN.
SIREN_PAGE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"


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
    from license_expression import get_spdx_licensing

    try:
        keys = get_spdx_licensing().license_keys(expression)
    except Exception:  # a stored value is validated; an older one may not parse: say nothing
        return ()
    return tuple(f"{SPDX}{key}" for key in keys if not key.startswith("LicenseRef-"))


def plain_text(markdown, limit=5000):
    # The description is Markdown whose HTML is sanitised at display; the graph wants the text.
    return strip_tags(markdown or "").strip()[:limit]


def _compact(node):
    """Leave out empty values: an absent property says "unknown", an empty one says "none"."""
    return {key: value for key, value in node.items() if value not in (None, "", [], ())}


def _one_or_many(values):
    values = list(dict.fromkeys(v for v in values if v))  # in order, without duplicates
    return values[0] if len(values) == 1 else values


def actor_ref(actor, request):
    """An actor named from another entry's graph: its node, with its page as identifier."""
    url = absolute(request, reverse("actors:detail", args=[actor.slug]))
    return {"@type": actor_type(actor), "@id": url, "name": actor.name, "url": url}


def actor_type(actor):
    return "GovernmentOrganization" if actor.kind in GOVERNMENT_KINDS else "Organization"


def territory_node(territory, request):
    url = absolute(request, reverse("territories:detail", args=[territory.code]))
    node = {
        "@type": "Country" if territory.kind == "country" else "AdministrativeArea",
        "@id": url,
        "name": territory.name,
        "url": url,
    }
    if territory.official_code:
        node["identifier"] = territory.official_code
    return node


def initiative_jsonld(initiative, request, *, involvements, awards):
    """The schema.org graph of an initiative; `involvements` and `awards` are the visible ones."""
    kind = INITIATIVE_TYPES.get(initiative.kind, "CreativeWork")
    url = absolute(request, reverse("initiatives:detail", args=[initiative.slug]))
    aliases = [line.strip() for line in (initiative.aliases or "").splitlines() if line.strip()]
    node = {
        "@context": SCHEMA_CONTEXT,
        "@type": kind,
        "@id": url,
        "url": url,
        "name": initiative.name,
        "alternateName": _one_or_many([initiative.acronym, *aliases]),
        "description": initiative.summary or plain_text(initiative.description),
        # sameAs names the same thing elsewhere: its Wikidata item and its own website.
        "sameAs": _one_or_many(
            [wikidata_url(initiative.wikidata_qid), initiative.website, initiative.software_heritage_url]
        ),
    }
    territories = [territory_node(territory, request) for territory in initiative.territories.all()]
    sectors = [sector.name for sector in initiative.sectors.all()]
    roles = SERVICE_ROLES if kind == "Service" else CREATIVE_WORK_ROLES
    by_property = {}
    for involvement in sorted(involvements, key=lambda i: (i.role, i.actor.name, i.actor.slug)):
        prop = roles.get(involvement.role)
        if prop:
            refs = by_property.setdefault(prop, [])
            ref = actor_ref(involvement.actor, request)
            if ref not in refs:
                refs.append(ref)
    if kind == "Service":
        node.update({"category": _one_or_many(sectors), "areaServed": territories})
    else:
        tags = sorted(tag.name for tag in initiative.tags.all())
        schemes = {}
        for award in awards:
            scheme = award.edition.scheme
            schemes[scheme.slug] = {
                "@type": "MonetaryGrant",
                "@id": absolute(request, reverse("funding:detail", args=[scheme.slug])),
                "name": scheme.name,
            }
        node.update(
            {
                "license": _one_or_many(spdx_urls(initiative.licence)),
                "keywords": sorted(set(sectors)) + [tag for tag in tags if tag not in sectors],
                "spatialCoverage": territories,
                "dateModified": initiative.updated_at.isoformat() if initiative.updated_at else None,
                "funding": [schemes[slug] for slug in sorted(schemes)],
            }
        )
        if kind == "SoftwareSourceCode":
            node["codeRepository"] = initiative.repository_url
    node.update(by_property)
    return _compact(node)


def actor_jsonld(actor, request):
    """The schema.org graph of an actor; its parent only when published (the page shows no other)."""
    url = absolute(request, reverse("actors:detail", args=[actor.slug]))
    parent = actor.parent if actor.parent_id and actor.parent.is_published else None
    node = {
        "@context": SCHEMA_CONTEXT,
        "@type": actor_type(actor),
        "@id": url,
        "url": url,
        "name": actor.name,
        "alternateName": actor.acronym,
        "description": plain_text(actor.description),
        "sameAs": _one_or_many(
            [wikidata_url(actor.wikidata_qid), actor.website, f"{SIREN_PAGE}{actor.siren}" if actor.siren else None]
        ),
        "identifier": (
            {"@type": "PropertyValue", "propertyID": "SIREN", "value": actor.siren} if actor.siren else None
        ),
        "parentOrganization": actor_ref(parent, request) if parent else None,
        "areaServed": territory_node(actor.territory, request) if actor.territory_id else None,
    }
    return _compact(node)


def scheme_jsonld(scheme, request, *, operators, funders, awards):
    """The schema.org graph of a funding scheme: a MonetaryGrant given by its operators and funders
    (an operator awards the grant: it is a funder for schema.org), the initiatives it funded."""
    url = absolute(request, reverse("funding:detail", args=[scheme.slug]))
    payers = {actor.slug: actor for actor in [*operators, *funders]}
    amount = None
    if scheme.amount_min is not None or scheme.amount_max is not None:
        amount = _compact(
            {
                "@type": "MonetaryAmount",
                "currency": "EUR",
                "minValue": float(scheme.amount_min) if scheme.amount_min is not None else None,
                "maxValue": float(scheme.amount_max) if scheme.amount_max is not None else None,
            }
        )
    funded = {award.initiative.slug: award.initiative for award in awards}
    node = {
        "@context": SCHEMA_CONTEXT,
        "@type": "MonetaryGrant",
        "@id": url,
        "url": url,
        "name": scheme.name,
        "description": scheme.summary or plain_text(scheme.description),
        "sameAs": scheme.url,
        "funder": [actor_ref(payers[slug], request) for slug in sorted(payers)],
        "amount": amount,
        "fundedItem": [
            {
                "@type": INITIATIVE_TYPES.get(funded[slug].kind, "CreativeWork"),
                "@id": absolute(request, reverse("initiatives:detail", args=[slug])),
                "name": funded[slug].name,
            }
            for slug in sorted(funded)
        ],
    }
    return _compact(node)


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
