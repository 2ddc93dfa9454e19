from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from actors.models import Actor
from initiatives.models import FundingScheme, Initiative, Sector, Territory


def home(request):
    published = Initiative.objects.published()
    context = {
        "counts": {
            "initiatives": published.count(),
            "actors": Actor.objects.published().count(),
            "schemes": FundingScheme.objects.published().count(),
        },
        "sectors": Sector.objects.annotate(
            initiative_count=Count(
                "initiatives", filter=Q(initiatives__publication_status=Initiative.PublicationStatus.PUBLISHED)
            )
        ).order_by("name"),
        "latest": published.order_by("-created_at", "name")[:6],
    }
    return render(request, "home.html", context)


def initiative_list(request):
    initiatives = Initiative.objects.published().order_by("name")
    return render(request, "initiatives/initiative_list.html", {"initiatives": initiatives})


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    return render(request, "initiatives/initiative_detail.html", {"initiative": initiative})


def scheme_list(request):
    schemes = FundingScheme.objects.published().order_by("name")
    return render(request, "initiatives/fundingscheme_list.html", {"schemes": schemes})


def scheme_detail(request, slug):
    scheme = get_object_or_404(FundingScheme.objects.published(), slug=slug)
    return render(request, "initiatives/fundingscheme_detail.html", {"scheme": scheme})


def sector_detail(request, slug):
    sector = get_object_or_404(Sector, slug=slug)
    initiatives = sector.initiatives.published().order_by("name")
    return render(request, "initiatives/sector_detail.html", {"sector": sector, "initiatives": initiatives})


def territory_detail(request, code):
    territory = get_object_or_404(Territory, code=code)
    initiatives = territory.initiatives.published().order_by("name")
    return render(
        request, "initiatives/territory_detail.html", {"territory": territory, "initiatives": initiatives}
    )


def about(request):
    return render(request, "about.html", {})


def page_not_found(request, exception):
    return render(request, "404.html", {}, status=404)
