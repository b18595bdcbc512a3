"""URLs of subsidy requests: the association's filing, staff's instruction, the decisions."""

from django.urls import path

from grants.requests import decision_views

urlpatterns = [
    # -- the association's filing (filing_views.py) ----------------------------------------
    # -- staff: schemes, campaigns, instruction (views.py) ---------------------------------
    # -- from proposals to the deliberation (decision_views.py) ----------------------------
    path(
        "campagnes/<int:pk>/deliberation/",
        decision_views.campaign_deliberation_prepare,
        name="campaign_deliberation_prepare",
    ),
    path(
        "deliberations/<int:pk>/documents/",
        decision_views.deliberation_request_documents,
        name="deliberation_request_documents",
    ),
    path(
        "<int:pk>/lettre-de-refus/generer/",
        decision_views.request_refusal_letter_generate,
        name="request_refusal_letter_generate",
    ),
    path(
        "<int:pk>/lettre-de-refus.pdf",
        decision_views.request_refusal_letter_download,
        name="request_refusal_letter_download",
    ),
]
