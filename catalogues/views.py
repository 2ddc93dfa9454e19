"""The site's publiccode.yml of a software commons: /initiatives/<slug>/publiccode.yml."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from catalogues.publiccode_entry import exportable_initiatives, missing_labels, publiccode_export, publiccode_records

YAML = "application/yaml; charset=utf-8"  # RFC 9512


def publiccode_yml(request, slug):
    initiative = get_object_or_404(exportable_initiatives(None), slug=slug)
    text, missing = publiccode_export(initiative, publiccode_records(initiative))
    if missing == ["kind"]:
        raise Http404("publiccode.yml décrit des logiciels ; ce commun n'en est pas un.")
    if missing:
        # 409: the entry exists, but the directory does not hold what the standard requires; saying
        # what is missing lets a reader (or its maintainers) complete it rather than guess.
        message = (
            f"« {initiative.name} » ne peut pas encore être décrit en publiccode.yml : "
            f"il manque {', '.join(missing_labels(missing))}.\n"
        )
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type=YAML)
    response["Content-Disposition"] = 'inline; filename="publiccode.yml"'
    return response
