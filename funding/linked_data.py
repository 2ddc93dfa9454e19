"""The schema.org graph of a funding scheme (communs/linked_data.py says how graphs are built)."""

from django.urls import reverse

from actors.linked_data import actor_ref
from communs.linked_data import SCHEMA_CONTEXT, absolute, compact, plain_text
from initiatives.linked_data import INITIATIVE_TYPES


def scheme_jsonld(scheme, request, *, operators, funders, awards):
    """The schema.org graph of a funding scheme: a MonetaryGrant given by its operators and funders
    (an operator awards the grant: it is a funder for schema.org), the initiatives it funded."""
    url = absolute(request, reverse("funding:detail", args=[scheme.slug]))
    payers = {actor.slug: actor for actor in [*operators, *funders]}
    amount = None
    if scheme.amount_min is not None or scheme.amount_max is not None:
        amount = compact(
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
    return compact(node)
