"""API endpoints of sources (/api/v1/sources/) and imported records (/api/v1/catalogue-records/)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from actors.models import Actor
from catalogues import serializers
from catalogues.filters import RecordFilter
from catalogues.models import Record
from catalogues.publiccode_entry import exportable_initiatives, publiccode_export, publiccode_records
from communs.models import Source
from communs.rest.conditional import ProblemMixin
from communs.rest.router import router
from communs.rest.viewsets import ReadOnlyApiViewSet
from initiatives.models import Initiative


@extend_schema_view(list=extend_schema(summary="List sources"), retrieve=extend_schema(summary="One source"))
class SourceViewSet(ReadOnlyApiViewSet):
    """The documents and catalogues that entries cite (their `sources` name them by `key`)."""

    queryset = Source.objects.all()
    serializer_class = serializers.SourceSerializer
    lookup_field = "key"

    def get_base_queryset(self):
        return Source.objects.order_by("title", "pk")


@extend_schema_view(
    list=extend_schema(summary="List imported records (provenance of imported fields)"),
    retrieve=extend_schema(summary="One imported record"),
)
class RecordViewSet(ReadOnlyApiViewSet):
    """What each imported catalogue said about each entry it fed, and when: `?initiative=<slug>`."""

    queryset = Record.objects.all()
    lookup_field = "id"
    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = serializers.RecordSerializer
    filterset_class = RecordFilter
    http_method_names = ["get", "head", "options"]

    def get_base_queryset(self):
        # Only the records of entries the caller may see: a draft's provenance is not public.
        visible = Q()
        for model in (Initiative, Actor):
            content_type = ContentType.objects.get_for_model(model)
            visible |= Q(
                content_type=content_type,
                object_id__in=model.objects.visible_to(self.request.user).values("pk"),
            )
        return (
            Record.objects.filter(visible)
            .select_related("source", "content_type")
            .prefetch_related("entry")
            .order_by("source__key", "external_id", "pk")
        )


class YAMLRenderer(BaseRenderer):
    media_type = "application/yaml"  # RFC 9512
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode() if isinstance(data, str) else b""


class IncompleteForPubliccode(exceptions.APIException):
    """The entry lacks what publiccode.yml requires: the problem lists the fields in `missing`."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "incomplete_for_publiccode"

    def __init__(self, missing):
        super().__init__("The directory does not hold every field publiccode.yml requires for this entry.")
        self.extra = {"missing": missing}


class PubliccodeViewSet(ProblemMixin, viewsets.ViewSet):
    """A software commons as a publiccode.yml file (the standard's latest version)."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [YAMLRenderer]

    @extend_schema(
        summary="One software initiative as publiccode.yml",
        responses={
            200: OpenApiResponse(OpenApiTypes.STR, description="publiccode.yml (application/yaml)"),
            404: OpenApiResponse(description="No visible initiative with this slug, or not a software."),
            409: OpenApiResponse(description="Fields publiccode.yml requires are missing: listed in `missing`."),
        },
    )
    def list(self, request, slug):
        initiative = exportable_initiatives(request.user).filter(slug=slug).first()
        if initiative is None:
            raise exceptions.NotFound("No initiative with this identifier.")
        text, missing = publiccode_export(initiative, publiccode_records(initiative))
        if missing == ["kind"]:
            raise exceptions.NotFound("publiccode.yml describes software; this initiative is not one.")
        if missing:
            raise IncompleteForPubliccode(missing)
        return Response(text)


router.register("sources", SourceViewSet, basename="source")
router.register("catalogue-records", RecordViewSet, basename="record")
router.register(r"initiatives/(?P<slug>[-\w]+)/publiccode", PubliccodeViewSet, basename="initiative-publiccode")
