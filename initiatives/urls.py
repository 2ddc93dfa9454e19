from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/", views.initiative_list, name="list"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("financements/", views.scheme_list, name="schemes"),
    path("financements/<slug:slug>/", views.scheme_detail, name="scheme"),
    path("secteurs/<slug:slug>/", views.sector_detail, name="sector"),
    path("territoires/<slug:code>/", views.territory_detail, name="territory"),
    path("a-propos/", views.about, name="about"),
]
