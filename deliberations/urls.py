from django.urls import path

from deliberations import light, views

urlpatterns = [
    path("", views.deliberation_list, name="deliberation_list"),
    path("nouvelle/", views.deliberation_create, name="deliberation_create"),
    path("nouvelle/simplifiee/", light.light_create, name="deliberation_light_create"),
    path("<int:pk>/simplifiee/", light.light_edit, name="deliberation_light_edit"),
    path("<int:pk>/completer/", light.light_complete, name="deliberation_light_complete"),
    path("<int:pk>/", views.deliberation_detail, name="deliberation_detail"),
    path("<int:pk>/modifier/", views.deliberation_edit, name="deliberation_edit"),
    path(
        "<int:pk>/transmission/", views.deliberation_transmission, name="deliberation_transmission"
    ),
    path("<int:pk>/supprimer/", views.deliberation_delete, name="deliberation_delete"),
    path("<int:pk>/extrait.pdf", views.deliberation_extract, name="deliberation_extract"),
    path(
        "<int:pk>/extrait/regenerer/",
        views.deliberation_extract_regenerate,
        name="deliberation_extract_regenerate",
    ),
    path(
        "<int:pk>/conventions/pdf/",
        views.deliberation_convention_pdfs,
        name="deliberation_convention_pdfs",
    ),
    path("seances/", views.session_list, name="session_list"),
    path("seances/nouvelle/", views.session_create, name="session_create"),
    path("seances/<int:pk>/", views.session_detail, name="session_detail"),
    path("seances/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("seances/<int:pk>/presences/", views.session_attendance, name="session_attendance"),
    path("instances/", views.body_list, name="body_list"),
    path("instances/nouvelle/", views.body_create, name="body_create"),
    path("instances/<int:pk>/", views.body_detail, name="body_detail"),
    path("instances/<int:pk>/modifier/", views.body_edit, name="body_edit"),
    path("instances/<int:pk>/membres/nouveau/", views.member_create, name="member_create"),
    path(
        "instances/<int:pk>/membres/plusieurs/",
        views.member_bulk_create,
        name="member_bulk_create",
    ),
    path("membres/<int:pk>/modifier/", views.member_edit, name="member_edit"),
]
