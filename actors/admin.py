from django.contrib import admin

from actors.models import Actor
from initiatives.models import Involvement


class InvolvementInline(admin.TabularInline):
    model = Involvement
    extra = 0
    autocomplete_fields = ["initiative"]
    fields = ["initiative", "role", "since", "until", "note"]
    verbose_name = "implication dans une initiative"
    verbose_name_plural = "implications dans des initiatives"


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "parent", "territory", "publication_status", "updated_at"]
    list_filter = ["publication_status", "kind"]
    list_select_related = ["parent", "territory"]
    search_fields = ["name", "acronym", "slug", "siren"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "territory"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [InvolvementInline]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "kind", "parent", "publication_status"]}),
        ("Présentation", {"fields": ["description", "website", "territory"]}),
        ("Identifiants", {"fields": ["siren", "siret", "wikidata_qid"]}),
        ("Sources et suivi", {"fields": ["sources", "created_at", "updated_at"]}),
    ]
