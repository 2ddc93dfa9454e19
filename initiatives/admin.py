from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path

from curation.admin_base import HTTPS_URLS, CuratedAdmin, VersionedAdmin
from funding.models import Award
from initiatives import derivations
from initiatives.models import (
    Category,
    CriterionAssessment,
    Deployment,
    DeploymentRedirect,
    Derivation,
    Initiative,
    Involvement,
    Sector,
)
from initiatives.resources import InitiativeResource


@admin.register(Sector)
class SectorAdmin(VersionedAdmin):
    list_display = ["name", "slug", "publiccode_scope"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """publiccode.yml's categories: the standard's list, read here, never added to or renamed."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvolvementInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Involvement
    extra = 0
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "since", "until", "note"]


class CriterionInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = CriterionAssessment
    extra = 0
    fields = ["criterion", "status", "evidence_url", "note"]


class AwardInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Award
    extra = 0
    autocomplete_fields = ["edition"]
    fields = ["edition", "amount", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition__scheme")


@admin.register(Initiative)
class InitiativeAdmin(CuratedAdmin):
    resource_classes = [InitiativeResource]
    check_duplicates = True
    bulk_m2m_sectors = True
    bulk_tags = True
    list_display = [
        "name",
        "acronym",
        "kind",
        "development_status",
        "publication_status",
        "updated_at",
        "public_link",
    ]
    list_filter = [
        "publication_status",
        "kind",
        "development_status",
        "territorial_scope",
        ("sectors", admin.RelatedOnlyFieldListFilter),
        ("territories", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "acronym", "aliases", "slug", "summary", "website", "repository_url"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["categories", "sectors", "territories"]
    inlines = [InvolvementInline, CriterionInline, AwardInline]
    change_list_template = "admin/curation/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "aliases", "kind", "development_status"]}),
        (
            "Présentation",
            {"fields": ["summary", "description", "categories", "sectors", "tags", "launch_year", "logo_url"]},
        ),
        ("Territoires", {"fields": ["territorial_scope", "territories"]}),
        ("Liens et licence", {"fields": ["website", "repository_url", "documentation_url", "licence"]}),
        (
            "Comment participer",
            {"fields": ["contact_point", "governance_url", "contributing_url", "how_to_contribute"]},
        ),
        (
            "Logiques d'implication publique",
            {"fields": ["logic_free_software", "logic_sovereignty", "logic_public_action", "logic_resilience"]},
        ),
        ("Identifiants", {"fields": ["wikidata_qid", "sill_id", "software_heritage_url"]}),
        ("Sources", {"fields": ["sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_urls(self):
        from curation.views_admin import data_quality

        return [
            path("qualite/", self.admin_site.admin_view(data_quality), name="curation_data_quality"),
            *super().get_urls(),
        ]


@admin.register(Involvement)
class InvolvementAdmin(VersionedAdmin):
    list_display = ["initiative", "actor", "role", "since", "until"]
    list_filter = ["role"]
    list_select_related = ["initiative", "actor"]
    search_fields = ["initiative__name", "actor__name", "actor__acronym"]
    autocomplete_fields = ["initiative", "actor"]


@admin.register(Deployment)
class DeploymentAdmin(VersionedAdmin):
    """The uses of the commons. A curator's value wins: an import writes a field only while it still holds
    what that import gave (catalogues/importing.py)."""

    list_display = ["initiative", "actor", "name", "url", "territory", "since", "publication_status"]
    list_filter = ["publication_status"]
    list_select_related = ["initiative", "actor", "territory"]
    search_fields = ["initiative__name", "actor__name", "actor__acronym", "name", "url"]
    autocomplete_fields = ["initiative", "actor", "territory"]
    fields = ["initiative", "actor", "name", "url", "territory", "since", "note", "publication_status", "sources"]


@admin.register(DeploymentRedirect)
class DeploymentRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "deployment"]
    search_fields = ["old_slug"]
    autocomplete_fields = ["deployment"]


@admin.register(CriterionAssessment)
class CriterionAssessmentAdmin(VersionedAdmin):
    list_display = ["initiative", "criterion", "status"]
    list_filter = ["criterion", "status"]
    list_select_related = ["initiative"]
    search_fields = ["initiative__name"]
    autocomplete_fields = ["initiative"]


@admin.register(Derivation)
class DerivationAdmin(admin.ModelAdmin):
    """The work queue of derived facts: the entries most linked to (actors, funding) first, so that
    what users reach most is confirmed first; confirmed or rejected in bulk, with history."""

    list_display = ["initiative", "fact", "shown_value", "rule", "source", "status"]
    list_filter = ["status", "fact", "source"]
    list_select_related = ["initiative", "source"]
    search_fields = ["initiative__name", "initiative__slug", "value", "label", "rule"]
    readonly_fields = [field.name for field in Derivation._meta.fields]
    actions = ["confirm_selected", "reject_selected"]
    change_list_template = "admin/initiatives/derivation/change_list.html"

    @admin.display(description="valeur")
    def shown_value(self, obj):
        return obj.label or obj.value

    def get_queryset(self, request):
        links = Count("initiative__involvements", distinct=True) + Count("initiative__awards", distinct=True)
        return super().get_queryset(request).annotate(links=links).order_by("-links", "initiative__name", "fact")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Confirmer les faits déduits sélectionnés", permissions=["change"])
    def confirm_selected(self, request, queryset):
        count, entries = derivations.confirm(Derivation.objects.filter(pk__in=queryset.values("pk")), request.user)
        self.message_user(request, f"{count} faits confirmés sur {entries} fiches.", messages.SUCCESS)

    @admin.action(description="Rejeter les faits déduits sélectionnés", permissions=["change"])
    def reject_selected(self, request, queryset):
        count, entries = derivations.reject(Derivation.objects.filter(pk__in=queryset.values("pk")), request.user)
        self.message_user(request, f"{count} faits rejetés sur {entries} fiches : ils ne seront plus appliqués.")

    def get_urls(self):
        return [
            path("couverture/", self.admin_site.admin_view(self.coverage_view), name="initiatives_derivation_coverage"),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Couverture des fiches", **derivations.coverage()}
        return TemplateResponse(request, "admin/initiatives/derivation/coverage.html", context)
