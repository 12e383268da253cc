from django.urls import path

from partnerships import feeds, views

app_name = "partnerships"

urlpatterns = [
    path("cities/", views.CityListView.as_view(), name="city-list"),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
    path("map/", views.NetworkMapView.as_view(), name="map"),
    path("links/", views.LinkListView.as_view(), name="link-list"),
    path("links/events.atom", feeds.LinkEventsFeed(), name="events-feed"),
    path("links/<slug:slug>/", views.LinkDetailView.as_view(), name="link-detail"),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("statements/feed.atom", feeds.StatementsFeed(), name="statements-feed"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
]
