from django.urls import path

from grants.autocomplete import views

urlpatterns = [
    path("associations/", views.associations, name="autocomplete_associations"),
    path("deliberations/", views.deliberations, name="autocomplete_deliberations"),
    path("conventions/", views.conventions, name="autocomplete_conventions"),
    path("budgets/", views.budgets, name="autocomplete_budgets"),
    path("lignes-budgetaires/", views.budget_lines, name="autocomplete_budget_lines"),
    path("comptes/", views.users, name="autocomplete_users"),
]
