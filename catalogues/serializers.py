from rest_framework import serializers

from catalogues.models import Record
from communs.models import Source
from communs.rest.serializers import ApiModelSerializer, BlankableURLField, api_url


class SourceSerializer(ApiModelSerializer):
    url = api_url("source-detail", "key")

    class Meta:
        model = Source
        fields = ["key", "url", "kind", "title", "publisher", "date", "source_url", "licence", "note"]

    source_url = BlankableURLField(source="url", read_only=True, help_text="The document's or catalogue's address.")


class RecordSerializer(ApiModelSerializer):
    source = serializers.SlugRelatedField(slug_field="key", read_only=True, help_text="Key of the source record.")
    source_title = serializers.CharField(source="source.title", read_only=True)
    entry_type = serializers.SerializerMethodField(help_text='"initiative" or "actor".')
    entry = serializers.SerializerMethodField(help_text="Slug of the directory entry this record fed.")
    imported = serializers.JSONField(
        read_only=True, help_text="The entry's fields that this source gave, as it gave them at the last import."
    )

    class Meta:
        model = Record
        fields = [
            "id",
            "source",
            "source_title",
            "external_id",
            "entry_type",
            "entry",
            "imported",
            "extra",
            "first_imported_at",
            "last_imported_at",
        ]

    def get_entry_type(self, record) -> str:
        return record.content_type.model

    def get_entry(self, record) -> str | None:
        return record.entry.slug if record.entry is not None else None
