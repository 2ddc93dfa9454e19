from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("<slug:slug>/", views.scheme_detail, name="detail"),
]
