"""API endpoints of actors (/api/v1/actors/)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from actors import serializers
from actors.filters import ActorFilter
from actors.linked_data import actor_jsonld
from actors.models import Actor
from communs.models import can_see_unpublished, visible_q
from communs.rest.router import router
from communs.rest.schema import write_docs
from communs.rest.viewsets import CuratedViewSet, ExportMixin, LinkedDataMixin, retrieve_responses
from curation.api import WorkflowMixin, workflow_docs
from initiatives.models import Initiative, Involvement


@extend_schema_view(
    list=extend_schema(summary="List actors (the site's filters)"),
    retrieve=extend_schema(
        summary="One actor, with the initiatives it takes part in",
        responses=retrieve_responses(serializers.ActorSerializer),
    ),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.ActorSerializer(many=True),
    ),
    **workflow_docs(serializers.ActorSerializer),
    **write_docs(serializers.ActorSerializer),
)
class ActorViewSet(LinkedDataMixin, ExportMixin, WorkflowMixin, CuratedViewSet):
    """Organisations that carry, fund, use or support commons. Anonymous clients see the published ones."""

    export_name = "actors"
    # Its dataset in the DCAT catalogue (communs.linked_data).
    dcat_dataset = {
        "title": "Acteurs des communs numériques",
        "description": "Les organisations qui portent, maintiennent, financent, utilisent ou accompagnent les "
        "communs numériques du secteur public : type, organisation parente, SIREN, territoire, rôles.",
        "landing_page": "actors:list",
        "keywords": ["communs numériques", "organisations publiques", "secteur public"],
    }
    queryset = Actor.objects.all()
    serializer_class = serializers.ActorSerializer
    csv_serializer_class = serializers.ActorCSVSerializer
    write_serializer_class = serializers.ActorWriteSerializer
    filterset_class = ActorFilter

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "see_unpublished": can_see_unpublished(self.request.user, Actor)}

    def get_base_queryset(self):
        involvements = (
            Involvement.objects.filter(visible_q(Initiative, self.request.user, "initiative__"))
            .select_related("initiative")
            .order_by("initiative__name", "role", "pk")
        )
        return Actor.objects.select_related("parent", "territory").prefetch_related(
            Prefetch("involvements", queryset=involvements, to_attr="visible_involvements")
        )

    def linked_data(self, instance):
        return actor_jsonld(instance, self.request)


router.register("actors", ActorViewSet, basename="actor")
