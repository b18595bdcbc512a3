from django.urls import path

from grants.finance import views
from grants.jobs import views as job_views

urlpatterns = [
    path("", views.finance_queue, name="finance_queue"),
    path(
        "versements/export.xlsx",
        views.finance_export,
        {"kind": "versements"},
        name="payment_export",
    ),
    path("versements/<int:pk>/service-fait/", views.payment_certify, name="payment_certify"),
    path("versements/<int:pk>/rejet/", views.payment_reject, name="payment_reject"),
    path("versements/<int:pk>/mandat/", views.payment_order, name="payment_order"),
    path("versements/<int:pk>/paiement/", views.payment_paid, name="payment_paid"),
    path("lignes/", views.budget_line_list, name="budget_line_list"),
    path(
        "lignes/export.xlsx",
        views.finance_export,
        {"kind": "lignes"},
        name="budget_line_export",
    ),
    path("lignes/nouvelle/", views.budget_line_create, name="budget_line_create"),
    path("lignes/<int:pk>/", views.budget_line_detail, name="budget_line_detail"),
    path("lignes/<int:pk>/modifier/", views.budget_line_edit, name="budget_line_edit"),
    path("subventions/", views.finance_grant_list, name="finance_grant_list"),
    path(
        "subventions/export.xlsx",
        views.finance_export,
        {"kind": "subventions"},
        name="grant_export",
    ),
    path("subventions/<int:pk>/engager/", views.grant_commit, name="grant_commit"),
    path("engagements/<int:pk>/annuler/", views.commitment_cancel, name="commitment_cancel"),
    path("conventions/<int:pk>/versements/", views.payment_timeline, name="payment_timeline"),
    path(
        "conventions/<int:pk>/versements/demande/<str:kind>/",
        views.payment_request,
        name="payment_request",
    ),
    path(
        "conventions/<int:pk>/reversements/nouveau/",
        views.clawback_create,
        name="clawback_create",
    ),
    path("reversements/", views.clawback_list, name="clawback_list"),
    path(
        "reversements/export.xlsx",
        views.finance_export,
        {"kind": "reversements"},
        name="clawback_export",
    ),
    # Former addresses of the export jobs, now generic background jobs (grants.jobs).
    path("exports/<uuid:pk>/", job_views.job_detail, name="export_job_detail"),
    path("exports/<uuid:pk>/telecharger/", job_views.job_download, name="export_job_download"),
]
