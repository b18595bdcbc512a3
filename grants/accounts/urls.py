from django.urls import path

from grants.accounts import views

urlpatterns = [
    path("agents/", views.staff_list, name="staff_list"),
    path("agents/nouveau/", views.staff_create, name="staff_create"),
    path("agents/<int:pk>/", views.staff_edit, name="staff_edit"),
    path(
        "associations/<int:pk>/gestionnaires/inviter/",
        views.invite_manager,
        name="invite_manager",
    ),
    path(
        "compte/invitation/<uidb64>/<token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
]
