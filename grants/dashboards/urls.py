from django.urls import path

from grants.dashboards import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:block>.xlsx", views.dashboard_export, name="dashboard_export"),
    path("annexe-subventions/", views.annex_list, name="annex_list"),
    path("annexe-subventions/liste.xlsx", views.annex_xlsx, name="annex_xlsx"),
    path("annexe-subventions/liste.pdf", views.annex_pdf, name="annex_pdf"),
]
