"""The application's URLs plus the bench's floor pages (grants.bench): never in production."""

from django.urls import path

from grants import bench
from grants.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("__plancher__/<slug:slug>/", bench.floor_view, name="bench_floor"),
    *app_urlpatterns,
]
