"""The base viewsets of the API: public reads of what the caller may see, streamed dumps, and
token-authenticated writes guarded by If-Match.

The endpoints themselves live in each app's ``api.py``.
"""

from django.db import transaction
from django.db.models import Max
from django.http import HttpResponsePermanentRedirect, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from communs.models import Publishable
from communs.rest.backends import LOOKUP_REGEX
from communs.rest.conditional import ProblemMixin, etag_of
from communs.rest.formats import CSVRenderer, JSONLDRenderer, csv_text, json_array
from communs.rest.problems import Gone, PreconditionFailed, PreconditionRequired
from communs.search import is_approximate, searches_anything


class ReadOnlyApiViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
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
        queryset = self.get_base_queryset()
        if hasattr(queryset, "visible_to"):  # entries with a publication status
            return queryset.visible_to(self.request.user)
        return queryset

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
            self.raise_moved_if_merged(queryset.model, lookup)
            self.raise_gone_if_archived(queryset.model, lookup)
            raise exceptions.NotFound(f"No {queryset.model._meta.verbose_name} with this identifier.")
        self.check_object_permissions(self.request, obj)
        return obj

    def raise_moved_if_merged(self, model, lookup):
        """The slug of an entry merged into another answers 301 to the kept entry's address, as on
        the site (communs.models.Redirect); only for reads: a write names the entry it changes."""
        from communs.models import Redirect

        if self.request.method not in ("GET", "HEAD") or set(lookup) != {"slug"} or not issubclass(model, Publishable):
            return
        kept = Redirect.target(model, lookup["slug"])
        if kept is not None:
            old = f"/{lookup['slug']}/"
            raise Moved(self.request.get_full_path().replace(old, f"/{kept.slug}/", 1))

    def handle_exception(self, exc):
        if isinstance(exc, Moved):
            return HttpResponsePermanentRedirect(exc.location)
        return super().handle_exception(exc)

    def raise_gone_if_archived(self, model, lookup):
        """An archived entry the caller cannot see is a 410 saying when and why it was archived (the
        site's page says the same); a draft stays a 404."""
        if not issubclass(model, Publishable):
            return
        archived = model.objects.archived().filter(**lookup).only("status_changed_at", "archived_reason").first()
        if archived is not None:
            raise Gone(archived.status_changed_at, archived.archived_reason)

    def _has_updated_at(self):
        return any(field.name == "updated_at" for field in self.queryset.model._meta.get_fields())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if searches_anything(self.request.query_params.get("q")):
            self._search_approximate = is_approximate(queryset)
        return queryset

    def represent_list(self, entries):
        """A page of entries as the list shows them (an endpoint may build them more cheaply)."""
        return self.get_serializer(entries, many=True).data

    def list(self, request, *args, **kwargs):
        # DRF's ListModelMixin.list, with the page's representation from represent_list().
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            response = self.get_paginated_response(self.represent_list(page))
        else:
            response = Response(self.represent_list(queryset))
        if hasattr(self, "_search_approximate"):  # documented by communs.rest.schema.DirectorySchema
            response["Search-Approximate"] = "true" if self._search_approximate else "false"
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


class _WithoutFormat:
    """A request seen without its `?format=` parameter (for the links of a representation)."""

    def __init__(self, request):
        self._request = request
        self.GET = request.GET.copy()
        self.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)

    def __getattr__(self, name):
        return getattr(self._request, name)


class LinkedDataMixin:
    """An entry's schema.org graph, the one embedded in its page, for `Accept: application/ld+json`
    (or `?format=jsonld`) on its detail endpoint. Lists keep their formats: a 406 for ld+json."""

    def linked_data(self, instance):
        raise NotImplementedError

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "retrieve":
            renderers.append(JSONLDRenderer())
        return renderers

    def retrieve(self, request, *args, **kwargs):
        if request.accepted_renderer.format != JSONLDRenderer.format:
            return super().retrieve(request, *args, **kwargs)
        instance = self.get_object()
        self._last_modified = getattr(instance, "updated_at", None)
        return Response(self.linked_data(instance))


class Moved(Exception):
    """A read of an entry's old address: answered 301 to `location` (raise_moved_if_merged)."""

    def __init__(self, location):
        super().__init__(location)
        self.location = location


def retrieve_responses(serializer_class):
    """The OpenAPI answers of a detail endpoint that also speaks JSON-LD."""
    return {
        (200, "application/json"): serializer_class,
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one line"),
        (200, "application/ld+json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="The entry's schema.org graph (JSON-LD), as embedded in its page"
        ),
    }


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
        """The ETag a plain read of the entry gives (JSON, no `?format=`), whatever format the write
        asks for its answer: DRF copies `format` into the links of the body, which would change it."""
        context = {**self.get_serializer_context(), "request": _WithoutFormat(self.request)}
        data = self.serializer_class(instance, context=context).data
        return etag_of(JSONRenderer().render(data))

    def get_object_for_write(self):
        """The entry, locked until the end of the request's transaction, checked against If-Match.

        The lock makes check-then-write atomic: two clients holding the same ETag cannot both
        succeed.
        """
        instance = self.get_object()
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
        instance = self.read_back(instance)
        header = self.request.headers.get("If-Match", "").strip()
        if not header:
            # A write without the ETag it started from could silently overwrite a change the client
            # never saw: RFC 6585's 428 tells it to read first.
            raise PreconditionRequired()
        etags = parse_etags(header)
        if "*" in etags:
            # "*" matches any current entry: it would skip the very check If-Match is required for.
            raise PreconditionRequired(
                "If-Match: * is not accepted: send the ETag you read, so that a write never overwrites "
                "a change you have not seen."
            )
        # Strong comparison (RFC 9110): a weak ETag never matches If-Match.
        if self.current_etag(instance) not in etags:
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
            # A plain str: DRF's Hyperlink is a str subclass, which WSGI servers (runserver's wsgiref)
            # refuse in a header after the entry was saved.
            headers["Location"] = str(data.get("url", ""))
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


class SubResourceViewSet(CuratedViewSet):
    """Entries without a slug or a publication status: identified by id, never deleted here."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]{1,18}"

    def touch(self, model, pk):
        # A new role or award changes what an initiative's or a scheme's page says: bump its
        # updated_at so that `updated_since` syncs catch it (update() writes no history row).
        if pk is not None:
            model.objects.filter(pk=pk).update(updated_at=timezone.now())
