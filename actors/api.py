"""API endpoints of actors (/api/v1/actors/)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from actors import serializers
from actors.models import Actor
from communs.rest import CuratedViewSet, ExportMixin, WorkflowMixin, can_see_unpublished, visible_status_q
from initiatives.api import WORKFLOW_DOCS, WRITE_DOCS
from initiatives.filters import ActorFilter
from initiatives.models import Initiative, Involvement


@extend_schema_view(
    list=extend_schema(summary="List actors (the site's filters)"),
    retrieve=extend_schema(summary="One actor, with the initiatives it takes part in"),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.ActorSerializer(many=True),
    ),
    **WORKFLOW_DOCS,
    **WRITE_DOCS,
)
class ActorViewSet(ExportMixin, WorkflowMixin, CuratedViewSet):
    """Organisations that carry, fund, use or support commons. Anonymous clients see the published ones."""

    export_name = "actors"
    queryset = Actor.objects.all()
    serializer_class = serializers.ActorSerializer
    csv_serializer_class = serializers.ActorCSVSerializer
    write_serializer_class = serializers.ActorWriteSerializer
    filterset_class = ActorFilter

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "see_unpublished": can_see_unpublished(self.request.user, Actor)}

    def get_base_queryset(self):
        involvements = (
            Involvement.objects.filter(visible_status_q(self.request, Initiative, "initiative__"))
            .select_related("initiative")
            .order_by("initiative__name", "role", "pk")
        )
        return Actor.objects.select_related("parent", "territory").prefetch_related(
            Prefetch("involvements", queryset=involvements, to_attr="visible_involvements")
        )
