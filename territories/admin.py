from django.contrib import admin

from territories.models import Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    # Reference data imported from INSEE (import_territories): not versioned.
    list_display = ["name", "kind", "code", "official_code", "siren", "parent", "epci"]
    list_filter = ["kind"]
    list_select_related = ["parent", "epci"]
    search_fields = ["name", "code", "official_code", "siren"]
    autocomplete_fields = ["parent", "epci"]
