"""OpenAPI: the site's FilterSets as query parameters, and the documentation shared by the endpoints."""

import django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema


class SiteFiltersSchema(DjangoFilterExtension):
    """OpenAPI for the site's FilterSets: entries are filtered by identifier (slug or code).

    The FilterSets name the slug through a relation (`sectors__slug`), which drf-spectacular cannot
    follow; the parameter is a list of strings either way, and its description says what they are.
    """

    target_class = "communs.rest.backends.FilterBackend"
    priority = 1

    def _get_schema_from_model_field(self, auto_schema, filter_field, model):
        if isinstance(filter_field, (django_filters.ModelMultipleChoiceFilter, django_filters.ModelChoiceFilter)):
            return build_basic_type(OpenApiTypes.STR)
        return super()._get_schema_from_model_field(auto_schema, filter_field, model)

    def _get_field_description(self, filter_field, description):
        description = super()._get_field_description(filter_field, description)
        if isinstance(filter_field, django_filters.ModelMultipleChoiceFilter):
            identifier = filter_field.extra.get("to_field_name") or "id"
            description = f"{description} ({identifier}; repeat the parameter for several, any of them matches)"
        elif isinstance(filter_field, django_filters.MultipleChoiceFilter):
            if getattr(filter_field, "other_values", ""):
                description = f"{description}\n\n{filter_field.other_values}"
            matches = "all of them must match" if filter_field.conjoined else "any of them matches"
            description = f"{description}\n\nRepeat the parameter for several values; {matches}."
        return description

    def _get_explicit_filter_choices(self, filter_field):
        # A filter that takes values beyond its declared choices (`licence`: any SPDX expression, or
        # `open`) has no enum.
        if getattr(filter_field, "other_values", ""):
            return None
        return super()._get_explicit_filter_choices(filter_field)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag you read (required: without it, or with `*`, 428); a stale one gives 412 instead of "
    "overwriting someone else's change.",
)


SEARCH_APPROXIMATE = OpenApiParameter(
    "Search-Approximate",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["true", "false"],
    response=[200],
    description="With `q`: `true` when nothing matched the words as typed and the list holds the "
    "entries whose names are close to them (typo tolerance), `false` otherwise.",
)


class DirectorySchema(AutoSchema):
    """The project's OpenAPI generator: a searchable list documents its Search-Approximate header."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        if self._is_list_view() and filterset is not None and "q" in filterset.base_filters:
            parameters = [*parameters, SEARCH_APPROXIMATE]
        return parameters


def write_docs(serializer):
    """extend_schema_view() arguments for the writes of an endpoint whose entries read as `serializer`:
    a write takes the write serializer and answers with the entry as it reads."""
    return {
        "create": extend_schema(summary="Create (token with the add permission)", responses=serializer),
        "update": extend_schema(
            summary="Replace (token with the change permission)", parameters=[IF_MATCH], responses=serializer
        ),
        "partial_update": extend_schema(
            summary="Update some fields (token with the change permission)", parameters=[IF_MATCH], responses=serializer
        ),
    }
