from django.urls import path

from funding import calendar, views

app_name = "funding"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("calendrier.ics", calendar.calendar_feed, name="calendar"),
    path("<slug:slug>/", views.scheme_detail, name="detail"),
    path("<slug:slug>/calendrier.ics", calendar.scheme_calendar, name="scheme-calendar"),
]
