"""Representations of actors in the API (/api/v1/actors/)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import Actor
from communs.models import visible_q
from communs.rest.serializers import (
    ApiModelSerializer,
    FullCleanSerializer,
    HtmlUrlField,
    HtmlUrlMixin,
    SlugNotChangedMixin,
    SourcesField,
    api_url,
)
from initiatives.models import Initiative, Involvement
from initiatives.serializers import ActorSummarySerializer, InitiativeSummarySerializer
from territories.models import Territory
from territories.serializers import TerritorySummarySerializer


class ActorInvolvementSerializer(ApiModelSerializer):
    """The actor's role in one initiative (one row per role)."""

    url = api_url("involvement-detail", "pk")
    initiative = InitiativeSummarySerializer(read_only=True)

    class Meta:
        model = Involvement
        fields = ["id", "role", "initiative", "since", "until", "note", "url"]


class ActorSerializer(HtmlUrlMixin, ApiModelSerializer):
    url = api_url("actor-detail")
    html_url = HtmlUrlField()
    parent = serializers.SerializerMethodField()
    territory = TerritorySummarySerializer(read_only=True, allow_null=True)
    involvements = serializers.SerializerMethodField(help_text="The initiatives it takes part in, with its roles.")
    sources = SourcesField(read_only=True)
    aliases = serializers.ListField(
        source="alias_list", child=serializers.CharField(), read_only=True, help_text="Other names it goes by."
    )
    website_domain = serializers.CharField(read_only=True, help_text="The website's host, without www.")
    insee_code = serializers.CharField(
        read_only=True, help_text="A local authority's official place code (its territory's INSEE code)."
    )

    class Meta:
        model = Actor
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "acronym",
            "kind",
            "publication_status",
            "parent",
            "description",
            "website",
            "territory",
            "siren",
            "siret",
            "wikidata_qid",
            "annuaire_id",
            "insee_code",
            "website_domain",
            "forge_accounts",
            "aliases",
            "involvements",
            "sources",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ActorSummarySerializer(allow_null=True))
    def get_parent(self, obj):
        parent = obj.parent
        # An unpublished parent stays hidden from those who may not see it.
        if parent is None or not (parent.is_published or self.context.get("see_unpublished")):
            return None
        return ActorSummarySerializer(parent, context=self.context).data

    @extend_schema_field(ActorInvolvementSerializer(many=True))
    def get_involvements(self, obj):
        rows = getattr(obj, "visible_involvements", None)
        if rows is None:
            rows = obj.involvements.filter(visible_q(Initiative, prefix="initiative__")).select_related("initiative")
        return ActorInvolvementSerializer(rows, many=True, context=self.context).data


class ActorCSVSerializer(ActorSerializer):
    columns = [
        "slug",
        "name",
        "acronym",
        "kind",
        "publication_status",
        "parent",
        "description",
        "website",
        "territory",
        "siren",
        "siret",
        "wikidata_qid",
        "annuaire_id",
        "insee_code",
        "website_domain",
        "forge_accounts",
        "aliases",
        "initiatives",
        "created_at",
        "updated_at",
        "url",
        "html_url",
    ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["parent"] = data["parent"]["slug"] if data["parent"] else ""
        data["territory"] = data["territory"]["code"] if data["territory"] else ""
        data["forge_accounts"] = "|".join(data["forge_accounts"])
        data["aliases"] = "|".join(data["aliases"])
        data["initiatives"] = "|".join(f"{row['initiative']['slug']}:{row['role']}" for row in data.pop("involvements"))
        return {column: data.get(column) for column in self.columns}


class ActorWriteSerializer(SlugNotChangedMixin, FullCleanSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True, help_text="The parent's slug."
    )
    territory = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Territory.objects.all(),
        required=False,
        allow_null=True,
        help_text="The territory's code.",
    )
    sources = SourcesField()
    aliases = serializers.ListField(
        child=serializers.RegexField(r"^[^\r\n]+$", max_length=200),
        required=False,
        max_length=50,
        help_text="Other names, one per item.",
    )
    forge_accounts = serializers.ListField(
        child=serializers.URLField(), required=False, max_length=50, help_text="Forge organisation addresses."
    )

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "acronym",
            "kind",
            "parent",
            "description",
            "website",
            "territory",
            "siren",
            "siret",
            "wikidata_qid",
            "annuaire_id",
            "forge_accounts",
            "aliases",
            "sources",
        ]

    def validate(self, attrs):
        if "aliases" in attrs:
            attrs["aliases"] = "\n".join(alias.strip() for alias in attrs["aliases"] if alias.strip())
        return super().validate(attrs)


ActorWriteSerializer.Meta.read_fields = ActorSerializer.Meta.fields
