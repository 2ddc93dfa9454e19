from django.urls import path

from catalogues import views

app_name = "catalogues"

urlpatterns = [
    path("initiatives/<slug:slug>/publiccode.yml", views.publiccode_yml, name="publiccode"),
]
