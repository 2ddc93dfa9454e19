from django.contrib import admin
from django.urls import path

from curation.admin_base import HTTPS_URLS, CuratedAdmin, VersionedAdmin
from funding.models import Award
from initiatives.models import CriterionAssessment, Initiative, Involvement, Sector
from initiatives.resources import InitiativeResource


@admin.register(Sector)
class SectorAdmin(VersionedAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


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
    autocomplete_fields = ["sectors", "territories"]
    inlines = [InvolvementInline, CriterionInline, AwardInline]
    change_list_template = "admin/curation/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "aliases", "kind", "development_status"]}),
        ("Présentation", {"fields": ["summary", "description", "sectors", "tags", "launch_year", "logo_url"]}),
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


@admin.register(CriterionAssessment)
class CriterionAssessmentAdmin(VersionedAdmin):
    list_display = ["initiative", "criterion", "status"]
    list_filter = ["criterion", "status"]
    list_select_related = ["initiative"]
    search_fields = ["initiative__name"]
    autocomplete_fields = ["initiative"]
