from django.urls import path

from associations.budgets import views

urlpatterns = [
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/modele.xlsx", views.budget_template, name="budget_template"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budgets/<int:pk>/saisie/", views.budget_edit, name="budget_edit"),
    path("budgets/<int:pk>/import/", views.budget_import_view, name="budget_import"),
    path("budgets/<int:pk>/export.xlsx", views.budget_export, name="budget_export"),
    path("budgets/<int:pk>/supprimer/", views.budget_delete_view, name="budget_delete"),
    path("<int:pk>/budgets/", views.association_budget_list, name="association_budget_list"),
    path("<int:pk>/budgets/nouveau/", views.budget_create_view, name="budget_create"),
]
