from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("proposer/", views.propose, name="propose"),
    path("initiatives/<slug:slug>/signaler/", views.report_correction, name="correction"),
    path("initiatives/<slug:slug>/historique/", views.initiative_history, name="history"),
    path("acteurs/<slug:slug>/historique/", views.actor_history, name="actor_history"),
    path("financements/<slug:slug>/historique/", views.scheme_history, name="scheme_history"),
]
