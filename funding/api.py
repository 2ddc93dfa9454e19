"""API endpoints of the funding finder: schemes, their editions and awards (/api/v1/funding-schemes/ …)."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view

from actors.models import Actor
from communs.models import visible_q
from communs.rest.router import router
from communs.rest.schema import write_docs
from communs.rest.viewsets import CuratedViewSet, ExportMixin, LinkedDataMixin, SubResourceViewSet, retrieve_responses
from curation.api import WorkflowMixin, workflow_docs
from funding import serializers
from funding.availability import with_availability
from funding.filters import FundingSchemeFilter
from funding.linked_data import scheme_jsonld
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative


def scheme_prefetches(request):
    visible_actors = Actor.objects.filter(visible_q(Actor, request.user)).order_by("name", "pk")
    awards = (
        Award.objects.filter(visible_q(Initiative, request.user, "initiative__"))
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
    retrieve=extend_schema(
        summary="One funding scheme, with its editions and awards",
        responses=retrieve_responses(serializers.FundingSchemeSerializer),
    ),
    export_json=extend_schema(
        summary="Full dump as JSON (streamed; takes the list's filters)",
        responses=serializers.FundingSchemeSerializer(many=True),
    ),
    **workflow_docs(serializers.FundingSchemeSerializer),
    **write_docs(serializers.FundingSchemeSerializer),
)
class FundingSchemeViewSet(LinkedDataMixin, ExportMixin, WorkflowMixin, CuratedViewSet):
    """Programmes that support commons: calls, funds, prizes, incubation …, with editions and laureates."""

    export_name = "funding-schemes"
    # Its dataset in the DCAT catalogue (communs.linked_data): the full dumps, and the calendar.
    dcat_dataset = {
        "title": "Financements des communs numériques",
        "description": "Les dispositifs qui soutiennent les communs numériques (appels à projets, fonds, "
        "subventions, prix, incubation) : opérateurs, financeurs, bénéficiaires éligibles, montants, "
        "éditions et dates, lauréats.",
        "landing_page": "funding:list",
        "keywords": ["communs numériques", "financement", "appels à projets", "subventions"],
        "files": [("funding:calendar", "ics", "Calendrier des éditions datées (iCalendar)")],
    }
    queryset = FundingScheme.objects.all()
    serializer_class = serializers.FundingSchemeSerializer
    csv_serializer_class = serializers.FundingSchemeCSVSerializer
    write_serializer_class = serializers.FundingSchemeWriteSerializer
    filterset_class = FundingSchemeFilter

    def get_base_queryset(self):
        today = timezone.localdate()
        return (
            with_availability(FundingScheme.objects.select_related("territory"), today)
            .annotate(next_closes_on=FundingSchemeFilter.next_closes_on(today))
            .prefetch_related(*scheme_prefetches(self.request))
        )

    def linked_data(self, instance):
        return scheme_jsonld(
            instance,
            self.request,
            operators=instance.visible_operators,
            funders=instance.visible_funders,
            awards=[award for edition in instance.editions.all() for award in edition.visible_awards],
        )


@extend_schema_view(
    list=extend_schema(summary="List the editions of funding schemes"),
    **write_docs(serializers.FundingEditionSerializer),
)
class FundingEditionViewSet(SubResourceViewSet):
    queryset = FundingEdition.objects.all()
    serializer_class = serializers.FundingEditionSerializer
    write_serializer_class = serializers.FundingEditionWriteSerializer

    def get_base_queryset(self):
        awards = (
            Award.objects.filter(visible_q(Initiative, self.request.user, "initiative__"))
            .select_related("initiative")
            .order_by("initiative__name", "pk")
        )
        return (
            FundingEdition.objects.select_related("scheme")
            .prefetch_related(Prefetch("awards", queryset=awards, to_attr="visible_awards"))
            .order_by("pk")
        )

    def get_queryset(self):
        return self.get_base_queryset().filter(visible_q(FundingScheme, self.request.user, "scheme__"))

    def touch_related(self, instance):
        self.touch(FundingScheme, instance.scheme_id)


@extend_schema_view(
    list=extend_schema(summary="List awards (an initiative funded by an edition)"),
    **write_docs(serializers.AwardSerializer),
)
class AwardViewSet(SubResourceViewSet):
    queryset = Award.objects.all()
    serializer_class = serializers.AwardSerializer
    write_serializer_class = serializers.AwardWriteSerializer

    def get_base_queryset(self):
        return Award.objects.select_related("edition__scheme", "initiative").order_by("pk")

    def get_queryset(self):
        return self.get_base_queryset().filter(
            visible_q(FundingScheme, self.request.user, "edition__scheme__"),
            visible_q(Initiative, self.request.user, "initiative__"),
        )

    def touch_related(self, instance):
        self.touch(Initiative, instance.initiative_id)
        self.touch(FundingScheme, FundingEdition.objects.filter(pk=instance.edition_id).values("scheme_id")[:1])


router.register("funding-schemes", FundingSchemeViewSet, basename="funding-scheme")
router.register("editions", FundingEditionViewSet, basename="edition")
router.register("awards", AwardViewSet, basename="award")
