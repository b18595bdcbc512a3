from django.urls import include, path

from associations import views

urlpatterns = [
    path("", include("associations.budgets.urls")),
    path("", include("associations.bank.urls")),
    path("", include("associations.documents.urls")),
    path("", views.association_list, name="association_list"),
    path("nouvelle/", views.association_create, name="association_create"),
    path("<int:pk>/", views.association_detail, name="association_detail"),
    path("<int:pk>/modifier/", views.association_edit, name="association_edit"),
    path(
        "<int:pk>/changements/nouveau/",
        views.governance_change_create,
        name="governance_change_create",
    ),
]
