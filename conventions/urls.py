from django.urls import include, path

from conventions import views

urlpatterns = [
    path("", views.convention_list, name="convention_list"),
    path("nouvelle/", views.convention_create, name="convention_create"),
    path("nouvelle/choix/", views.convention_choices, name="convention_choices"),
    path("<int:pk>/saisie-papier/", views.convention_paper_edit, name="convention_paper_edit"),
    path(
        "subventions-sans-convention/",
        views.grants_missing_convention,
        name="grants_missing_convention",
    ),
    path("<int:pk>/", views.convention_detail, name="convention_detail"),
    path("<int:pk>/modifier/", views.convention_edit, name="convention_edit"),
    path(
        "<int:pk>/annexes/<slug:annex>/", views.convention_annex_edit, name="convention_annex_edit"
    ),
    path("<int:pk>/pdf/", views.convention_pdf, name="convention_pdf"),
    path("<int:pk>/pdf/generer/", views.convention_pdf_generate, name="convention_pdf_generate"),
    path(
        "<int:pk>/exemplaire-signe/",
        views.convention_signed_upload,
        name="convention_signed_upload",
    ),
    path("<int:pk>/etape/<slug:step>/", views.convention_step, name="convention_step"),
    path("<int:pk>/avenants/nouveau/", views.amendment_create, name="amendment_create"),
    path("", include("conventions.justificatifs.urls")),
]
