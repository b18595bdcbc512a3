"""URLs of subsidy requests: the association's filing, staff's instruction, the decisions."""

from django.urls import path  # noqa: F401

urlpatterns = [
    # -- the association's filing (filing_views.py) ----------------------------------------
    # -- staff: schemes, campaigns, instruction (views.py) ---------------------------------
    # -- from proposals to the deliberation (decision_views.py) ----------------------------
]
