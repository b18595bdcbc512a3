"""The public page of an authority's aid campaigns (/aides/<SIREN>/), no login needed."""

from django.urls import path

import grants.opendata.urls  # noqa: F401  (registers the "siren" path converter)
from grants.requests import campaign_views

urlpatterns = [
    path("<siren:siren>/", campaign_views.public_campaigns, name="public_campaigns"),
]
