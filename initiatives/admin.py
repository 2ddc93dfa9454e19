from django.contrib import admin

from initiatives.models import (
    Award,
    CriterionAssessment,
    FundingEdition,
    FundingScheme,
    Initiative,
    Involvement,
    Sector,
    Territory,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "official_code", "siren", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "code", "official_code", "siren"]
    autocomplete_fields = ["parent"]


class InvolvementInline(admin.TabularInline):
    model = Involvement
    extra = 0
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "since", "until", "note"]


class CriterionInline(admin.TabularInline):
    model = CriterionAssessment
    extra = 0
    fields = ["criterion", "status", "evidence_url", "note"]


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    autocomplete_fields = ["edition"]
    fields = ["edition", "amount", "note"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "development_status", "publication_status", "updated_at"]
    list_filter = ["publication_status", "kind", "development_status", "territorial_scope", "sectors"]
    search_fields = ["name", "acronym", "aliases", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sectors", "territories"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [InvolvementInline, CriterionInline, AwardInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "aliases", "kind", "development_status", "publication_status"]}),
        ("Présentation", {"fields": ["summary", "description", "sectors", "tags", "launch_year", "logo_url"]}),
        ("Territoires", {"fields": ["territorial_scope", "territories"]}),
        ("Liens et licence", {"fields": ["website", "repository_url", "documentation_url", "licence"]}),
        ("Comment participer", {"fields": ["contact_point", "governance_url", "contributing_url", "how_to_contribute"]}),
        ("Logiques d'implication publique", {
            "fields": ["logic_free_software", "logic_sovereignty", "logic_public_action", "logic_resilience"]
        }),
        ("Identifiants", {"fields": ["wikidata_qid", "sill_id", "software_heritage_url"]}),
        ("Sources et suivi", {"fields": ["sources", "created_at", "updated_at"]}),
    ]


@admin.register(Involvement)
class InvolvementAdmin(admin.ModelAdmin):
    list_display = ["initiative", "actor", "role", "since", "until"]
    list_filter = ["role"]
    list_select_related = ["initiative", "actor"]
    search_fields = ["initiative__name", "actor__name", "actor__acronym"]
    autocomplete_fields = ["initiative", "actor"]


class EditionInline(admin.StackedInline):
    model = FundingEdition
    extra = 0
    fields = [
        ("label", "year"), ("opens_on", "closes_on"), ("budget", "laureates_count"),
        ("applicants_count", "applicants_count_is_minimum"), "url", "note", "sources",
    ]
    show_change_link = True


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "competitive", "total_budget", "publication_status", "updated_at"]
    list_filter = ["publication_status", "kind", "status", "competitive", "sectors"]
    search_fields = ["name", "slug", "summary", "operators__name", "operators__acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["operators", "funders", "sectors", "territory"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [EditionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "publication_status"]}),
        ("Présentation", {"fields": ["summary", "description", "url", "sectors", "territory"]}),
        ("Qui", {"fields": ["operators", "funders"]}),
        ("Éligibilité", {"fields": [
            "eligible_association", "eligible_local_authority", "eligible_company",
            "eligible_public_body", "eligible_individual", "competitive",
        ]}),
        ("Montants", {"fields": ["amount_min", "amount_max", "total_budget"]}),
        ("Sources et suivi", {"fields": ["sources", "created_at", "updated_at"]}),
    ]


class EditionAwardInline(admin.TabularInline):
    model = Award
    extra = 0
    autocomplete_fields = ["initiative"]
    fields = ["initiative", "amount", "note"]


@admin.register(FundingEdition)
class FundingEditionAdmin(admin.ModelAdmin):
    list_display = ["scheme", "label", "year", "opens_on", "closes_on", "budget", "laureates_count"]
    list_select_related = ["scheme"]
    search_fields = ["scheme__name", "label"]
    autocomplete_fields = ["scheme"]
    inlines = [EditionAwardInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["initiative", "edition", "amount"]
    list_select_related = ["initiative", "edition__scheme"]
    search_fields = ["initiative__name", "edition__scheme__name", "edition__label"]
    autocomplete_fields = ["initiative", "edition"]
