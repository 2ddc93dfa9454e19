"""The pages of the whole directory: home, about, errors.

The home page shows every part of the directory; it reads their models by label, so that the
ground floor (communs) imports no feature app.
"""

from django.apps import apps
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from communs.models import visible_q


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
        "latest": published.prefetch_related("sectors").order_by("-created_at", "name")[:6],
        "closing_soon": apps.get_model("funding", "FundingEdition")
        .objects.filter(visible_q(FundingScheme, prefix="scheme__"), closes_on__gte=today)
        .select_related("scheme")
        .order_by("closes_on", "scheme__name")[:5],
        "today": today,
    }
    return render(request, "home.html", context)


def about(request):
    Initiative = apps.get_model("initiatives", "Initiative")
    context = {
        "criteria": apps.get_model("initiatives", "CriterionAssessment").Criterion.choices,
        "logics": Initiative.Logic.choices,
        "kinds": Initiative.Kind.choices,
    }
    return render(request, "about.html", context)


def page_not_found(request, exception):
    return render(request, "404.html", {}, status=404)
