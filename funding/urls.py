from django.urls import path

from funding import calendar, feeds, views

app_name = "funding"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("flux.atom", feeds.atom, name="feed-atom"),
    path("flux.rss", feeds.rss, name="feed-rss"),
    path("calendrier.ics", calendar.calendar_feed, name="calendar"),
    path("<slug:slug>/", views.scheme_detail, name="detail"),
    path("<slug:slug>/calendrier.ics", calendar.scheme_calendar, name="scheme-calendar"),
]
