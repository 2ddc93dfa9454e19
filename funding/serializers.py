"""Representations of funding schemes, editions and awards in the API (/api/v1/funding-schemes/ …)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import Actor
from communs.models import visible_q
from communs.rest.serializers import (
    ApiModelSerializer,
    BlankableURLField,
    FullCleanSerializer,
    HtmlUrlField,
    HtmlUrlMixin,
    SlugNotChangedMixin,
    SourcesField,
    api_url,
    joined,
)
from funding.availability import with_availability
from funding.filters import FundingSchemeFilter
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import Initiative, Sector
from initiatives.serializers import (
    ActorSummarySerializer,
    FundingSchemeSummarySerializer,
    InitiativeSummarySerializer,
    SectorSummarySerializer,
)
from territories.models import Territory
from territories.serializers import TerritorySummarySerializer


class EditionAwardSerializer(ApiModelSerializer):
    url = api_url("award-detail", "pk")
    initiative = InitiativeSummarySerializer(read_only=True)

    class Meta:
        model = Award
        fields = ["id", "initiative", "amount", "note", "url"]


class SchemeEditionSerializer(ApiModelSerializer):
    url = api_url("edition-detail", "pk")
    website = BlankableURLField(source="url", read_only=True)
    awards = serializers.SerializerMethodField(help_text="The laureates of this edition.")
    laureate_names = serializers.ListField(
        source="laureate_name_list",
        child=serializers.CharField(),
        read_only=True,
        help_text="Laureates the directory has no page for, named as the source names them.",
    )

    class Meta:
        model = FundingEdition
        fields = [
            "id",
            "label",
            "year",
            "opens_on",
            "closes_on",
            "budget",
            "laureates_count",
            "applicants_count",
            "applicants_count_is_minimum",
            "website",
            "note",
            "awards",
            "laureate_names",
            "url",
        ]

    @extend_schema_field(EditionAwardSerializer(many=True))
    def get_awards(self, obj):
        rows = getattr(obj, "visible_awards", None)
        if rows is None:
            rows = obj.awards.filter(visible_q(Initiative, prefix="initiative__")).select_related("initiative")
        return EditionAwardSerializer(rows, many=True, context=self.context).data


class FundingSchemeSerializer(HtmlUrlMixin, ApiModelSerializer):
    url = api_url("funding-scheme-detail")
    html_url = HtmlUrlField()
    website = BlankableURLField(source="url", read_only=True, help_text="The scheme's official page.")
    operators = serializers.SerializerMethodField()
    funders = serializers.SerializerMethodField()
    beneficiaries = serializers.ListField(
        child=serializers.ChoiceField(choices=FundingScheme.Beneficiary.choices), read_only=True
    )
    sectors = SectorSummarySerializer(many=True, read_only=True)
    territory = TerritorySummarySerializer(read_only=True, allow_null=True)
    editions = serializers.SerializerMethodField()
    availability = serializers.SerializerMethodField(
        help_text=(
            "Computed today from the editions' dates (the curator's `status` only when no edition is dated): "
            "the most pressing of closing_soon, open, recurring, closed; null when nothing is known."
        )
    )
    next_deadline = serializers.SerializerMethodField(
        help_text="The closing date of the next edition still open to applications, if any."
    )
    last_deadline = serializers.SerializerMethodField(
        help_text="The latest deadline already past: what a recurring scheme with no dated next call goes by."
    )
    sources = SourcesField(read_only=True)

    class Meta:
        model = FundingScheme
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "kind",
            "status",
            "availability",
            "next_deadline",
            "last_deadline",
            "publication_status",
            "summary",
            "description",
            "operators",
            "funders",
            "beneficiaries",
            "competitive",
            "amount_min",
            "amount_max",
            "total_budget",
            "sectors",
            "territory",
            "website",
            "editions",
            "sources",
            "created_at",
            "updated_at",
        ]

    def _actors(self, obj, name):
        rows = getattr(obj, f"visible_{name}", None)
        if rows is None:
            rows = getattr(obj, name).published()
        return ActorSummarySerializer(rows, many=True, context=self.context).data

    @extend_schema_field(ActorSummarySerializer(many=True))
    def get_operators(self, obj):
        return self._actors(obj, "operators")

    @extend_schema_field(ActorSummarySerializer(many=True))
    def get_funders(self, obj):
        return self._actors(obj, "funders")

    def _computed(self, obj):
        """(availability, next closing date): annotated by the API's queryset; computed for one
        scheme written through the API, whose response has no annotation."""
        if not hasattr(obj, "availability"):
            today = timezone.localdate()
            obj.availability, obj.next_closes_on = (
                with_availability(FundingScheme._base_manager.filter(pk=obj.pk), today)
                .annotate(next_closes_on=FundingSchemeFilter.next_closes_on(today))
                .values_list("availability", "next_closes_on")
                .get()
            )
        return obj.availability or None, obj.next_closes_on

    @extend_schema_field(serializers.ChoiceField(choices=FundingScheme.Availability.choices, allow_null=True))
    def get_availability(self, obj):
        return self._computed(obj)[0]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_deadline(self, obj):
        # From the editions the API prefetches: no query per scheme.
        today = timezone.localdate()
        past = [edition.closes_on for edition in obj.editions.all() if edition.closes_on and edition.closes_on < today]
        return max(past, default=None)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_next_deadline(self, obj):
        return self._computed(obj)[1]

    @extend_schema_field(SchemeEditionSerializer(many=True))
    def get_editions(self, obj):
        return SchemeEditionSerializer(obj.editions.all(), many=True, context=self.context).data


class FundingSchemeCSVSerializer(FundingSchemeSerializer):
    columns = [
        "slug",
        "name",
        "kind",
        "status",
        "availability",
        "next_deadline",
        "last_deadline",
        "publication_status",
        "summary",
        "description",
        "operators",
        "funders",
        "beneficiaries",
        "competitive",
        "amount_min",
        "amount_max",
        "total_budget",
        "sectors",
        "territory",
        "website",
        "editions",
        "laureates",
        "created_at",
        "updated_at",
        "url",
        "html_url",
    ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["operators"] = joined(data["operators"], "slug")
        data["funders"] = joined(data["funders"], "slug")
        data["beneficiaries"] = "|".join(data["beneficiaries"])
        data["sectors"] = joined(data["sectors"], "slug")
        data["territory"] = data["territory"]["code"] if data["territory"] else ""
        editions = data.pop("editions")
        data["editions"] = joined(editions, "label")
        data["laureates"] = "|".join(
            sorted({award["initiative"]["slug"] for edition in editions for award in edition["awards"]})
        )
        return {column: data.get(column) for column in self.columns}


class FundingSchemeWriteSerializer(SlugNotChangedMixin, FullCleanSerializer):
    website = BlankableURLField(source="url", required=False, allow_blank=True, max_length=200)
    operators = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), many=True, required=False)
    funders = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), many=True, required=False)
    sectors = serializers.SlugRelatedField(slug_field="slug", queryset=Sector.objects.all(), many=True, required=False)
    territory = serializers.SlugRelatedField(
        slug_field="code", queryset=Territory.objects.all(), required=False, allow_null=True
    )
    beneficiaries = serializers.ListField(
        child=serializers.ChoiceField(choices=FundingScheme.Beneficiary.choices), required=False, max_length=10
    )
    sources = SourcesField()

    class Meta:
        model = FundingScheme
        fields = [
            "slug",
            "name",
            "kind",
            "status",
            "summary",
            "description",
            "operators",
            "funders",
            "beneficiaries",
            "competitive",
            "amount_min",
            "amount_max",
            "total_budget",
            "sectors",
            "territory",
            "website",
            "sources",
        ]

    def validate(self, attrs):
        beneficiaries = attrs.pop("beneficiaries", None)
        if beneficiaries is not None:
            for code in FundingScheme.Beneficiary.values:
                attrs[f"eligible_{code}"] = code in beneficiaries
        return super().validate(attrs)


class FundingEditionSerializer(SchemeEditionSerializer):
    scheme = FundingSchemeSummarySerializer(read_only=True)
    sources = SourcesField(read_only=True)

    class Meta(SchemeEditionSerializer.Meta):
        fields = ["id", "url", "scheme", *SchemeEditionSerializer.Meta.fields[1:-1], "sources"]


class FundingEditionWriteSerializer(FullCleanSerializer):
    scheme = serializers.SlugRelatedField(slug_field="slug", queryset=FundingScheme.objects.all())
    website = BlankableURLField(source="url", required=False, allow_blank=True, max_length=200)
    sources = SourcesField()

    class Meta:
        model = FundingEdition
        fields = [
            "scheme",
            "label",
            "year",
            "opens_on",
            "closes_on",
            "budget",
            "laureates_count",
            "applicants_count",
            "applicants_count_is_minimum",
            "website",
            "note",
            "sources",
        ]


class AwardSerializer(ApiModelSerializer):
    url = api_url("award-detail", "pk")
    scheme = FundingSchemeSummarySerializer(source="edition.scheme", read_only=True)
    edition = serializers.SerializerMethodField()
    initiative = InitiativeSummarySerializer(read_only=True)
    sources = SourcesField(read_only=True)

    class Meta:
        model = Award
        fields = ["id", "url", "scheme", "edition", "initiative", "amount", "note", "sources"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "label": {"type": "string"},
                "year": {"type": "integer", "nullable": True},
                "url": {"type": "string"},
            },
        }
    )
    def get_edition(self, obj):
        request = self.context.get("request")
        from django.urls import reverse

        path = reverse("api:edition-detail", args=[obj.edition_id])
        return {
            "id": obj.edition_id,
            "label": obj.edition.label,
            "year": obj.edition.year,
            "url": request.build_absolute_uri(path) if request else path,
        }


class AwardWriteSerializer(FullCleanSerializer):
    edition = serializers.PrimaryKeyRelatedField(queryset=FundingEdition.objects.all(), help_text="The edition's id.")
    initiative = serializers.SlugRelatedField(slug_field="slug", queryset=Initiative.objects.all())
    sources = SourcesField()

    class Meta:
        model = Award
        fields = ["edition", "initiative", "amount", "note", "sources"]


# A client may PUT back what it read: the read-only fields of the representation are accepted.
FundingSchemeWriteSerializer.Meta.read_fields = FundingSchemeSerializer.Meta.fields
FundingEditionWriteSerializer.Meta.read_fields = FundingEditionSerializer.Meta.fields
AwardWriteSerializer.Meta.read_fields = AwardSerializer.Meta.fields
