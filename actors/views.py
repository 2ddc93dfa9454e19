"""The public pages of actors: the list with its facets, and each actor with its roles."""

from itertools import groupby

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actors.filters import ActorFilter
from actors.linked_data import SIREN_PAGE, actor_jsonld
from actors.models import Actor
from communs.linked_data import json_for_script, wikidata_url
from communs.listing import list_context
from communs.models import visible_q
from communs.views import gone_or_404
from funding.models import FundingScheme
from initiatives.models import Deployment, Initiative, Involvement


def actor_list(request):
    filterset = ActorFilter(request.GET, queryset=Actor.objects.published())
    # filterset.qs counts each actor's published commons (actors/filters.py), its default order.
    actors = filterset.qs.select_related("territory")
    return render(request, "actors/actor_list.html", list_context(request, filterset, actors))


def actor_detail(request, slug):
    try:
        actor = get_object_or_404(
            Actor.objects.published()
            .select_related("parent", "territory")
            .prefetch_related(
                Prefetch("children", queryset=Actor.objects.published().order_by("name")),
                Prefetch(
                    "involvements",
                    queryset=Involvement.objects.filter(visible_q(Initiative, prefix="initiative__"))
                    .select_related("initiative")
                    .order_by("initiative__name"),
                ),
                # What it uses (the commons it runs an instance of): visible uses of published commons.
                Prefetch(
                    "deployments",
                    queryset=Deployment.objects.published()
                    .select_related("initiative", "territory")
                    .order_by("initiative__name", "name", "pk"),
                ),
                Prefetch("operated_schemes", queryset=FundingScheme.objects.published().order_by("name")),
                Prefetch("funded_schemes", queryset=FundingScheme.objects.published().order_by("name")),
            ),
            slug=slug,
        )
    except Http404:
        return gone_or_404(request, Actor, slug, reverse("actors:list"), gettext("Parcourir les acteurs"))
    # A parent still in draft is not shown: its page would answer 404.
    parent = actor.parent if actor.parent and actor.parent.is_published else None
    role_order = {value: index for index, value in enumerate(Involvement.Role.values)}
    involvements = sorted(actor.involvements.all(), key=lambda i: (role_order[i.role], i.initiative.name))
    roles = [
        {"role": role, "label": Involvement.Role(role).label, "involvements": list(items)}
        for role, items in groupby(involvements, key=lambda i: i.role)
    ]
    context = {
        "actor": actor,
        "parent": parent,
        "children": list(actor.children.all()),
        "roles": roles,
        "deployments": list(actor.deployments.all()),
        "operated_schemes": list(actor.operated_schemes.all()),
        "funded_schemes": list(actor.funded_schemes.all()),
        "identifiers": identifiers(actor),
        "linked_data": json_for_script(actor_jsonld(actor, request)),
    }
    return render(request, "actors/actor_detail.html", context)


def identifiers(actor):
    """What the page lists under "Identifiants": label, value and the register's page when there is one."""
    rows = [
        ("siren", "SIREN", actor.siren, f"{SIREN_PAGE}{actor.siren}"),
        ("siret", "SIRET", actor.siret, ""),
        ("insee", _("Code INSEE"), actor.insee_code, ""),
        ("annuaire", _("Annuaire du service public"), actor.annuaire_id, actor.annuaire_url),
        ("wikidata", "Wikidata", actor.wikidata_qid, wikidata_url(actor.wikidata_qid)),
        ("domain", _("Domaine du site"), actor.website_domain, ""),
        *(
            ("forge", _("Compte sur une forge"), account.removeprefix("https://"), account)
            for account in actor.forge_accounts
        ),
    ]
    return [{"key": key, "label": label, "value": value, "url": url} for key, label, value, url in rows if value]
