"""The machinery shared by every endpoint of the REST API (/api/v1/).

Pagination, CSV rendering, filtering with the site's FilterSets, rate limits, problem+json errors,
conditional requests (ETag / Last-Modified / If-Match), validation through the model's full_clean()
and streamed exports. The endpoints themselves live in each app's ``api.py``.
"""

import copy
import datetime
import hashlib
import json
import re

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator as DjangoURLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.http import StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_etags
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from communs.models import Publishable
from communs.problems import PreconditionFailed, django_validation_error_to_drf
from communs.rest_settings import LOOKUP_REGEX, CSVRenderer, FilterBackend, ProblemJSONRenderer, csv_text
from initiatives.filters import ArchivedFilter

# --- Permissions ------------------------------------------------------------------------------


def can_see_unpublished(user, model) -> bool:
    if not user or not user.is_authenticated:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def visible(queryset, request):
    """Published entries, or every entry for a user allowed to view the unpublished ones."""
    model = queryset.model
    if not hasattr(model, "PublicationStatus"):
        return queryset
    if can_see_unpublished(getattr(request, "user", None), model):
        return queryset
    return queryset.filter(publication_status=model.PublicationStatus.PUBLISHED)


def visible_status_q(request, model, prefix=""):
    """The same rule as visible(), as a Q on a related path (`actor__` …)."""
    if can_see_unpublished(getattr(request, "user", None), model):
        return models.Q()
    return models.Q(**{f"{prefix}publication_status": model.PublicationStatus.PUBLISHED})


# --- Validation for writes --------------------------------------------------------------------


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
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", 'Where the facts come from: [{"document": …, "url": …, "note": …}].')
        super().__init__(**kwargs)
        self.validators.append(reject_unstorable_text)


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


# --- Views ------------------------------------------------------------------------------------


class SiteFiltersSchema(DjangoFilterExtension):
    """OpenAPI for the site's FilterSets: entries are filtered by identifier (slug or code).

    The FilterSets name the slug through a relation (`sectors__slug`), which drf-spectacular cannot
    follow; the parameter is a list of strings either way, and its description says what they are.
    """

    target_class = "communs.rest_settings.FilterBackend"
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
            description = f"{description}\n\nRepeat the parameter for several values; any of them matches."
        return description


class ApiAutoSchema(AutoSchema):
    """Writes take the write serializer and answer with the entry as it reads."""

    WRITE_ACTIONS = ("create", "update", "partial_update", "transition")

    def get_request_serializer(self):
        if getattr(self.view, "action", None) == "transition":
            return TransitionSerializer
        return super().get_request_serializer()

    def get_response_serializers(self):
        if getattr(self.view, "action", None) in self.WRITE_ACTIONS:
            return self.view.serializer_class
        return super().get_response_serializers()


