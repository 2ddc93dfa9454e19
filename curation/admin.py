from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from communs.models import Redirect
from curation import (
    admin_tokens,  # noqa: F401  (registers the API tokens' admin)
    services,
)
from curation.duplicates import find_duplicates
from curation.models import Suggestion
from initiatives.models import Initiative


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "__str__", "status", "handled_by"]
    list_filter = ["status", "kind", ("initiative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["initiative", "handled_by"]
    search_fields = ["name", "acronym", "message", "website", "initiative__name"]
    date_hierarchy = "created_at"
    change_form_template = "admin/curation/suggestion_change_form.html"
    fields = [
        "kind",
        "status",
        "initiative",
        "name",
        "acronym",
        "kind_of_initiative",
        "summary",
        "website",
        "repository_url",
        "message",
        "likely_duplicates",
        "submitter_name",
        "submitter_email",
        "created_at",
        "handled_at",
        "handled_by",
        "curator_note",
    ]
    readonly_fields = [f for f in fields if f != "curator_note"]
    actions = ["action_reject"]

    def has_add_permission(self, request):
        # Suggestions come from the public forms only.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="doublons probables")
    def likely_duplicates(self, obj):
        if obj.kind != Suggestion.Kind.NEW or obj.status != Suggestion.Status.PENDING:
            return "—"
        duplicates = find_duplicates(
            Initiative, name=obj.name, acronym=obj.acronym, website=obj.website, repository_url=obj.repository_url
        )
        if not duplicates:
            return "aucun"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> : {}</li>',
                (
                    (reverse("admin:initiatives_initiative_change", args=[d.obj.pk]), d.obj.name, " ; ".join(d.reasons))
                    for d in duplicates
                ),
            ),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/accept/", view(self.accept_view), name="curation_suggestion_accept"),
            path("<path:object_id>/reject/", view(self.reject_view), name="curation_suggestion_reject"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {
            "can_handle": obj is not None
            and obj.status == Suggestion.Status.PENDING
            and self.has_change_permission(request, obj),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _handle(self, request, object_id, accept):
        suggestion = get_object_or_404(Suggestion, pk=unquote(object_id))
        if not self.has_change_permission(request, suggestion):
            raise PermissionDenied
        note = request.POST.get("curator_note", "")
        try:
            if accept:
                initiative = services.accept_suggestion(suggestion, request.user, note=note)
            else:
                services.reject_suggestion(suggestion, request.user, note=note)
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        except ValidationError as error:
            self.message_user(request, "Acceptation impossible : " + " ".join(error.messages), messages.ERROR)
        else:
            if accept:
                self.message_user(
                    request, f"Suggestion acceptée : « {initiative} » est en brouillon, à relire.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:initiatives_initiative_change", args=[initiative.pk]))
            self.message_user(request, "Suggestion refusée.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:curation_suggestion_change", args=[suggestion.pk]))

    @method_decorator(require_POST)
    def accept_view(self, request, object_id):
        return self._handle(request, object_id, accept=True)

    @method_decorator(require_POST)
    def reject_view(self, request, object_id):
        return self._handle(request, object_id, accept=False)

    @admin.action(description="Refuser les suggestions sélectionnées", permissions=["change"])
    def action_reject(self, request, queryset):
        done = 0
        for suggestion in queryset.pending():
            services.reject_suggestion(suggestion, request.user)
            done += 1
        self.message_user(request, f"{done} suggestion(s) refusée(s).", messages.SUCCESS)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """The old addresses of merged entries (curation/merge.py): seen, and removed if a curator wants
    the slug back; they are made by merges, not typed."""

    list_display = ["old_slug", "content_type", "object_id", "reason", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["old_slug", "reason"]
    readonly_fields = ["content_type", "old_slug", "object_id", "reason", "created_at"]

    def has_add_permission(self, request):
        return False
