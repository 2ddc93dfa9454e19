"""Representations of commons and reference data in the API (/api/v1/): what other services read and write.

English snake_case field names; slugs (codes for territories) identify entries. Field names are a
published contract: add fields, never rename them within v1. The summaries of every kind of entry,
embedded in others, are here too.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from taggit.models import Tag

from actors.models import Actor
from communs.locale import translated_text, translated_texts
from communs.models import visible_q
from communs.rest.serializers import (
    ApiModelSerializer,
    FullCleanSerializer,
    HtmlUrlField,
    HtmlUrlMixin,
    SluggedList,
    SlugNotChangedMixin,
    SourcesField,
    api_url,
    joined,
)
from communs.validators import validate_tag_name
from funding.models import Award, FundingScheme
from initiatives.models import (
    Category,
    CriterionAssessment,
    Deployment,
    Derivation,
    Initiative,
    Involvement,
    Sector,
)
from territories.models import Territory
from territories.serializers import TerritorySummarySerializer


class SectorSummarySerializer(ApiModelSerializer):
    url = api_url("sector-detail")

    class Meta:
        model = Sector
        fields = ["slug", "name", "url"]


class CategorySummarySerializer(ApiModelSerializer):
    """One of publiccode.yml's categories (`slug` is the standard's code), with its French name."""

    class Meta:
        model = Category
        fields = ["slug", "name"]


class DerivedFactSerializer(ApiModelSerializer):
    """A value derived from a source by a rule (catalogues/derive.py), not entered by a person."""

    source = serializers.SlugRelatedField(slug_field="key", read_only=True, help_text="The source's key.")
    source_url = serializers.SerializerMethodField(help_text="The source's address.")

    class Meta:
        model = Derivation
        fields = ["fact", "value", "label", "url", "rule", "source", "source_url", "source_detail", "status"]

    def get_source_url(self, obj) -> str:
        return obj.source.url if obj.source_id else ""


class TagSummarySerializer(ApiModelSerializer):
    url = api_url("tag-detail")
    # Tag slugs keep accents ("référentiel"): a plain string, not the ASCII slug pattern.
    slug = serializers.CharField(read_only=True)

    class Meta:
        model = Tag
        fields = ["slug", "name", "url"]
        # A tag saved with an empty slug before slugs were guaranteed has no URL: left out.
        list_serializer_class = SluggedList


class ActorSummarySerializer(ApiModelSerializer):
    url = api_url("actor-detail")

    class Meta:
        model = Actor
        fields = ["slug", "name", "acronym", "kind", "url"]


class InitiativeSummarySerializer(ApiModelSerializer):
    url = api_url("initiative-detail")

    class Meta:
        model = Initiative
        fields = ["slug", "name", "acronym", "kind", "url"]


class FundingSchemeSummarySerializer(ApiModelSerializer):
    url = api_url("funding-scheme-detail")

    class Meta:
        model = FundingScheme
        fields = ["slug", "name", "kind", "url"]


class SectorSerializer(HtmlUrlMixin, ApiModelSerializer):
    url = api_url("sector-detail")
    html_url = HtmlUrlField()
    initiative_count = serializers.IntegerField(read_only=True, help_text="Published initiatives in this sector.")

    class Meta:
        model = Sector
        fields = ["slug", "name", "description", "initiative_count", "url", "html_url"]


class TagSerializer(ApiModelSerializer):
    url = api_url("tag-detail")
    slug = serializers.CharField(read_only=True)
    initiative_count = serializers.IntegerField(read_only=True, help_text="Published initiatives with this tag.")

    class Meta:
        model = Tag
        fields = ["slug", "name", "initiative_count", "url"]


class CriterionSerializer(ApiModelSerializer):
    class Meta:
        model = CriterionAssessment
        fields = ["criterion", "status", "evidence_url", "note"]


class CriteriaSummarySerializer(serializers.Serializer):
    """Initiative.criteria_summary: computed from the prefetched criteria, no query of its own."""

    met = serializers.IntegerField(help_text="Criteria met.")
    total = serializers.IntegerField(help_text="Criteria of the grid (5).")
    with_evidence = serializers.IntegerField(help_text="Criteria met with a link to their evidence.")
    assessed = serializers.IntegerField(help_text="Criteria assessed at all (met, partly met or not met).")


class InitiativeInvolvementSerializer(ApiModelSerializer):
    """An actor's role in the initiative (one row per role)."""

    url = api_url("involvement-detail", "pk")
    actor = ActorSummarySerializer(read_only=True)

    class Meta:
        model = Involvement
        fields = ["id", "role", "actor", "since", "until", "note", "url"]


