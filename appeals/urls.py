from django.urls import path

from appeals import feeds, views

app_name = "appeals"

urlpatterns = [
    path("", views.AppealListView.as_view(), name="list"),
    path("updates.atom", feeds.AppealUpdatesFeed(), name="updates-feed"),
    path("donate/<int:route_id>/", views.donate, name="donate"),
    path("<slug:slug>/", views.AppealDetailView.as_view(), name="detail"),
]
