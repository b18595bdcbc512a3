from django.urls import path, register_converter

from grants.opendata import views


class SirenConverter:
    regex = "[0-9]{9}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(SirenConverter, "siren")
register_converter(YearConverter, "year")

urlpatterns = [
    path("gestion/", views.staff_page, name="opendata_staff"),
    path("gestion/import/", views.import_upload, name="opendata_import_upload"),
    path("gestion/import/<int:pk>/", views.batch_detail, name="opendata_batch"),
    path("gestion/import/<int:pk>/colonnes/", views.batch_mapping, name="opendata_batch_mapping"),
    path("gestion/import/<int:pk>/importer/", views.batch_confirm, name="opendata_batch_confirm"),
    path("gestion/import/<int:pk>/abandonner/", views.batch_cancel, name="opendata_batch_cancel"),
    path("<siren:siren>/", views.public_authority, name="opendata_public"),
    path("<siren:siren>/subventions-<year:year>.csv", views.public_csv, name="opendata_csv"),
]
