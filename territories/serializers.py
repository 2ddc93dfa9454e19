"""Territories in the API (/api/v1/territories/): the identifier is `code`. Field names are a published
contract (see initiatives/serializers.py); the summary is embedded in commons, actors and schemes."""

from rest_framework import serializers

from communs.rest.serializers import ApiModelSerializer, HtmlUrlField, HtmlUrlMixin, api_url
from territories.models import Territory


class TerritorySummarySerializer(ApiModelSerializer):
    url = api_url("territory-detail", "code")

    class Meta:
        model = Territory
        fields = ["code", "name", "kind", "url"]


class TerritorySerializer(HtmlUrlMixin, ApiModelSerializer):
    url = api_url("territory-detail", "code")
    html_url = HtmlUrlField()
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The parent's code."
    )
    epci = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="A commune's EPCI (its code), beside its parent département; null otherwise.",
    )

    class Meta:
        model = Territory
        fields = ["code", "name", "kind", "official_code", "siren", "parent", "epci", "url", "html_url"]
