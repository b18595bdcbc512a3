from django.urls import path

from associations.bank import views

urlpatterns = [
    path(
        "<int:pk>/coordonnees-bancaires/nouvelles/",
        views.bank_details_submit,
        name="bank_details_submit",
    ),
    path("coordonnees-bancaires/", views.bank_details_pending, name="bank_details_pending"),
    path(
        "coordonnees-bancaires/<int:pk>/",
        views.bank_details_review,
        name="bank_details_review",
    ),
    path("coordonnees-bancaires/<int:pk>/rib/", views.bank_details_rib, name="bank_details_rib"),
]
