from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("proposer/", views.propose, name="propose"),
    path("initiatives/<slug:slug>/signaler/", views.report_correction, name="correction"),
    path("initiatives/<slug:slug>/historique/", views.initiative_history, name="history"),
]
