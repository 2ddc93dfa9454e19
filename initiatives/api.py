"""API endpoints of initiatives, funding, sectors, territories and tags (/api/v1/…)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from taggit.models import Tag, TaggedItem

from actors.models import Actor
from communs.rest import IF_MATCH, CuratedViewSet, ExportMixin, ReadOnlyApiViewSet, WorkflowMixin, visible_status_q
from initiatives import serializers
from initiatives.filters import FundingSchemeFilter, InitiativeFilter
from initiatives.models import Award, FundingEdition, FundingScheme, Initiative, Involvement, Sector, Territory

WORKFLOW_DOCS = {
    "transition": extend_schema(
        summary="Move through the editorial workflow (submit, publish, archive …)", parameters=[IF_MATCH]
    ),
    "destroy": extend_schema(
        summary="Archive (publication_status = archived; nothing is destroyed; needs the publish permission)",
        parameters=[IF_MATCH, OpenApiParameter("reason", str, description="Why it is archived (kept in the history).")],
    ),
}
WRITE_DOCS = {
    "create": extend_schema(summary="Create (token with the add permission)"),
    "update": extend_schema(summary="Replace (token with the change permission)", parameters=[IF_MATCH]),
    "partial_update": extend_schema(
        summary="Update some fields (token with the change permission)", parameters=[IF_MATCH]
    ),
}


def initiative_prefetches(request):
    return [
        "sectors",
        "territories",
        "tags",
        "criteria",
        Prefetch(
            "involvements",
            queryset=Involvement.objects.filter(visible_status_q(request, Actor, "actor__"))
            .select_related("actor")
            .order_by("role", "actor__name", "pk"),
            to_attr="visible_involvements",
        ),
        Prefetch(
            "awards",
            queryset=Award.objects.filter(visible_status_q(request, FundingScheme, "edition__scheme__"))
            .select_related("edition__scheme")
            .order_by("edition__year", "edition__label", "pk"),
            to_attr="visible_awards",
        ),
    ]


@extend_schema_view(
    list=extend_schema(summary="List initiatives (the site's filters)"),
    retrieve=extend_schema(summary="One initiative, with its actors and their roles"),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.InitiativeSerializer(many=True),
    ),
    **WORKFLOW_DOCS,
    **WRITE_DOCS,
)
class InitiativeViewSet(ExportMixin, WorkflowMixin, CuratedViewSet):
    """Digital commons and support programmes. Anonymous clients see the published ones."""

    export_name = "initiatives"
    queryset = Initiative.objects.all()
    serializer_class = serializers.InitiativeSerializer
    csv_serializer_class = serializers.InitiativeCSVSerializer
    write_serializer_class = serializers.InitiativeWriteSerializer
    filterset_class = InitiativeFilter

    def get_base_queryset(self):
        return Initiative.objects.prefetch_related(*initiative_prefetches(self.request))


def scheme_prefetches(request):
    visible_actors = Actor.objects.filter(visible_status_q(request, Actor)).order_by("name", "pk")
    awards = (
        Award.objects.filter(visible_status_q(request, Initiative, "initiative__"))
        .select_related("initiative")
        .order_by("initiative__name", "pk")
    )
    return [
        "sectors",
        Prefetch("operators", queryset=visible_actors, to_attr="visible_operators"),
        Prefetch("funders", queryset=visible_actors, to_attr="visible_funders"),
        Prefetch(
            "editions",
            queryset=FundingEdition.objects.order_by("year", "label", "pk").prefetch_related(
                Prefetch("awards", queryset=awards, to_attr="visible_awards")
            ),
        ),
    ]


@extend_schema_view(
    list=extend_schema(summary="List funding schemes (the site's filters)"),
    retrieve=extend_schema(summary="One funding scheme, with its editions and awards"),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.FundingSchemeSerializer(many=True),
    ),
    **WORKFLOW_DOCS,
    **WRITE_DOCS,
)
class FundingSchemeViewSet(ExportMixin, WorkflowMixin, CuratedViewSet):
    """Programmes that support commons: calls, funds, prizes, incubation …, with editions and laureates."""

    export_name = "funding-schemes"
    queryset = FundingScheme.objects.all()
    serializer_class = serializers.FundingSchemeSerializer
    csv_serializer_class = serializers.FundingSchemeCSVSerializer
    write_serializer_class = serializers.FundingSchemeWriteSerializer
    filterset_class = FundingSchemeFilter

    def get_base_queryset(self):
        return FundingScheme.objects.select_related("territory").prefetch_related(*scheme_prefetches(self.request))


class SubResourceViewSet(CuratedViewSet):
    """Entries without a slug or a publication status: identified by id, never deleted here."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"

    def touch(self, model, pk):
        # A new role or award changes what an initiative's or a scheme's page says: bump its
        # updated_at so that `updated_since` syncs catch it (update() writes no history row).
        if pk is not None:
            model.objects.filter(pk=pk).update(updated_at=timezone.now())


