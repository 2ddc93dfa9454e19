"""The editorial workflow through the API: transitions, archiving (DELETE) and the list of archived
entries that a synced copy must remove. The rules themselves are curation.services'.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from communs.filters import ArchivedFilter
from communs.rest.backends import FilterBackend
from communs.rest.schema import IF_MATCH
from communs.rest.serializers import Conflict
from curation.services import TransitionError, apply_transition


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
            model.objects.archived().only("slug", "status_changed_at").order_by(),
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


def workflow_docs(serializer):
    """extend_schema_view() arguments for the workflow endpoints of entries that read as `serializer`."""
    return {
        "transition": extend_schema(
            summary="Move through the editorial workflow (submit, publish, archive …)",
            parameters=[IF_MATCH],
            request=TransitionSerializer,
            responses=serializer,
        ),
        "destroy": extend_schema(
            summary="Archive (publication_status = archived; nothing is destroyed; needs the publish permission)",
            parameters=[
                IF_MATCH,
                OpenApiParameter("reason", str, description="Why it is archived (kept in the history)."),
            ],
        ),
    }
