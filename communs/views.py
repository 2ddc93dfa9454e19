"""The pages of the whole directory: home, about, errors, the DCAT catalogue of its exports.

The home page shows every part of the directory; it reads their models by label, so that the
ground floor (communs) imports no feature app.
"""

import json

from django.apps import apps
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from communs.linked_data import dcat_catalogue, dcat_graph
from communs.models import visible_q
from communs.page_cache import query_parameters


@query_parameters()
def home(request):
    Initiative = apps.get_model("initiatives", "Initiative")
    FundingScheme = apps.get_model("funding", "FundingScheme")
    published = Initiative.objects.published()
    today = timezone.localdate()
    context = {
        "counts": {
            "initiatives": published.count(),
            "actors": apps.get_model("actors", "Actor").objects.published().count(),
            "schemes": FundingScheme.objects.published().count(),
        },
        "sectors": apps.get_model("initiatives", "Sector")
        .objects.annotate(initiative_count=Count("initiatives", filter=visible_q(Initiative, prefix="initiatives__")))
        .order_by("name"),
        "latest": published.prefetch_related("sectors", "criteria").order_by("-created_at", "name")[:6],
        "closing_soon": apps.get_model("funding", "FundingEdition")
        .objects.filter(visible_q(FundingScheme, prefix="scheme__"), closes_on__gte=today)
        .select_related("scheme")
        .order_by("closes_on", "scheme__name")[:5],
        "today": today,
    }
    return render(request, "home.html", context)


@query_parameters()
def about(request):
    Initiative = apps.get_model("initiatives", "Initiative")
    context = {
        "criteria": apps.get_model("initiatives", "CriterionAssessment").Criterion.choices,
        "logics": Initiative.Logic.choices,
        "kinds": Initiative.Kind.choices,
    }
    return render(request, "about.html", context)


def page_not_found(request, exception):
    # The language selector leads to the home page in the other language: the address asked for
    # exists in neither, and may name a draft.
    return render(request, "404.html", {"language_home": True}, status=404)


def gone_or_404(request, model, slug, list_url, list_label):
    """The page of an entry the public cannot see: an archived one answers 410 Gone, saying when and
    why it left the directory (a link or a bookmark then makes sense to its reader); a draft, or a
    slug that never existed, stays a plain 404. The slug of an entry merged into another answers 301
    to the entry kept (communs.models.Redirect)."""
    from communs.models import Redirect

    kept = Redirect.target(model, slug)
    if kept is not None:
        return HttpResponsePermanentRedirect(kept.get_absolute_url())
    entry = (
        model.objects.archived().filter(slug=slug).only("name", "slug", "status_changed_at", "archived_reason").first()
    )
    if entry is None:
        raise Http404
    context = {
        "entry": entry,
        "kind": model._meta.verbose_name,
        "archived_at": entry.status_changed_at,
        "reason": entry.archived_reason,
        "list_url": list_url,
        "list_label": list_label,
    }
    return render(request, "gone.html", context, status=410)


@require_safe
def dcat_jsonld(request):
    """The DCAT-AP catalogue of the directory's exports, for data.gouv.fr or data.europa.eu to harvest."""
    body = json.dumps(dcat_catalogue(request), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")


@require_safe
def dcat_turtle(request):
    """The same catalogue in Turtle."""
    return HttpResponse(dcat_graph(request).serialize(format="turtle"), content_type="text/turtle; charset=utf-8")
