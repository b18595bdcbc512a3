"""Mounted under /conventions/ by conventions/urls.py."""

from django.urls import path

from conventions.justificatifs import views

urlpatterns = [
    path("justificatifs/", views.justificatif_queue, name="justificatif_queue"),
    path(
        "justificatifs/<int:justificatif_pk>/examen/",
        views.justificatif_review,
        name="justificatif_review",
    ),
    path("<int:pk>/justificatifs/", views.justificatif_list, name="justificatif_list"),
    path(
        "<int:pk>/justificatifs/deposer/<slug:kind>/",
        views.justificatif_upload,
        name="justificatif_upload",
    ),
    path(
        "<int:pk>/justificatifs/<int:justificatif_pk>/",
        views.justificatif_download,
        name="justificatif_download",
    ),
]
