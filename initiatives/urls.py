from django.urls import path

from initiatives import feeds, statistics, views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.initiative_list, name="list"),
    path("label/", views.commons_label, name="label"),
    path("initiatives/flux.atom", feeds.atom, name="feed-atom"),
    path("initiatives/flux.rss", feeds.rss, name="feed-rss"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="detail"),
    path("statistiques/", statistics.statistics, name="statistics"),
    path("statistiques/<slug:chart>.csv", statistics.statistics_csv, name="statistics-csv"),
    path("secteurs/<slug:slug>/", views.sector_detail, name="sector"),
]
