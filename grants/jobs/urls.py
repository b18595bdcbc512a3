from django.urls import path

from grants.jobs import views

urlpatterns = [
    path("<uuid:pk>/", views.job_detail, name="job_detail"),
    path("<uuid:pk>/etat/", views.job_status, name="job_status"),
    path("<uuid:pk>/fichier/", views.job_download, name="job_download"),
    path("<uuid:pk>/relancer/", views.job_retry, name="job_retry"),
]
