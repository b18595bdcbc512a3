from django.urls import path

from grants.smallgrants import views

urlpatterns = [
    path("<int:pk>/", views.small_grant_detail, name="small_grant_detail"),
    path("<int:pk>/lettre/", views.letter_generate, name="small_grant_letter_generate"),
    path("<int:pk>/lettre.pdf", views.letter_download, name="small_grant_letter_download"),
    path("<int:pk>/versement/", views.single_payment_request, name="single_payment_request"),
    path(
        "<int:pk>/compte-rendu/",
        views.financial_report_upload,
        name="financial_report_upload",
    ),
    path(
        "<int:pk>/compte-rendu/fichier/",
        views.financial_report_download,
        name="financial_report_download",
    ),
]