def etag_of(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


class ProblemMixin:
    """Errors as problem+json whatever the format asked; ETag, Last-Modified and 304 on reads."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not isinstance(response, Response):
            return response
        if response.exception:
            response.accepted_renderer = ProblemJSONRenderer()
            response.accepted_media_type = ProblemJSONRenderer.media_type
            return response
        patch_vary_headers(response, ["Authorization"])
        if response.status_code in (200, 201) and response.data is not None:
            response.render()
            response["ETag"] = etag_of(response.content)
            last_modified = getattr(self, "_last_modified", None)
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified.timestamp())
            if request.method in ("GET", "HEAD") and response.status_code == 200:
                return get_conditional_response(
                    request._request,
                    etag=response["ETag"],
                    last_modified=int(last_modified.timestamp()) if last_modified else None,
                    response=response,
                )
        return response


class ReadOnlyApiViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    schema = ApiAutoSchema()
    # Reads are public; other methods get their 405 (rather than a 403 from model permissions).
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    lookup_value_regex = LOOKUP_REGEX
    csv_serializer_class = None
    queryset = None  # set by each endpoint: the model for permissions and the schema

    def get_base_queryset(self):
        """Every entry, with the prefetches of its serialiser: a list runs the same queries for 3 or 100."""
        return self.queryset.all()

    def get_queryset(self):
        return visible(self.get_base_queryset(), self.request)

    def get_serializer_class(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        if self.csv_serializer_class and renderer is not None and renderer.format == "csv":
            return self.csv_serializer_class
        return self.serializer_class

    def csv_columns(self):
        serializer_class = self.csv_serializer_class or self.serializer_class
        return list(getattr(serializer_class, "columns", None) or serializer_class().fields)

    def get_object(self):
        # Filters are for lists: a detail URL names one entry whatever the query string says.
        queryset = self.get_queryset()
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        obj = queryset.filter(**lookup).first()
        if obj is None:
            raise exceptions.NotFound(f"No {queryset.model._meta.verbose_name} with this identifier.")
        self.check_object_permissions(self.request, obj)
        return obj

    def _has_updated_at(self):
        return any(field.name == "updated_at" for field in self.queryset.model._meta.get_fields())

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self._has_updated_at():
            # Archiving bumps updated_at, so the newest change of the whole table also covers an entry
            # that left this list.
            self._last_modified = self.queryset.model._base_manager.aggregate(last=Max("updated_at"))["last"]
        if getattr(self, "paginator", None) is not None and hasattr(response.data, "get"):
            links = [f'<{response.data[rel]}>; rel="{rel}"' for rel in ("next", "previous") if response.data.get(rel)]
            if links:
                response["Link"] = ", ".join(links)
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self._last_modified = getattr(instance, "updated_at", None)
        return Response(self.get_serializer(instance).data)

    # --- streamed dumps ---
    export_chunk_size = 500
    export_name = "export"  # the dump's file name

    def export_rows(self, serializer_class):
        """Serialise the filtered entries chunk by chunk: memory stays flat whatever the count."""
        queryset = self.filter_queryset(self.get_queryset())
        context = self.get_serializer_context()

        def rows():
            for instance in queryset.iterator(chunk_size=self.export_chunk_size):
                yield serializer_class(instance, context=context).data

        return rows()

    def export_response(self, fmt):
        basename = self.export_name
        if fmt == "csv":
            columns = self.csv_columns()
            rows = self.export_rows(self.csv_serializer_class or self.serializer_class)
            body = (piece.encode("utf-8") for piece in csv_text(columns, rows))
            response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            rows = self.export_rows(self.serializer_class)
            response = StreamingHttpResponse(json_array(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
        return response


def json_array(rows):
    encoder = JSONRenderer.encoder_class
    yield b"["
    first = True
    for row in rows:
        yield (b"" if first else b",\n") + json.dumps(row, cls=encoder, ensure_ascii=False).encode("utf-8")
        first = False
    yield b"]\n"


class ExportMixin:
    """`export.csv` and `export.json`: every entry matching the filters, streamed."""

    @extend_schema(
        summary="Full dump as CSV (streamed; takes the list's filters)",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8 with BOM")},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export.csv",
        url_name="export-csv",
        pagination_class=None,
        renderer_classes=[CSVRenderer, JSONRenderer],
    )
    def export_csv(self, request, *args, **kwargs):
        return self.export_response("csv")

    @action(
        detail=False,
        methods=["get"],
        url_path="export.json",
        url_name="export-json",
        pagination_class=None,
        renderer_classes=[JSONRenderer, CSVRenderer],
    )
    def export_json(self, request, *args, **kwargs):
        return self.export_response("json")


class ApiModelPermissions(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Reads are open; writes need the model's permission, given to curators in the admin.

    DELETE archives (a workflow transition, which itself checks the publish permission), so it asks
    for the change permission: editors archive, and only superusers hold delete permissions.
    """

    perms_map = {
        **permissions.DjangoModelPermissionsOrAnonReadOnly.perms_map,
        "DELETE": ["%(app_label)s.change_%(model_name)s"],
    }


class CuratedViewSet(ReadOnlyApiViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Reads for everyone; token-authenticated writes validated by full_clean()."""

    write_serializer_class = None
    permission_classes = [ApiModelPermissions]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return super().get_serializer_class()

    def read_back(self, instance):
        # Written entries are read again with the list's prefetches; the writer sees them even when
        # they are not published (the write needed a permission).
        return self.get_base_queryset().get(pk=instance.pk)

    def current_etag(self, instance):
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        return etag_of(JSONRenderer().render(data))

    def get_object_for_write(self):
        """The entry, locked until the end of the request's transaction, checked against If-Match.

        The lock makes check-then-write atomic: two clients holding the same ETag cannot both
        succeed.
        """
        instance = self.get_object()
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
        instance = self.read_back(instance)
        header = self.request.headers.get("If-Match")
        if header:
            etags = parse_etags(header)
            # Strong comparison (RFC 9110): a weak ETag never matches If-Match.
            if "*" not in etags and self.current_etag(instance) not in etags:
                raise PreconditionFailed()
        return instance

    def touch_related(self, instance):
        """Hook: bump the updated_at of the entries a sub-resource belongs to (for updated_since)."""

    def write_response(self, instance, status_code):
        instance = self.read_back(instance)
        self._last_modified = getattr(instance, "updated_at", None)
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        headers = {}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = data.get("url", "")
        return Response(data, status=status_code, headers=headers)

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        self.touch_related(instance)
        return self.write_response(instance, status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object_for_write()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save()
        self.touch_related(instance)
        return self.write_response(instance, status.HTTP_200_OK)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["submit", "publish", "return_to_draft", "archive", "reopen"],
        help_text="submit: draft → in_review; publish: in_review → published; return_to_draft: in_review → draft; "
        "archive: published → archived (needs a reason); reopen: archived → draft.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ArchivedEntrySerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The identifier the entry had in the list.")
    status = serializers.ChoiceField(
        choices=["archived", "deleted"],
        help_text="archived: taken out of the directory by its editors; deleted: removed for good.",
    )
    changed_at = serializers.DateTimeField(allow_null=True, help_text="When it was archived or deleted.")


class WorkflowMixin:
    """Publication goes through the editorial workflow (curation.services), as in the admin.

    Writes never set publication_status; new entries are drafts. `…/transition/` moves an entry;
    DELETE archives it (nothing is destroyed). `…/archived/` lists the archived entries, so that a
    client syncing with `updated_since` learns which entries left the public list.
    """

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def _transition(self, name, reason):
        from curation.services import TransitionError, apply_transition

        instance = self.get_object_for_write()
        try:
            return apply_transition(instance, name, self.request.user, reason=reason)
        except TransitionError as error:
            raise Conflict(str(error)) from error

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        reason = request.query_params.get("reason") or f"Archivé via l'API par {request.user}"
        self._transition("archive", reason.replace("\x00", ""))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Archived or deleted entries: slugs to remove from a synced copy (filter with updated_since)",
        responses=ArchivedEntrySerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="archived",
        url_name="archived",
        filterset_class=ArchivedFilter,
        serializer_class=ArchivedEntrySerializer,
        csv_serializer_class=None,
    )
    def archived(self, request, *args, **kwargs):
        # Only the slug and the date: the reason and the content of a removed entry stay private.
        model = self.queryset.model
        filterset = FilterBackend().validated_filterset(  # a bad date is a 400
            request,
            model._base_manager.filter(publication_status=Publishable.PublicationStatus.ARCHIVED)
            .only("slug", "status_changed_at")
            .order_by(),
            self,
        )
        archived = filterset.qs
        since = filterset.form.cleaned_data.get("updated_since")
        # A superuser may delete an entry in the admin; its history keeps the slug and the date.
        deleted = model.history.filter(history_type="-").exclude(slug__in=model._base_manager.values("slug"))
        if since is not None:
            # In UTC: ISO 8601 allows offsets (-19:41) that PostgreSQL refuses in a query.
            deleted = deleted.filter(history_date__gte=since.astimezone(datetime.UTC))
        rows = {
            slug: {"slug": slug, "status": "deleted", "changed_at": date}
            for slug, date in deleted.order_by("history_date").values_list("slug", "history_date")
        }
        rows.update(
            (entry.slug, {"slug": entry.slug, "status": "archived", "changed_at": entry.status_changed_at})
            for entry in archived
        )
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        ordered = sorted(rows.values(), key=lambda row: (row["changed_at"] or oldest, row["slug"]), reverse=True)
        page = self.paginate_queryset(ordered)
        response = self.get_paginated_response(ArchivedEntrySerializer(page, many=True).data)
        self._last_modified = model._base_manager.aggregate(last=Max("updated_at"))["last"]
        return response

    @action(detail=True, methods=["post"], url_path="transition", url_name="transition")
    @transaction.atomic
    def transition(self, request, *args, **kwargs):
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self._transition(serializer.validated_data["action"], serializer.validated_data.get("reason", ""))
        return self.write_response(instance, status.HTTP_200_OK)


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; a stale one gives 412 instead of overwriting someone else's change.",
)
