from django.contrib import admin

from curation.admin_base import HTTPS_URLS, CuratedAdmin, VersionedAdmin
from funding.models import Award, FundingEdition, FundingScheme
from funding.resources import FundingSchemeResource


class EditionInline(admin.StackedInline):
    formfield_overrides = HTTPS_URLS
    model = FundingEdition
    extra = 0
    fields = [
        ("label", "year"),
        ("opens_on", "closes_on"),
        ("budget", "laureates_count"),
        ("applicants_count", "applicants_count_is_minimum"),
        "url",
        "note",
        "laureate_names",
        "sources",
    ]
    show_change_link = True


@admin.register(FundingScheme)
class FundingSchemeAdmin(CuratedAdmin):
    resource_classes = [FundingSchemeResource]
    bulk_m2m_sectors = True
    list_display = [
        "name",
        "kind",
        "status",
        "competitive",
        "total_budget",
        "publication_status",
        "updated_at",
        "public_link",
    ]
    list_filter = [
        "publication_status",
        "kind",
        "status",
        "competitive",
        ("sectors", admin.RelatedOnlyFieldListFilter),
        ("territory", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["territory"]
    search_fields = ["name", "slug", "summary", "operators__name", "operators__acronym"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["operators", "funders", "sectors", "territory"]
    inlines = [EditionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status"]}),
        ("Présentation", {"fields": ["summary", "description", "url", "sectors", "territory"]}),
        ("Qui", {"fields": ["operators", "funders"]}),
        (
            "Éligibilité",
            {
                "fields": [
                    "eligible_association",
                    "eligible_local_authority",
                    "eligible_company",
                    "eligible_public_body",
                    "eligible_individual",
                    "competitive",
                ]
            },
        ),
        ("Montants", {"fields": ["amount_min", "amount_max", "total_budget"]}),
        ("Sources", {"fields": ["sources"]}),
    ]


class EditionAwardInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Award
    extra = 0
    autocomplete_fields = ["initiative"]
    fields = ["initiative", "amount", "note"]


@admin.register(FundingEdition)
class FundingEditionAdmin(VersionedAdmin):
    list_display = ["scheme", "label", "year", "opens_on", "closes_on", "budget", "laureates_count"]
    list_select_related = ["scheme"]
    list_filter = ["year"]
    search_fields = ["scheme__name", "label"]
    autocomplete_fields = ["scheme"]
    inlines = [EditionAwardInline]


@admin.register(Award)
class AwardAdmin(VersionedAdmin):
    list_display = ["initiative", "edition", "amount"]
    list_select_related = ["initiative", "edition__scheme"]
    search_fields = ["initiative__name", "edition__scheme__name", "edition__label"]
    autocomplete_fields = ["initiative", "edition"]
