"""The schema.org node of a place, as other entries' graphs name it (communs/linked_data.py)."""

from django.urls import reverse

from communs.linked_data import absolute


def territory_node(territory, request):
    url = absolute(request, reverse("territories:detail", args=[territory.code]))
    node = {
        "@type": "Country" if territory.kind == "country" else "AdministrativeArea",
        "@id": url,
        "name": territory.name,
        "url": url,
    }
    if territory.official_code:
        node["identifier"] = territory.official_code
    return node