class InitiativeAwardSerializer(ApiModelSerializer):
    url = api_url("award-detail", "pk")
    scheme = FundingSchemeSummarySerializer(source="edition.scheme", read_only=True)
    edition = serializers.CharField(source="edition.label", read_only=True)
    year = serializers.IntegerField(source="edition.year", read_only=True, allow_null=True)

    class Meta:
        model = Award
        fields = ["id", "scheme", "edition", "year", "amount", "note", "url"]


class InitiativeDeploymentSerializer(ApiModelSerializer):
    """A use of the commons: who runs it, at which address, where, since when, as which source says."""

    url = api_url("deployment-detail", "pk")
    html_url = serializers.SerializerMethodField(help_text="Its row on the commons' page.")
    actor = ActorSummarySerializer(read_only=True, allow_null=True)
    territory = TerritorySummarySerializer(read_only=True, allow_null=True)
    instance_url = serializers.CharField(source="url", read_only=True, help_text="The address of the instance.")
    sources = SourcesField(read_only=True)

    class Meta:
        model = Deployment
        fields = ["id", "actor", "name", "instance_url", "territory", "since", "note", "sources", "url", "html_url"]

    def get_html_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class DeploymentSerializer(InitiativeDeploymentSerializer):
    """/api/v1/deployments/: a use, with the commons it is a use of."""

    commons = InitiativeSummarySerializer(source="initiative", read_only=True)

    class Meta(InitiativeDeploymentSerializer.Meta):
        fields = ["id", "commons", *InitiativeDeploymentSerializer.Meta.fields[1:], "updated_at"]


