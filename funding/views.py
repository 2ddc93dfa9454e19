"""The funding finder ("guichet unique"): the list of schemes with their open calls, and each scheme."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor
from communs.feeds import feed_query
from communs.linked_data import json_for_script
from communs.listing import list_context
from communs.models import visible_q
from communs.views import gone_or_404
from funding.availability import with_availability
from funding.filters import FundingSchemeFilter
from funding.linked_data import scheme_jsonld
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative


def scheme_list(request):
    filterset = FundingSchemeFilter(request.GET, queryset=FundingScheme.objects.published())
    today = timezone.localdate()
    schemes = (
        with_availability(filterset.qs, today)
        .annotate(next_closes_on=FundingSchemeFilter.next_closes_on(today))
        .prefetch_related(
            Prefetch("operators", queryset=Actor.objects.published()),
            "sectors",
        )
    )
    open_calls = (
        FundingEdition.objects.filter(closes_on__gte=today, scheme__in=filterset.qs.order_by().values("pk"))
        .select_related("scheme")
        .order_by("closes_on", "scheme__name")[:10]
    )
    context = list_context(
        request,
        filterset,
        schemes,
        open_calls=open_calls,
        today=today,
        beneficiary_labels=dict(FundingScheme.Beneficiary.choices),
        feed_query=feed_query(request),
    )
    return render(request, "funding/fundingscheme_list.html", context)


def scheme_detail(request, slug):
    try:
        scheme = get_object_or_404(
            with_availability(FundingScheme.objects.published())
            .select_related("territory")
            .prefetch_related(
                Prefetch("operators", queryset=Actor.objects.published()),
                Prefetch("funders", queryset=Actor.objects.published()),
                "sectors",
                Prefetch(
                    "editions",
                    queryset=FundingEdition.objects.order_by("-year", "-opens_on", "label").prefetch_related(
                        Prefetch(
                            "awards",
                            queryset=Award.objects.filter(visible_q(Initiative, prefix="initiative__"))
                            .select_related("initiative")
                            .order_by("initiative__name"),
                        )
                    ),
                ),
            ),
            slug=slug,
        )
    except Http404:
        return gone_or_404(request, FundingScheme, slug, reverse("funding:list"), "Parcourir les financements")
    today = timezone.localdate()
    editions = list(scheme.editions.all())
    upcoming = sorted((e for e in editions if e.closes_on and e.closes_on >= today), key=lambda e: e.closes_on)
    context = {
        "scheme": scheme,
        "editions": editions,
        # The alert says "open" only once an edition has opened; the next deadline may be ahead of it.
        "open_edition": next((e for e in upcoming if not e.opens_on or e.opens_on <= today), None),
        "next_edition": upcoming[0] if upcoming else None,
        "beneficiaries": [FundingScheme.Beneficiary(code).label for code in scheme.beneficiaries],
        "laureate_count": sum(len(edition.awards.all()) for edition in editions),
        "linked_data": json_for_script(
            scheme_jsonld(
                scheme,
                request,
                operators=scheme.operators.all(),
                funders=scheme.funders.all(),
                awards=[award for edition in editions for award in edition.awards.all()],
            )
        ),
    }
    return render(request, "funding/fundingscheme_detail.html", context)