@extend_schema_view(
    list=extend_schema(summary="List involvements (an actor's role in an initiative)"),
    **WRITE_DOCS,
)
class InvolvementViewSet(SubResourceViewSet):
    queryset = Involvement.objects.all()
    serializer_class = serializers.InvolvementSerializer
    write_serializer_class = serializers.InvolvementWriteSerializer

    def get_base_queryset(self):
        return Involvement.objects.select_related("initiative", "actor").order_by("pk")

    def get_queryset(self):
        queryset = self.get_base_queryset()
        return queryset.filter(
            visible_status_q(self.request, Initiative, "initiative__"), visible_status_q(self.request, Actor, "actor__")
        )

    def touch_related(self, instance):
        self.touch(Initiative, instance.initiative_id)
        self.touch(Actor, instance.actor_id)


@extend_schema_view(list=extend_schema(summary="List the editions of funding schemes"), **WRITE_DOCS)
class FundingEditionViewSet(SubResourceViewSet):
    queryset = FundingEdition.objects.all()
    serializer_class = serializers.FundingEditionSerializer
    write_serializer_class = serializers.FundingEditionWriteSerializer

    def get_base_queryset(self):
        awards = (
            Award.objects.filter(visible_status_q(self.request, Initiative, "initiative__"))
            .select_related("initiative")
            .order_by("initiative__name", "pk")
        )
        return (
            FundingEdition.objects.select_related("scheme")
            .prefetch_related(Prefetch("awards", queryset=awards, to_attr="visible_awards"))
            .order_by("pk")
        )

    def get_queryset(self):
        return self.get_base_queryset().filter(visible_status_q(self.request, FundingScheme, "scheme__"))

    def touch_related(self, instance):
        self.touch(FundingScheme, instance.scheme_id)


@extend_schema_view(list=extend_schema(summary="List awards (an initiative funded by an edition)"), **WRITE_DOCS)
class AwardViewSet(SubResourceViewSet):
    queryset = Award.objects.all()
    serializer_class = serializers.AwardSerializer
    write_serializer_class = serializers.AwardWriteSerializer

    def get_base_queryset(self):
        return Award.objects.select_related("edition__scheme", "initiative").order_by("pk")

    def get_queryset(self):
        return self.get_base_queryset().filter(
            visible_status_q(self.request, FundingScheme, "edition__scheme__"),
            visible_status_q(self.request, Initiative, "initiative__"),
        )

    def touch_related(self, instance):
        self.touch(Initiative, instance.initiative_id)
        self.touch(FundingScheme, FundingEdition.objects.filter(pk=instance.edition_id).values("scheme_id")[:1])


def _published_initiatives():
    return Q(initiatives__publication_status=Initiative.PublicationStatus.PUBLISHED)


@extend_schema_view(list=extend_schema(summary="List sectors"), retrieve=extend_schema(summary="One sector"))
class SectorViewSet(ReadOnlyApiViewSet):
    queryset = Sector.objects.all()
    serializer_class = serializers.SectorSerializer

    def get_base_queryset(self):
        return Sector.objects.annotate(
            initiative_count=Count("initiatives", filter=_published_initiatives(), distinct=True)
        ).order_by("name", "pk")


@extend_schema_view(list=extend_schema(summary="List territories"), retrieve=extend_schema(summary="One territory"))
class TerritoryViewSet(ReadOnlyApiViewSet):
    """Territories with their official codes; the identifier is `code` (`reg-53`, `dep-29`, `com-29019` …)."""

    queryset = Territory.objects.all()
    serializer_class = serializers.TerritorySerializer
    lookup_field = "code"

    def get_base_queryset(self):
        return Territory.objects.select_related("parent").order_by("name", "pk")


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
            .annotate(initiative_count=Subquery(counts))
            .order_by("name", "pk")
        )
