"""API endpoints of sources (/api/v1/sources/) and imported records (/api/v1/catalogue-records/)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view

from actors.models import Actor
from catalogues import serializers
from catalogues.filters import RecordFilter
from catalogues.models import Record
from communs.models import Source
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


router.register("sources", SourceViewSet, basename="source")
router.register("catalogue-records", RecordViewSet, basename="record")
