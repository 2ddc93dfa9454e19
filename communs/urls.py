from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.utils.module_loading import autodiscover_modules
from django.views.generic import RedirectView

from communs import health, views
from communs.sitemaps import SITEMAPS, robots_txt

# Each feature app adds its pages to the sitemap in its sitemaps.py (as it adds its endpoints in api.py).
autodiscover_modules("sitemaps")

# Curators work in the admin: name it after the directory, not after the framework.
admin.site.site_header = "Annuaire des communs numériques : espace éditorial"
admin.site.site_title = "Espace éditorial"
admin.site.index_title = "Fiches, suggestions et qualité des données"

urlpatterns = [
    path("sante/", health.health, name="health"),
    path("healthz", health.health),
    path("admin/", admin.site.urls),
    # Django's default LOGIN_REDIRECT_URL: a curator signed in without a `next` lands in their space.
    path("accounts/profile/", RedirectView.as_view(url="/admin/")),
    path("robots.txt", robots_txt),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"}, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("api/v1/", include("communs.api")),
]

# The site's pages in each language: French unprefixed, English under /en/ (communs/locale.py).
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("a-propos/", views.about, name="about"),
    path("acteurs/", include("actors.urls")),
    path("financements/", include("funding.urls")),
    path("", include("curation.urls")),
    # Before the initiatives' own URLs: /initiatives/<slug>/publiccode.yml is the catalogues' export.
    path("", include("catalogues.urls")),
    path("", include("initiatives.urls")),
    path("territoires/", include("territories.urls")),
    prefix_default_language=False,
)

handler404 = "communs.views.page_not_found"
handler500 = "communs.outage.server_error"
