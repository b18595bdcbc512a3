from django.urls import path

from grants.accounts import views

urlpatterns = [
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
