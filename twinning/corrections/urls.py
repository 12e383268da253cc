from django.urls import path

from twinning.corrections import views

app_name = "corrections"

urlpatterns = [
    path("new/city/<slug:ref>/", views.new_correction, {"kind": "city"}, name="new-city"),
    path("new/city/<slug:ref>/sent/", views.correction_sent, {"kind": "city"}, name="sent-city"),
    path("new/link/<slug:ref>/", views.new_correction, {"kind": "link"}, name="new-link"),
    path("new/link/<slug:ref>/sent/", views.correction_sent, {"kind": "link"}, name="sent-link"),
    path("new/statement/<int:ref>/", views.new_correction, {"kind": "statement"}, name="new-statement"),
    path(
        "new/statement/<int:ref>/sent/", views.correction_sent, {"kind": "statement"}, name="sent-statement"
    ),
    path("new/appeal/<slug:ref>/", views.new_correction, {"kind": "appeal"}, name="new-appeal"),
    path("new/appeal/<slug:ref>/sent/", views.correction_sent, {"kind": "appeal"}, name="sent-appeal"),
]
