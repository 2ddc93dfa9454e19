"""The REST API's router: /api/v1/…

Every endpoint answers errors as application/problem+json, including the URLs that do not exist.
"""

from django.urls import include, path, re_path
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions
from rest_framework.views import APIView

from communs import views
from communs.rest.conditional import ProblemMixin
from communs.rest.router import router

app_name = "api"


class SchemaView(ProblemMixin, SpectacularAPIView):
    pass


class NotFoundView(ProblemMixin, APIView):
    """Any other URL under /api/v1/: a problem+json 404 rather than the site's HTML page."""

    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("There is no API endpoint at this URL. See /api/v1/docs/.")


# Each feature app registers its endpoints on the router in its api.py (as the admin does with
# admin.py), so that the ground floor imports no feature app.
autodiscover_modules("api")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("dcat.jsonld", views.dcat_jsonld, name="dcat-jsonld"),
    path("dcat.ttl", views.dcat_turtle, name="dcat-turtle"),
    path("", include(router.urls)),
    # Only paths ending with a slash, so that CommonMiddleware still adds a missing one first.
    re_path(r"^(?:[\s\S]*/)?$", NotFoundView.as_view()),
]
