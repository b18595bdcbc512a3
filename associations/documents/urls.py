from django.urls import path

from associations.documents import views

urlpatterns = [
    path("<int:pk>/documents/", views.document_list, name="association_documents"),
    path(
        "<int:pk>/documents/<slug:kind>/deposer/",
        views.document_upload,
        name="association_document_upload",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/fichier/",
        views.document_download,
        name="association_document_download",
    ),
]
