from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("communs.api")),
    path("acteurs/", include("actors.urls")),
    path("", include("curation.urls")),
    path("", include("initiatives.urls")),
]

handler404 = "initiatives.views.page_not_found"