class DeploymentCSVSerializer(DeploymentSerializer):
    """One flat line per use; the commons, the organisation and the territory by identifier."""

    columns = [
        "id",
        "commons",
        "actor",
        "name",
        "instance_url",
        "territory",
        "since",
        "note",
        "sources",
        "updated_at",
        "url",
        "html_url",
    ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["commons"] = data["commons"]["slug"]
        data["actor"] = data["actor"]["slug"] if data["actor"] else ""
        data["territory"] = data["territory"]["code"] if data["territory"] else ""
        data["sources"] = "|".join(item.get("source") or item.get("document") or "" for item in data["sources"])
        return {column: data.get(column) for column in self.columns}


# Where a list puts its page's descriptions in the request's language, for each entry to read.
TRANSLATED_DESCRIPTIONS = "translated_descriptions"


class InitiativeList(serializers.ListSerializer):
    """A page of initiatives: their descriptions in the request's language read in one query, not one
    per entry (communs.locale.translated_texts)."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.context[TRANSLATED_DESCRIPTIONS] = translated_texts(items, "description")
        return super().to_representation(items)


class InitiativeSerializer(HtmlUrlMixin, ApiModelSerializer):
    url = api_url("initiative-detail")
    html_url = HtmlUrlField()
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)
    sectors = SectorSummarySerializer(many=True, read_only=True)
    categories = CategorySummarySerializer(many=True, read_only=True)
    territories = TerritorySummarySerializer(many=True, read_only=True)
    tags = TagSummarySerializer(many=True, read_only=True)
    logics = serializers.ListField(
        child=serializers.ChoiceField(choices=Initiative.Logic.choices),
        read_only=True,
        help_text="Why public actors engage in it (public-interest logics).",
    )
    involvements = serializers.SerializerMethodField(help_text="The actors and their roles.")
    criteria = CriterionSerializer(many=True, read_only=True)
    criteria_summary = CriteriaSummarySerializer(
        read_only=True, help_text="Where it stands on the grid of the commons label (the site's /label/ page)."
    )
    awards = serializers.SerializerMethodField(help_text="The funding it received.")
    deployments = serializers.SerializerMethodField(
        help_text="Its uses: the organisations that run it, at which address and where (hosted instances)."
    )
    ways_to_take_part = serializers.SerializerMethodField(
        help_text="How to take part: actions with their addresses (report an issue, read the guide, join the users…)."
    )
    derived_from = serializers.SerializerMethodField(
        help_text="The values above that a rule derived from a source rather than a person entered, with the rule "
        "and the source; `status` says whether a curator confirmed them. Values a curator rejected are left out."
    )
    sources = SourcesField(read_only=True)

    class Meta:
        model = Initiative
        list_serializer_class = InitiativeList
        fields = [
            "url",
            "html_url",
            *Initiative.public_fields,
            "involvements",
            "criteria",
            "criteria_summary",
            "awards",
            "deployments",
            "ways_to_take_part",
            "derived_from",
            "sources",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Same field, the request's language: a source's English description under Accept-Language: en.
        # A list reads the texts of its whole page at once (InitiativeList); one entry, its own.
        if "description" in data:
            texts = self.context.get(TRANSLATED_DESCRIPTIONS)
            text = texts.get(instance.pk) if texts is not None else translated_text(instance, "description")
            data["description"] = text or data["description"]
        return data

    def nested(self, serializer_class, rows):
        """What `serializer_class(rows, many=True).data` gives, from one serializer per list: a list
        of 100 entries built the fields of 400 nested serializers, most of its time (3 ms an entry)."""
        serializers_ = self.__dict__.setdefault("_nested_serializers", {})
        if serializer_class not in serializers_:
            serializers_[serializer_class] = serializer_class(context=self.context)
        child = serializers_[serializer_class]
        return [child.to_representation(row) for row in rows]

    # The viewset prefetches only the involvements and awards the client may see (published actors
    # and schemes for anonymous clients), under these names.
    @extend_schema_field(InitiativeInvolvementSerializer(many=True))
    def get_involvements(self, obj):
        rows = getattr(obj, "visible_involvements", None)
        if rows is None:
            rows = obj.involvements.filter(visible_q(Actor, prefix="actor__")).select_related("actor")
        return self.nested(InitiativeInvolvementSerializer, rows)

    @extend_schema_field(DerivedFactSerializer(many=True))
    def get_derived_from(self, obj):
        return self.nested(DerivedFactSerializer, obj.standing_derivations())

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "action": {"type": "string", "enum": Derivation.Action.values},
                    "label": {"type": "string"},
                    "url": {"type": "string"},
                    "derived": {"type": "boolean"},
                },
            },
        }
    )
    def get_ways_to_take_part(self, obj):
        return [
            {"action": way["action"], "label": way["label"], "url": way["url"], "derived": way["derived"]}
            for way in obj.ways_to_take_part()
        ]

    @extend_schema_field(InitiativeAwardSerializer(many=True))
    def get_awards(self, obj):
        rows = getattr(obj, "visible_awards", None)
        if rows is None:
            rows = obj.awards.filter(visible_q(FundingScheme, prefix="edition__scheme__")).select_related(
                "edition__scheme"
            )
        return self.nested(InitiativeAwardSerializer, rows)

    @extend_schema_field(InitiativeDeploymentSerializer(many=True))
    def get_deployments(self, obj):
        rows = getattr(obj, "visible_deployments", None)
        if rows is None:
            rows = obj.deployments.published().select_related("actor", "territory")
        return self.nested(InitiativeDeploymentSerializer, rows)


class InitiativeCSVSerializer(InitiativeSerializer):
    """One flat line per initiative; related entries by identifier, joined with `|`."""

    columns = [
        *Initiative.public_fields,
        "actors",
        "criteria",
        "funding_schemes",
        "used_by",
        "created_at",
        "updated_at",
        "url",
        "html_url",
    ]

    def to_representation(self, instance):
        return csv_line(super().to_representation(instance))


def csv_line(data):
    """An initiative's CSV line from its JSON representation (the list's light path has the JSON too)."""
    data = dict(data)
    data["aliases"] = "|".join(data["aliases"])
    data["sectors"] = joined(data["sectors"], "slug")
    data["categories"] = joined(data["categories"], "slug")
    data["tags"] = joined(data["tags"], "name")
    data["territories"] = joined(data["territories"], "code")
    data["logics"] = "|".join(data["logics"])
    data["actors"] = "|".join(f"{row['actor']['slug']}:{row['role']}" for row in data.pop("involvements"))
    data["criteria"] = "|".join(f"{row['criterion']}:{row['status']}" for row in data["criteria"])
    data["funding_schemes"] = "|".join(sorted({row["scheme"]["slug"] for row in data.pop("awards")}))
    # The organisations that use it (their uses in full: /api/v1/deployments/export.csv).
    data["used_by"] = "|".join(sorted({row["actor"]["slug"] for row in data.pop("deployments") if row["actor"]}))
    return {column: data.get(column) for column in InitiativeCSVSerializer.columns}


class CriterionWriteSerializer(ApiModelSerializer):
    class Meta:
        model = CriterionAssessment
        fields = ["criterion", "status", "evidence_url", "note"]


class InitiativeWriteSerializer(SlugNotChangedMixin, FullCleanSerializer):
    sectors = serializers.SlugRelatedField(
        slug_field="slug", queryset=Sector.objects.all(), many=True, required=False, help_text="Sector slugs."
    )
    categories = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        many=True,
        required=False,
        help_text="publiccode.yml category codes.",
    )
    territories = serializers.SlugRelatedField(
        slug_field="code", queryset=Territory.objects.all(), many=True, required=False, help_text="Territory codes."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100, validators=[validate_tag_name]), required=False, max_length=50
    )
    logics = serializers.ListField(
        child=serializers.ChoiceField(choices=Initiative.Logic.choices), required=False, max_length=10
    )
    aliases = serializers.ListField(
        child=serializers.RegexField(r"^[^\r\n]+$", max_length=200),
        required=False,
        max_length=50,
        help_text="Other names, one per item.",
    )
    criteria = CriterionWriteSerializer(
        many=True,
        required=False,
        max_length=len(CriterionAssessment.Criterion.values),
        help_text="The commons criteria as assessed; when sent, the list replaces the assessments.",
    )
    sources = SourcesField()
    nested_fields = ("criteria",)

    class Meta:
        model = Initiative
        fields = [
            *(name for name in Initiative.public_fields if name not in Initiative.workflow_fields),
            "criteria",
            "sources",
        ]

    def validate_criteria(self, value):
        codes = [item["criterion"] for item in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError("Each criterion may appear once.")
        for item in value:
            try:
                CriterionAssessment(**item).full_clean(exclude=["initiative"])
            except DjangoValidationError as error:
                raise serializers.ValidationError({item["criterion"]: error.messages}) from error
        return value

    def save_nested(self, instance, name, value):
        user = self.context["request"].user
        kept = []
        for item in value:
            assessment = instance.criteria.filter(criterion=item["criterion"]).first() or CriterionAssessment(
                initiative=instance, criterion=item["criterion"]
            )
            for field, field_value in item.items():
                setattr(assessment, field, field_value)
            assessment._history_user = user
            assessment.save()
            kept.append(assessment.pk)
        for assessment in instance.criteria.exclude(pk__in=kept):
            assessment._history_user = user
            assessment.delete()

    def validate(self, attrs):
        if "aliases" in attrs:
            attrs["aliases"] = "\n".join(alias.strip() for alias in attrs["aliases"] if alias.strip())
        logics = attrs.pop("logics", None)
        if logics is not None:
            for code in Initiative.Logic.values:
                attrs[f"logic_{code}"] = code in logics
        return super().validate(attrs)


class InvolvementSerializer(ApiModelSerializer):
    url = api_url("involvement-detail", "pk")
    initiative = InitiativeSummarySerializer(read_only=True)
    actor = ActorSummarySerializer(read_only=True)
    sources = SourcesField(read_only=True)

    class Meta:
        model = Involvement
        fields = ["id", "url", "initiative", "actor", "role", "since", "until", "note", "sources", "updated_at"]


class InvolvementWriteSerializer(FullCleanSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", queryset=Initiative.objects.all())
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    sources = SourcesField()

    class Meta:
        model = Involvement
        fields = ["initiative", "actor", "role", "since", "until", "note", "sources"]


# A client may PUT back what it read: the read-only fields of the representation are accepted.
InitiativeWriteSerializer.Meta.read_fields = InitiativeSerializer.Meta.fields
InvolvementWriteSerializer.Meta.read_fields = InvolvementSerializer.Meta.fields
