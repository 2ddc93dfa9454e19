"""API endpoint of territories (/api/v1/territories/), registered on the router as every app's api.py."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from communs.rest.router import router
from communs.rest.viewsets import ReadOnlyApiViewSet
from territories import serializers
from territories.models import Territory


@extend_schema_view(list=extend_schema(summary="List territories"), retrieve=extend_schema(summary="One territory"))
class TerritoryViewSet(ReadOnlyApiViewSet):
    """Territories with their official codes; the identifier is `code` (`reg-53`, `dep-29`, `com-29019` …)."""

    queryset = Territory.objects.all()
    serializer_class = serializers.TerritorySerializer
    lookup_field = "code"

    def get_base_queryset(self):
        return Territory.objects.select_related("parent", "epci").order_by("name", "pk")


router.register("territories", TerritoryViewSet, basename="territory")
