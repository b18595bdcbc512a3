from django.urls import path

from grants.accounts import review_views, signup_views, views

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
    # A person opens the account of their association from the authority's page.
    path("aides/<str:siren>/inscription/", signup_views.signup_view, name="signup"),
    path("compte/inscription/envoye/", signup_views.signup_sent, name="signup_sent"),
    path("compte/inscription/renvoyer/", signup_views.signup_resend, name="signup_resend"),
    path(
        "compte/inscription/<uidb64>/<token>/",
        signup_views.signup_confirm,
        name="signup_confirm",
    ),
    path(
        "compte/rattacher/", signup_views.association_attach_start, name="association_attach_start"
    ),
    path(
        "aides/<str:siren>/rattacher/",
        signup_views.association_attach,
        name="association_attach",
    ),
    path(
        "aides/<str:siren>/rattacher/nouvelle/",
        signup_views.association_attach_create,
        name="association_attach_create",
    ),
    # Staff decide who manages their authority's associations.
    path("demandes-acces/", review_views.access_request_list, name="access_request_list"),
    path(
        "demandes-acces/<int:pk>/",
        review_views.access_request_review,
        name="access_request_review",
    ),
]
