from django.contrib import admin
from django.urls import include, path

from communs import health, views

# Curators work in the admin: name it after the directory, not after the framework.
admin.site.site_header = "Annuaire des communs numériques : espace éditorial"
admin.site.site_title = "Espace éditorial"
admin.site.index_title = "Fiches, suggestions et qualité des données"

urlpatterns = [
    path("sante/", health.health, name="health"),
    path("healthz", health.health),
    path("admin/", admin.site.urls),
    path("api/v1/", include("communs.api")),
    path("", views.home, name="home"),
    path("a-propos/", views.about, name="about"),
    path("acteurs/", include("actors.urls")),
    path("financements/", include("funding.urls")),
    path("", include("curation.urls")),
    # Before the initiatives' own URLs: /initiatives/<slug>/publiccode.yml is the catalogues' export.
    path("", include("catalogues.urls")),
    path("", include("initiatives.urls")),
]

handler404 = "communs.views.page_not_found"
handler500 = "communs.outage.server_error"
