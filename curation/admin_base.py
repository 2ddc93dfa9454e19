"""What every curated model's admin shares: workflow buttons and actions, history with
diffs and revert, the lost-update guard, duplicate warnings, import/export."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST, require_safe
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from curation import services
from curation.admin_forms import CuratedForm, ReasonForm, SectorForm, TagForm
from curation.services import ConcurrentEditError, TransitionError

WORKFLOW_READONLY = [
    "publication_status",
    "status_changed_at",
    "status_changed_by",
    "reviewed_at",
    "reviewed_by",
    "archived_reason",
    "version",
    "created_at",
    "updated_at",
]
# Django 6 makes https the default scheme of URL form fields; adopt it now everywhere.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}
WORKFLOW_FIELDSET = ("Relecture et suivi", {"fields": WORKFLOW_READONLY, "classes": ["collapse"]})


class VersionedAdmin(SimpleHistoryAdmin):
    """History with field-level diffs and a revert button, for every versioned model."""

    object_history_list_template = "admin/curation/object_history_list.html"
    object_history_form_template = "admin/curation/object_history_form.html"
    formfield_overrides = HTTPS_URLS

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<path:object_id>/revert/<int:history_id>/",
                self.admin_site.admin_view(self.revert_view),
                name=f"{prefix}_revert",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    @method_decorator(require_POST)
    def revert_view(self, request, object_id, history_id):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        record = get_object_or_404(obj.history.all(), history_id=history_id)
        try:
            services.revert(obj, record, request.user)
        except ValidationError as error:
            self.message_user(request, "Restauration impossible : " + " ".join(error.messages), messages.ERROR)
        else:
            stamp = timezone.localtime(record.history_date).strftime("%d/%m/%Y %H:%M")
            self.message_user(request, f"« {obj} » a retrouvé son contenu du {stamp}.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    @method_decorator(require_safe)
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's own form would save a whole old instance (status and
        # version included); reverting goes through revert_view instead.
        opts = self.model._meta
        extra_context = {
            **(extra_context or {}),
            "revert_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_revert", args=[object_id, version_id]),
        }
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # A malformed id is a 404 here, as on Django's own pages (simple-history lets it crash).
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        extra_context = {**(extra_context or {}), "can_revert": self.has_change_permission(request)}
        return super().history_view(request, object_id, extra_context)

    def history_view_title(self, request, obj):
        return f"Historique : {obj}"

    def history_form_view_title(self, request, obj):
        return f"Version enregistrée de : {obj}"


class CuratedAdmin(ImportExportMixin, VersionedAdmin):
    form = CuratedForm
    change_form_template = "admin/curation/change_form.html"
    import_formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
    export_formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
    list_per_page = 50
    check_duplicates = False
    bulk_m2m_sectors = False
    bulk_tags = False
    actions = [
        "action_submit",
        "action_publish",
        "action_return_to_draft",
        "action_archive",
        "action_reopen",
        "action_mark_reviewed",
        "action_add_sector",
        "action_add_tag",
        "action_merge",
    ]

    # --- forms ------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.check_duplicates = self.check_duplicates
        return form

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *WORKFLOW_READONLY]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": list(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        fieldsets[0][1]["fields"] += ["loaded_version", "confirm_not_duplicate"]
        return [*fieldsets, WORKFLOW_FIELDSET]

    def view_on_site(self, obj):
        # The public site shows published entries only; any other link would 404.
        return obj.get_absolute_url() if obj.is_published else None

    @admin.display(description="sur le site")
    def public_link(self, obj):
        if not obj.is_published:
            return "—"
        return format_html('<a href="{}" target="_blank">Voir sur le site</a>', obj.get_absolute_url())

    def save_model(self, request, obj, form, change):
        loaded = form.cleaned_data.get("loaded_version")
        if change and loaded is not None:
            # Last guard for backends without row locks (SQLite): write only if the
            # row is still at the version the editor loaded.
            if not type(obj)._default_manager.filter(pk=obj.pk, version=loaded).update(version=loaded):
                raise ConcurrentEditError(f"{obj} changed while being edited")
            obj.version = loaded
        super().save_model(request, obj, form, change)

    # --- permissions -------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(services.permission_name(self.model, "publish"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.bulk_m2m_sectors:
            actions.pop("action_add_sector", None)
        if not self.bulk_tags:
            actions.pop("action_add_tag", None)
        if not any(field.name == "aliases" for field in self.model._meta.fields):
            actions.pop("action_merge", None)  # only actors and commons keep the names of what they absorb
        return actions

    # --- URLs and views ----------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/<str:name>/", view(self.transition_view), name=f"{prefix}_transition"),
            path("<path:object_id>/reviewed/", view(self.reviewed_view), name=f"{prefix}_reviewed"),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def transition_view(self, request, object_id, name):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        try:
            obj = services.apply_transition(obj, name, request.user, reason=request.POST.get("reason", ""))
        except TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"« {obj} » : {obj.get_publication_status_display().lower()}.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    @method_decorator(require_POST)
    def reviewed_view(self, request, object_id):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        try:
            services.mark_reviewed(obj, request.user)
        except TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"« {obj} » marqué comme relu.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {}
        if obj is not None:
            extra = {
                "workflow_transitions": services.allowed_transitions(request.user, obj),
                "can_mark_reviewed": obj.is_published and self.has_change_permission(request, obj),
            }
            if hasattr(obj, "suggestions") and request.user.has_perm("curation.view_suggestion"):
                # Public corrections waiting for this entry, so that an editor sees them while editing.
                extra["pending_suggestions"] = obj.suggestions.pending().count()
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    # --- bulk actions --------------------------------------------------------

    def _bulk_transition(self, request, queryset, name, reason=""):
        done, refused = 0, []
        for obj in queryset:
            try:
                services.apply_transition(obj, name, request.user, reason=reason)
                done += 1
            except (TransitionError, PermissionDenied) as error:
                refused.append(str(error))
        label = services.TRANSITIONS[name].label.lower()
        if done:
            self.message_user(request, f"{done} fiche(s) : {label} fait.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{len(refused)} refus : " + " ".join(refused), messages.WARNING)

    @admin.action(description="Fusionner les fiches sélectionnées…", permissions=["delete"])
    def action_merge(self, request, queryset):
        # A merge deletes entries: the curator first sees what each merge would move (a dry run,
        # curation/merge.py) and chooses the entry kept (the oldest by default, usually the one the
        # others duplicated); only the confirmed form merges. Each other entry's address then
        # answers 301 to the kept one.
        from curation.merge import MergeError, merge

        entries = list(queryset.order_by("pk"))
        if not hasattr(self.model, "aliases") or len(entries) < 2:
            self.message_user(request, "Sélectionnez au moins deux fiches à fusionner.", messages.WARNING)
            return None
        chosen = next((entry for entry in entries if str(entry.pk) == request.POST.get("kept")), None)
        kept = chosen or entries[0]
        others = [entry for entry in entries if entry.pk != kept.pk]
        # Merged only once its plan was shown for this very choice of the kept entry.
        confirmed = request.POST.get("confirm") == "yes" and request.POST.get("shown") == str(kept.pk)
        if chosen is None or not confirmed:
            plans = []
            for other in others:
                try:
                    plans.append({"other": other, "lines": list(merge(kept, other, dry_run=True).lines())[1:]})
                except MergeError as error:
                    plans.append({"other": other, "error": str(error)})
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Fusionner des fiches",
                "entries": entries,
                "kept": kept,
                "plans": plans,
                "action": "action_merge",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/curation/merge_confirmation.html", context)
        for other in others:
            try:
                report = merge(kept, other, user=request.user)
            except MergeError as error:
                self.message_user(request, f"{other} : {error}", messages.ERROR)
                continue
            self.message_user(request, " ".join(report.lines()), messages.SUCCESS)
        return None

    @admin.action(description="Soumettre à relecture", permissions=["change"])
    def action_submit(self, request, queryset):
        self._bulk_transition(request, queryset, "submit")

    @admin.action(description="Publier", permissions=["publish"])
    def action_publish(self, request, queryset):
        self._bulk_transition(request, queryset, "publish")

    @admin.action(description="Renvoyer en brouillon", permissions=["publish"])
    def action_return_to_draft(self, request, queryset):
        self._bulk_transition(request, queryset, "return_to_draft")

    @admin.action(description="Rouvrir en brouillon (fiches archivées)", permissions=["publish"])
    def action_reopen(self, request, queryset):
        self._bulk_transition(request, queryset, "reopen")

    @admin.action(description="Archiver (avec un motif)", permissions=["publish"])
    def action_archive(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._bulk_transition(request, queryset, "archive", reason=form.cleaned_data["reason"])
            return None
        return self._intermediate(request, queryset, "action_archive", "Archiver", form)

    @admin.action(description="Marquer comme relu (fiches publiées)", permissions=["change"])
    def action_mark_reviewed(self, request, queryset):
        done, refused = 0, 0
        for obj in queryset:
            try:
                services.mark_reviewed(obj, request.user)
                done += 1
            except TransitionError:
                refused += 1
        self.message_user(request, f"{done} fiche(s) marquée(s) comme relue(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{refused} fiche(s) non publiée(s) ignorée(s).", messages.WARNING)

    @admin.action(description="Ajouter un secteur", permissions=["change"])
    def action_add_sector(self, request, queryset):
        form = SectorForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            sector = form.cleaned_data["sector"]
            count = services.add_to_m2m(queryset, "sectors", sector, request.user)
            self.message_user(request, f"Secteur « {sector} » ajouté à {count} fiche(s).", messages.SUCCESS)
            return None
        return self._intermediate(request, queryset, "action_add_sector", "Ajouter un secteur", form)

    @admin.action(description="Ajouter un mot-clé", permissions=["change"])
    def action_add_tag(self, request, queryset):
        form = TagForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            tag = form.cleaned_data["tag"].strip()
            count = services.add_to_m2m(queryset, "tags", tag, request.user)
            self.message_user(request, f"Mot-clé « {tag} » ajouté à {count} fiche(s).", messages.SUCCESS)
            return None
        return self._intermediate(request, queryset, "action_add_tag", "Ajouter un mot-clé", form)

    def _intermediate(self, request, queryset, action, title, form):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/curation/action_form.html", context)
