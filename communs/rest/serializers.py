"""The base serializers of the API: URL fields, links to the site, and writes validated by full_clean()."""

import copy
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator as DjangoURLValidator
from django.db import IntegrityError, models, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status

from communs.rest.problems import django_validation_error_to_drf
from communs.sources import cite, cited_keys, source_catalogue


def reject_unstorable_text(value):
    """JSON from clients may hold NUL or lone surrogates, which PostgreSQL cannot store."""
    if isinstance(value, str):
        if "\x00" in value or re.search(r"[\ud800-\udfff]", value):
            raise serializers.ValidationError("Null characters and lone surrogates are not allowed.")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_unstorable_text(key)
            reject_unstorable_text(item)
    elif isinstance(value, list):
        for item in value:
            reject_unstorable_text(item)
    return value


class SourcesField(serializers.JSONField):
    """An entry's citations. Written as stored; read with each cited Source record's title,
    publisher, date, licence and link added (one query per response, shared through the context)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            'Where the facts come from: [{"source": key of a source, "url": …, "note": …}] (or "document" for '
            "a document with no source record). Read, a cited source adds its title, publisher, date, "
            "licence and source_url.",
        )
        super().__init__(**kwargs)
        self.validators.append(reject_unstorable_text)

    def to_representation(self, value):
        if not cited_keys(value):
            return value
        context = self.context
        if "source_catalogue" not in context:
            context["source_catalogue"] = source_catalogue()  # the whole table: small, and read once
        return cite(value, context["source_catalogue"])


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class BlankableURLField(serializers.CharField):
    """A URL, or "" when the entry has none (the model fields are blank=True, not null).

    A CharField with DRF's URL validator rather than a URLField, so that the schema says "a URI or
    empty" instead of a URI that "" would violate.
    """

    # Checked here rather than in self.validators, where drf-spectacular would read it as "format: uri".
    url_validator = DjangoURLValidator(message=serializers.URLField.default_error_messages["invalid"])

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value:
            try:
                self.url_validator(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from error
        return value


class ApiModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: BlankableURLField,
    }


class FullCleanSerializer(ApiModelSerializer):
    """A write serializer that validates as the admin does: the model's full_clean().

    Field validators, clean() methods, unique checks and database constraints all run on a copy of
    the entry with the submitted values, and the values clean() normalises (the SPDX licence …)
    are the ones saved. Each save records the token's user in the history.
    """

    def to_internal_value(self, data):
        # Before any field looks a value up: PostgreSQL refuses NUL in a query parameter, and a
        # slug like "\x00ign" would otherwise crash the SlugRelatedField's lookup.
        if isinstance(data, dict):
            errors = {}
            for name, value in data.items():
                try:
                    reject_unstorable_text(value)
                except serializers.ValidationError as error:
                    errors[name] = error.detail
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def check_field_names(self):
        """Refuse misspelt field names rather than ignore them.

        The read-only fields of the entry's representation (url, involvements …) are accepted and
        ignored, so that a client may PUT back what it read.
        """
        data = self.initial_data if isinstance(self.initial_data, dict) else {}
        read_names = set(getattr(self.Meta, "read_fields", ()))
        errors = {}
        for name in data:
            if name in self.fields:
                continue
            if name == "publication_status" and "publication_status" in read_names:
                current = getattr(self.instance, "publication_status", "draft")
                if data[name] != current:
                    errors[name] = ["The publication status changes through POST …/transition/ (or DELETE to archive)."]
            elif name not in read_names:
                errors[name] = ["Unknown field."]
        if errors:
            raise serializers.ValidationError(errors)

    # Fields written after the entry itself, by save_nested() (rows of another table).
    nested_fields = ()

    def many_to_many_names(self):
        opts = self.Meta.model._meta
        return {field.name for field in opts.many_to_many} | {"tags", *self.nested_fields}

    def save_nested(self, instance, name, value):
        raise NotImplementedError

    def validate(self, attrs):
        self.check_field_names()
        attrs = super().validate(attrs)
        m2m = self.many_to_many_names()
        candidate = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in m2m:
                setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            raise django_validation_error_to_drf(error) from error
        for name in list(attrs):
            if name not in m2m:
                attrs[name] = getattr(candidate, name)
        return attrs

    def _save(self, instance, validated_data):
        m2m = {name: validated_data.pop(name) for name in list(validated_data) if name in self.many_to_many_names()}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        request = self.context.get("request")
        if request is not None:
            # django-simple-history reads this, so the history names the token's user.
            instance._history_user = request.user
        try:
            with transaction.atomic():
                instance.save()
                for name, value in m2m.items():
                    if name in self.nested_fields:
                        self.save_nested(instance, name, value)
                    else:
                        getattr(instance, name).set(value)
        except IntegrityError:
            # Another client wrote a conflicting entry between our checks and our save.
            raise Conflict() from None
        return instance

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The entry conflicts with another one written at the same time; read it again and retry."
    default_code = "conflict"


class SlugNotChangedMixin:
    """Slugs are the public identifiers: set on creation, never changed afterwards."""

    def validate_slug(self, value):
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError("The slug is the entry's identifier and cannot be changed.")
        return value


class SluggedList(serializers.ListSerializer):
    """A list that leaves out the entries with an empty slug: they have no URL to link to."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return super().to_representation([item for item in items if item.slug])


def api_url(view_name, lookup_field="slug"):
    return serializers.HyperlinkedIdentityField(view_name=f"api:{view_name}", lookup_field=lookup_field)


class HtmlUrlField(serializers.SerializerMethodField):
    """The entry's page on the site."""

    def __init__(self, **kwargs):
        super().__init__(method_name="get_html_url", **kwargs)


class HtmlUrlMixin:
    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, obj):
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


def joined(items, key):
    """One CSV cell for a list of related entries: their `key`s separated by "|"."""
    return "|".join(str(item[key]) for item in items)
