from django.http import Http404
from django.shortcuts import get_object_or_404, render

from initiatives.models import Initiative


def propose(request):
    raise Http404("Pas encore disponible")


def report_correction(request, slug):
    get_object_or_404(Initiative.objects.published(), slug=slug)
    raise Http404("Pas encore disponible")


def initiative_history(request, slug):
    get_object_or_404(Initiative.objects.published(), slug=slug)
    raise Http404("Pas encore disponible")
