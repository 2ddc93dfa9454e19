"""The REST API's router: /api/v1/…

Every endpoint answers errors as application/problem+json, including the URLs that do not exist.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from actors.api import ActorViewSet
from communs.rest import ProblemMixin
from initiatives import api as initiatives_api

app_name = "api"


class Router(DefaultRouter):
    include_root_view = True
    include_format_suffixes = False


router = Router()
router.register("initiatives", initiatives_api.InitiativeViewSet, basename="initiative")
router.register("actors", ActorViewSet, basename="actor")
router.register("involvements", initiatives_api.InvolvementViewSet, basename="involvement")
router.register("funding-schemes", initiatives_api.FundingSchemeViewSet, basename="funding-scheme")
router.register("editions", initiatives_api.FundingEditionViewSet, basename="edition")
router.register("awards", initiatives_api.AwardViewSet, basename="award")
router.register("sectors", initiatives_api.SectorViewSet, basename="sector")
router.register("territories", initiatives_api.TerritoryViewSet, basename="territory")
router.register("tags", initiatives_api.TagViewSet, basename="tag")


class SchemaView(ProblemMixin, SpectacularAPIView):
    pass


class NotFoundView(ProblemMixin, APIView):
    """Any other URL under /api/v1/: a problem+json 404 rather than the site's HTML page."""

    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("There is no API endpoint at this URL. See /api/v1/docs/.")


urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # Only paths ending with a slash, so that CommonMiddleware still adds a missing one first.
    re_path(r"^(?:[\s\S]*/)?$", NotFoundView.as_view()),
]
