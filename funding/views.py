"""The funding finder ("guichet unique"): the list of schemes with their open calls, and each scheme."""

import datetime

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from actors.models import Actor
from communs.feeds import feed_query
from communs.linked_data import json_for_script
from communs.listing import list_context
from communs.models import visible_q
from communs.views import gone_or_404
from funding.availability import CLOSING_SOON_DAYS, with_availability
from funding.filters import FundingSchemeFilter
from funding.linked_data import scheme_jsonld
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative


def scheme_list(request):
    filterset = FundingSchemeFilter(request.GET, queryset=FundingScheme.objects.published())
    today = timezone.localdate()
    schemes = (
        with_availability(filterset.qs, today)
        .annotate(
            next_closes_on=FundingSchemeFilter.next_closes_on(today),
            last_closes_on=FundingSchemeFilter.last_closes_on(today),
        )
        .prefetch_related(
            Prefetch("operators", queryset=Actor.objects.published()),
            "sectors",
        )
    )
    context = list_context(
        request,
        filterset,
        schemes,
        **desk_sections(filterset.qs, today),
        today=today,
        beneficiary_labels=dict(FundingScheme.Beneficiary.choices),
        feed_query=feed_query(request),
    )
    return render(request, "funding/fundingscheme_list.html", context)


# Past calls shown on the desk, the latest first; the schemes' pages keep them all.
PAST_CALLS_SHOWN = 12


def desk_sections(schemes, today):
    """The desk's sections, from the editions' dates of `schemes` (the filtered listing): calls open
    now, those closing within CLOSING_SOON_DAYS, the recurring schemes with no dated call ahead and
    their last known deadline, and past calls; and the proposals, listed apart and never filtered
    with the schemes (nobody can apply to them). Two queries, whatever the number of schemes."""
    soon = today + datetime.timedelta(days=CLOSING_SOON_DAYS)
    pks = schemes.order_by().values("pk")
    editions = list(
        FundingEdition.objects.filter(scheme__in=pks)
        .filter(Q(opens_on__isnull=False) | Q(closes_on__isnull=False))
        .select_related("scheme")
        .order_by("closes_on", "opens_on", "scheme__name", "pk")
    )
    opened = [
        e
        for e in editions
        if (e.opens_on is None or e.opens_on <= today)
        # As availability_conditions(): no deadline is open-ended, unless the scheme is closed for good.
        and (e.closes_on >= today if e.closes_on else e.scheme.status != FundingScheme.Status.CLOSED)
    ]
    # Open now or announced: such a scheme is not waiting for its next call.
    ahead = {e.scheme_id for e in opened} | {e.scheme_id for e in editions if e.opens_on and e.opens_on > today}
    last_deadline = {}
    for edition in editions:
        if edition.closes_on and edition.closes_on < today:
            last_deadline[edition.scheme_id] = edition.closes_on  # ordered by date: the last one wins
    Status = FundingScheme.Status
    apart = list(
        FundingScheme.objects.published()
        .filter(Q(status=Status.PROPOSED) | Q(status=Status.RECURRING, pk__in=pks))
        .order_by("name")
    )
    recurring = [scheme for scheme in apart if scheme.status == Status.RECURRING and scheme.pk not in ahead]
    for scheme in recurring:
        scheme.last_closes_on = last_deadline.get(scheme.pk)
    return {
        "closing_soon": [e for e in opened if e.closes_on and e.closes_on <= soon],
        "open_now": [e for e in opened if not (e.closes_on and e.closes_on <= soon)],
        "upcoming": [e for e in editions if e.opens_on and e.opens_on > today],
        "recurring_schemes": recurring,
        "past_calls": sorted(
            (e for e in editions if e.closes_on and e.closes_on < today),
            key=lambda e: (e.closes_on, e.pk),
            reverse=True,
        )[:PAST_CALLS_SHOWN],
        "closing_soon_days": CLOSING_SOON_DAYS,
        "proposals": [scheme for scheme in apart if scheme.is_proposed],
    }


def scheme_detail(request, slug):
    try:
        scheme = get_object_or_404(
            with_availability(FundingScheme.objects.published())
            .annotate(last_closes_on=FundingSchemeFilter.last_closes_on())
            .select_related("territory")
            .prefetch_related(
                Prefetch("operators", queryset=Actor.objects.published()),
                Prefetch("funders", queryset=Actor.objects.published()),
                "sectors",
                Prefetch(
                    "editions",
                    # A timeline, the latest call first: by its deadline, else its opening, else its year.
                    queryset=FundingEdition.objects.order_by(
                        F("closes_on").desc(nulls_last=True), F("opens_on").desc(nulls_last=True), "-year", "label"
                    ).prefetch_related(
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
        return gone_or_404(request, FundingScheme, slug, reverse("funding:list"), gettext("Parcourir les financements"))
    today = timezone.localdate()
    editions = list(scheme.editions.all())
    # A proposal has no call to apply to, whatever date a report gave it.
    upcoming = sorted(
        (e for e in editions if e.closes_on and e.closes_on >= today and not scheme.is_proposed),
        key=lambda e: e.closes_on,
    )
    context = {
        "scheme": scheme,
        "editions": editions,
        # The alert says "open" only once an edition has opened; the next deadline may be ahead of it.
        "open_edition": next((e for e in upcoming if not e.opens_on or e.opens_on <= today), None),
        "next_edition": upcoming[0] if upcoming else None,
        "beneficiaries": [FundingScheme.Beneficiary(code).label for code in scheme.beneficiaries],
        "laureate_count": sum(len(edition.awards.all()) for edition in editions),
        "named_laureate_count": sum(len(edition.laureate_name_list) for edition in editions),
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
