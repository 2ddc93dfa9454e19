"""API endpoints of commons, their involvements, sectors and tags (/api/v1/…)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import HttpResponsePermanentRedirect
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.reverse import reverse
from taggit.models import Tag, TaggedItem

from actors.models import Actor
from communs.models import visible_q
from communs.rest.router import router
from communs.rest.schema import write_docs
from communs.rest.viewsets import (
    CuratedViewSet,
    ExportMixin,
    LinkedDataMixin,
    ReadOnlyApiViewSet,
    SubResourceViewSet,
    retrieve_responses,
)
from curation.api import WorkflowMixin, workflow_docs
from funding.models import Award, FundingScheme
from initiatives import serializers
from initiatives.api_list import InitiativeRows, csv_lines, list_prefetches
from initiatives.filters import DeploymentFilter, InitiativeFilter, InvolvementFilter
from initiatives.linked_data import initiative_jsonld
from initiatives.models import Deployment, DeploymentRedirect, Derivation, Initiative, Involvement, Sector


def initiative_prefetches(request):
    return [
        "sectors",
        "categories",
        "territories",
        "tags",
        "criteria",
        Prefetch("derivations", queryset=Derivation.objects.select_related("source")),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.filter(visible_q(Actor, request.user, "actor__"))
            .select_related("actor")
            .order_by("role", "actor__name", "pk"),
            to_attr="visible_involvements",
        ),
        Prefetch(
            "awards",
            queryset=Award.objects.filter(visible_q(FundingScheme, request.user, "edition__scheme__"))
            .select_related("edition__scheme")
            .order_by("edition__year", "edition__label", "pk"),
            to_attr="visible_awards",
        ),
        Prefetch(
            "deployments",
            queryset=Deployment.objects.visible_to(request.user)
            .select_related("actor", "territory")
            .order_by("actor__name", "name", "pk"),
            to_attr="visible_deployments",
        ),
    ]


@extend_schema_view(
    list=extend_schema(summary="List initiatives (the site's filters)"),
    retrieve=extend_schema(
        summary="One initiative, with its actors and their roles",
        responses=retrieve_responses(serializers.InitiativeSerializer),
    ),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.InitiativeSerializer(many=True),
    ),
    **workflow_docs(serializers.InitiativeSerializer),
    **write_docs(serializers.InitiativeSerializer),
)
class InitiativeViewSet(LinkedDataMixin, ExportMixin, WorkflowMixin, CuratedViewSet):
    """Digital commons and support programmes. Anonymous clients see the published ones."""

    export_name = "initiatives"
    # Its dataset in the DCAT catalogue (communs.linked_data): the full dumps, and the feeds.
    dcat_dataset = {
        "title": "Communs numériques et initiatives",
        "description": "Les communs numériques du secteur public (logiciels, données, plateformes, contenus, "
        "standards, modèles d'IA, infrastructures) et les programmes qui les soutiennent : acteurs et rôles, "
        "secteurs, territoires, licence, critères du commun, financements reçus.",
        "landing_page": "initiatives:list",
        "keywords": ["communs numériques", "logiciel libre", "données ouvertes", "secteur public"],
        "files": [
            ("initiatives:feed-atom", "atom", "Communs nouveaux ou mis à jour (flux Atom)"),
            ("initiatives:feed-rss", "rss", "Communs nouveaux ou mis à jour (flux RSS)"),
        ],
    }
    queryset = Initiative.objects.all()
    serializer_class = serializers.InitiativeSerializer
    csv_serializer_class = serializers.InitiativeCSVSerializer
    write_serializer_class = serializers.InitiativeWriteSerializer
    filterset_class = InitiativeFilter

    # The actions that read many entries: built by initiatives.api_list, not by a serializer per entry.
    list_actions = ("list", "export_csv", "export_json")

    def get_base_queryset(self):
        if self.action in self.list_actions:
            return Initiative.objects.prefetch_related(*list_prefetches(self.request))
        return Initiative.objects.prefetch_related(*initiative_prefetches(self.request))

    def represent_list(self, entries):
        rows = InitiativeRows(self.get_serializer_context()).represent(entries)
        if self.get_serializer_class() is self.csv_serializer_class:
            return csv_lines(rows)
        return rows

    def export_rows(self, serializer_class):
        """The dump chunk by chunk (memory stays flat), each chunk read and built as a page of the list."""
        queryset = self.filter_queryset(self.get_queryset())
        build = InitiativeRows(self.get_serializer_context())
        as_csv = serializer_class is self.csv_serializer_class

        def rows():
            chunk = []
            # iterator() prefetches each chunk of export_chunk_size entries as it reads it.
            for instance in queryset.iterator(chunk_size=self.export_chunk_size):
                chunk.append(instance)
                if len(chunk) == self.export_chunk_size:
                    yield from self._built(build, chunk, as_csv)
                    chunk = []
            yield from self._built(build, chunk, as_csv)

        return rows()

    @staticmethod
    def _built(build, chunk, as_csv):
        rows = build.represent(chunk)
        return csv_lines(rows) if as_csv else rows

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except NotFound:
            # An entry that became a deployment of its commons (migration 0016) answers 301 to the
            # commons, anchored on the deployment as the site's page is.
            moved = (
                DeploymentRedirect.objects.filter(
                    old_slug=kwargs.get(self.lookup_field, ""),
                    deployment__in=Deployment.objects.visible_to(request.user).values("pk"),
                )
                .select_related("deployment__initiative")
                .first()
            )
            if moved is None:
                raise
            deployment = moved.deployment
            url = reverse("api:initiative-detail", args=[deployment.initiative.slug], request=request)
            return HttpResponsePermanentRedirect(f"{url}#{deployment.anchor}")

    def linked_data(self, instance):
        return initiative_jsonld(
            instance, self.request, involvements=instance.visible_involvements, awards=instance.visible_awards
        )


@extend_schema_view(
    list=extend_schema(summary="List involvements (an actor's role in an initiative)"),
    **write_docs(serializers.InvolvementSerializer),
)
class InvolvementViewSet(SubResourceViewSet):
    queryset = Involvement.objects.all()
    serializer_class = serializers.InvolvementSerializer
    write_serializer_class = serializers.InvolvementWriteSerializer
    filterset_class = InvolvementFilter

    def get_base_queryset(self):
        return Involvement.objects.select_related("initiative", "actor").order_by("pk")

    def get_queryset(self):
        queryset = self.get_base_queryset()
        return queryset.filter(
            visible_q(Initiative, self.request.user, "initiative__"), visible_q(Actor, self.request.user, "actor__")
        )

    def touch_related(self, instance):
        self.touch(Initiative, instance.initiative_id)
        self.touch(Actor, instance.actor_id)


@extend_schema_view(
    list=extend_schema(summary="List deployments (the uses of the commons: who runs them, where)"),
    retrieve=extend_schema(summary="One deployment"),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.DeploymentSerializer(many=True),
    ),
)
class DeploymentViewSet(ExportMixin, ReadOnlyApiViewSet):
    """The uses of the commons. Anonymous clients see those of published commons and organisations."""

    export_name = "deployments"
    queryset = Deployment.objects.all()
    serializer_class = serializers.DeploymentSerializer
    csv_serializer_class = serializers.DeploymentCSVSerializer
    filterset_class = DeploymentFilter
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"

    def get_base_queryset(self):
        return Deployment.objects.select_related("initiative", "actor", "territory").order_by("pk")


def _published_initiatives():
    return visible_q(Initiative, prefix="initiatives__")


@extend_schema_view(list=extend_schema(summary="List sectors"), retrieve=extend_schema(summary="One sector"))
class SectorViewSet(ReadOnlyApiViewSet):
    queryset = Sector.objects.all()
    serializer_class = serializers.SectorSerializer

    def get_base_queryset(self):
        return Sector.objects.annotate(
            initiative_count=Count("initiatives", filter=_published_initiatives(), distinct=True)
        ).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="List tags of published initiatives"), retrieve=extend_schema(summary="One tag")
)
class TagViewSet(ReadOnlyApiViewSet):
    queryset = Tag.objects.all()
    serializer_class = serializers.TagSerializer

    def get_base_queryset(self):
        # Only the tags of published initiatives: a draft's tags are not public.
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Initiative),
            object_id__in=Initiative.objects.published().values("pk"),
        )
        counts = tagged.filter(tag=OuterRef("pk")).values("tag").annotate(n=Count("pk")).values("n")
        return (
            Tag.objects.filter(pk__in=tagged.values("tag_id"))
            .exclude(slug="")
            .annotate(initiative_count=Subquery(counts))
            .order_by("name", "pk")
        )


router.register("initiatives", InitiativeViewSet, basename="initiative")
router.register("involvements", InvolvementViewSet, basename="involvement")
router.register("deployments", DeploymentViewSet, basename="deployment")
router.register("sectors", SectorViewSet, basename="sector")
router.register("tags", TagViewSet, basename="tag")
