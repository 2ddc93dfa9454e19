from django.urls import path

from territories import views

app_name = "territories"

urlpatterns = [
    path("", views.territory_index, name="index"),
    path("<slug:code>/", views.territory_detail, name="detail"),
]
