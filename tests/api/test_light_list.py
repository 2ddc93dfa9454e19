"""The list of initiatives and its dumps, built by initiatives.api_list, give the bytes that
InitiativeSerializer gave: the same requests are answered by both paths and compared whole."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from catalogues.models import Record
from communs.models import Source
from communs.rest.viewsets import ReadOnlyApiViewSet
from initiatives.api import InitiativeViewSet
from initiatives.models import Initiative, Involvement
from tests.factories import PUBLISHED, make_actor, make_initiative

URLS = [
    "/api/v1/initiatives/?page_size=100",
    "/api/v1/initiatives/?page_size=100&page=2",
    "/api/v1/initiatives/?page_size=100&page=3",
    "/api/v1/initiatives/?kind=software",
    "/api/v1/initiatives/?q=donnees&page_size=100",
    "/api/v1/initiatives/?page_size=100&format=json",
    "/api/v1/initiatives/?page_size=100&format=csv",
    "/api/v1/initiatives/export.json/",
    "/api/v1/initiatives/export.csv/",
]


def body(response):
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


def serializer_path(monkeypatch):
    """The list as it was: the detail's prefetches and one InitiativeSerializer per entry."""
    monkeypatch.setattr(InitiativeViewSet, "list_actions", ())
    monkeypatch.setattr(InitiativeViewSet, "represent_list", ReadOnlyApiViewSet.represent_list)
    monkeypatch.setattr(InitiativeViewSet, "export_rows", ReadOnlyApiViewSet.export_rows)


@pytest.fixture
def edge_cases(demo_data):
    """What the demo may lack: an accented tag, a tag without a slug, years on a role, no description."""
    entry = make_initiative("cas-limites", "Cas limites", tags=["référentiel", "commun"], publication_status=PUBLISHED)
    entry.tags.filter(name="commun").update(slug="")
    actor = make_actor("acteur-limite", acronym="AL", publication_status=PUBLISHED)
    Involvement.objects.create(initiative=entry, actor=actor, role=Involvement.Role.MAINTAINER, since=2019, until=2024)
    # A source's English description (as the SILL's en-desc is kept), for the English requests.
    source, _ = Source.objects.get_or_create(
        key="sill", defaults={"title": "SILL", "url": "https://code.gouv.fr/sill/"}
    )
    for initiative in [entry, *Initiative.objects.published().order_by("name")[:5]]:
        Record.objects.get_or_create(
            source=source,
            external_id=f"sill:{initiative.slug}",
            defaults={
                "content_type": ContentType.objects.get_for_model(Initiative),
                "object_id": initiative.pk,
                "extra": {"descriptions": {"en": f"{initiative.name} in English"}},
                "last_imported_at": timezone.now(),
            },
        )
    return entry


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_light_list_gives_the_serializers_bytes(api, edge_cases, settings, monkeypatch, language):
    settings.PAGE_CACHE_TIMEOUT = 0  # both paths must really answer
    assert Initiative.objects.published().count() > 100  # more than a page: the pages and chunks are compared
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    light = {url: body(api.get(url, **headers)) for url in URLS}
    serializer_path(monkeypatch)
    for url in URLS:
        assert light[url] == body(api.get(url, **headers)), url
    english = b"Cas limites in English" in light["/api/v1/initiatives/export.json/"]
    assert english == (language == "en")
