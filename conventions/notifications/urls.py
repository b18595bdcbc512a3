"""Mounted under /notifications/ by grants/urls.py."""

from django.urls import path

from conventions.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("tout-lu/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("<int:pk>/", views.notification_open, name="notification_open"),
]
