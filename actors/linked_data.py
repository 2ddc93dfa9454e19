"""The schema.org graph of an actor (communs/linked_data.py says how graphs are built)."""

from django.urls import reverse

from actors.models import Actor
from communs.linked_data import SCHEMA_CONTEXT, absolute, compact, one_or_many, plain_text, wikidata_url
from territories.linked_data import territory_node

# Actor.Kind values that are public bodies (schema.org's GovernmentOrganization); the others are
# plain Organizations (associations, companies, foundations, research bodies, communities …).
GOVERNMENT_KINDS = {Actor.Kind.STATE, Actor.Kind.AGENCY, Actor.Kind.LOCAL_AUTHORITY, Actor.Kind.EU_INSTITUTION}

# The legal-entity register of data.gouv.fr (INSEE's Sirene), one public page per SIREN.
SIREN_PAGE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"


def actor_ref(actor, request):
    """An actor named from another entry's graph: its node, with its page as identifier."""
    url = absolute(request, reverse("actors:detail", args=[actor.slug]))
    return {"@type": actor_type(actor), "@id": url, "name": actor.name, "url": url}


def actor_type(actor):
    return "GovernmentOrganization" if actor.kind in GOVERNMENT_KINDS else "Organization"


def _identifiers(actor):
    nodes = [
        {"@type": "PropertyValue", "propertyID": property_id, "value": value}
        for property_id, value in (
            ("SIREN", actor.siren),
            ("SIRET", actor.siret),
            ("Annuaire service-public.fr", actor.annuaire_id),
            ("Code INSEE", actor.insee_code),
        )
        if value
    ]
    return nodes[0] if len(nodes) == 1 else nodes or None


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
        "alternateName": one_or_many([name for name in [actor.acronym, *actor.alias_list] if name]),
        "description": plain_text(actor.description),
        "sameAs": one_or_many(
            [
                wikidata_url(actor.wikidata_qid),
                actor.website,
                f"{SIREN_PAGE}{actor.siren}" if actor.siren else None,
                actor.annuaire_url or None,
                *actor.forge_accounts,
            ]
        ),
        "identifier": _identifiers(actor),
        "parentOrganization": actor_ref(parent, request) if parent else None,
        "areaServed": territory_node(actor.territory, request) if actor.territory_id else None,
    }
    return compact(node)
