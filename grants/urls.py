from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from grants import views
from grants.auth_forms import TaskPasswordResetForm
from grants.requests.campaigns import authorities_taking_requests

auth_patterns = [
    path(
        "connexion/",
        # A callable: the template calls it on every rendering of the page.
        auth_views.LoginView.as_view(
            extra_context={"aid_authorities": authorities_taking_requests}
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(form_class=TaskPasswordResetForm),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("grants.accounts.urls")),
    path("compte/", include(auth_patterns)),
    path("associations/", include("associations.urls")),
    path("deliberations/", include("deliberations.urls")),
    path("conventions/", include("conventions.urls")),
    path("finances/", include("grants.finance.urls")),
    path("subventions/", include("grants.smallgrants.urls")),
    path("demandes/", include("grants.requests.urls")),
    path("aides/", include("grants.requests.public_urls")),
    path("indicateurs/", include("associations.indicators.urls")),
    path("taches/", include("grants.jobs.urls")),
    path("notifications/", include("conventions.notifications.urls")),
    path("donnees-ouvertes/", include("grants.opendata.urls")),
    path("tableaux-de-bord/", include("grants.dashboards.urls")),
    path("recherche/", include("grants.autocomplete.urls")),
    path("admin/", admin.site.urls),
]
