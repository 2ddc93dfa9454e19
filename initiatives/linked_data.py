"""The schema.org graph of an initiative (communs/linked_data.py says how graphs are built)."""

from django.urls import reverse

from actors.linked_data import actor_ref
from communs.linked_data import SCHEMA_CONTEXT, absolute, compact, one_or_many, plain_text, spdx_urls, wikidata_url
from initiatives.models import Initiative, Involvement
from territories.linked_data import territory_node

# schema.org types by Initiative.Kind: code is SoftwareSourceCode, data a Dataset, what is run for
# its users a Service, the rest (texts, standards, models) a CreativeWork.
INITIATIVE_TYPES = {
    Initiative.Kind.SOFTWARE: "SoftwareSourceCode",
    Initiative.Kind.DATA: "Dataset",
    Initiative.Kind.PLATFORM: "Service",
    Initiative.Kind.INFRASTRUCTURE: "Service",
    Initiative.Kind.PROGRAMME: "Service",
    Initiative.Kind.NETWORK: "Service",
    Initiative.Kind.CONTENT: "CreativeWork",
    Initiative.Kind.STANDARD: "CreativeWork",
    Initiative.Kind.AI_MODEL: "CreativeWork",
}

# Involvement.Role values as the CreativeWork properties that say the same thing. A Service has
# only a `provider`: the actors that run it.
CREATIVE_WORK_ROLES = {
    Involvement.Role.CARRIER: "author",
    Involvement.Role.MAINTAINER: "maintainer",
    Involvement.Role.FUNDER: "funder",
    Involvement.Role.CONTRIBUTOR: "contributor",
}
SERVICE_ROLES = {Involvement.Role.CARRIER: "provider", Involvement.Role.MAINTAINER: "provider"}


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
        "alternateName": one_or_many([initiative.acronym, *aliases]),
        "description": initiative.summary or plain_text(initiative.description),
        # sameAs names the same thing elsewhere: its Wikidata item and its own website.
        "sameAs": one_or_many(
            [wikidata_url(initiative.wikidata_qid), initiative.website, initiative.software_heritage_url]
        ),
    }
    territories = [territory_node(territory, request) for territory in initiative.territories.all()]
    sectors = [sector.name for sector in initiative.sectors.all()]
    # What it is for (publiccode.yml's categories) as well as its fields of public action.
    sectors += [category.name for category in initiative.categories.all() if category.name not in sectors]
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
        node.update({"category": one_or_many(sectors), "areaServed": territories})
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
                "license": one_or_many(spdx_urls(initiative.licence)),
                "keywords": sorted(set(sectors)) + [tag for tag in tags if tag not in sectors],
                "spatialCoverage": territories,
                "dateModified": initiative.updated_at.isoformat() if initiative.updated_at else None,
                "funding": [schemes[slug] for slug in sorted(schemes)],
            }
        )
        if kind == "SoftwareSourceCode":
            node["codeRepository"] = initiative.repository_url
    node.update(by_property)
    return compact(node)
