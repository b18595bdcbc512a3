"""The project's URLs plus placeholders for `request_detail` and `campaign_detail`, which the
instruction part of the requests builds on its own branch: the decision tests reverse them
(notifications link to the request). At merge, drop the two placeholders and the
`pytest.mark.urls` of the decision tests."""

from django.http import HttpResponse
from django.urls import include, path

from grants import urls as project_urls


def _placeholder(request, pk):
    return HttpResponse(f"page {pk}")


urlpatterns = [
    path("", include(project_urls)),
    path("demandes-test/<int:pk>/", _placeholder, name="request_detail"),
    path("demandes-test/campagnes/<int:pk>/", _placeholder, name="campaign_detail"),
]
