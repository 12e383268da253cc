"""A URLconf in which the health check lives at another address."""

from django.urls import path

from twinning import views

urlpatterns = [path("elsewhere/healthz", views.healthz, name="healthz")]
