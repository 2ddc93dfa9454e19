from django.contrib import admin

from actors.models import Actor
from actors.resources import ActorResource
from curation.admin_base import HTTPS_URLS, CuratedAdmin
from initiatives.models import Involvement


class InvolvementInline(admin.TabularInline):
    formfield_overrides = HTTPS_URLS
    model = Involvement
    extra = 0
    autocomplete_fields = ["initiative"]
    fields = ["initiative", "role", "since", "until", "note"]
    verbose_name = "implication dans une initiative"
    verbose_name_plural = "implications dans des initiatives"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("initiative")


@admin.register(Actor)
class ActorAdmin(CuratedAdmin):
    resource_classes = [ActorResource]
    check_duplicates = True
    list_display = ["name", "acronym", "kind", "parent", "territory", "publication_status", "updated_at", "public_link"]
    list_filter = ["publication_status", "kind", ("territory", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent", "territory"]
    search_fields = ["name", "acronym", "aliases", "slug", "siren", "annuaire_id", "website"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "territory"]
    inlines = [InvolvementInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "aliases", "slug", "kind", "parent"]}),
        ("Présentation", {"fields": ["description", "website", "territory"]}),
        ("Identifiants", {"fields": ["siren", "siret", "annuaire_id", "wikidata_qid", "forge_accounts"]}),
        ("Sources", {"fields": ["sources"]}),
    ]
