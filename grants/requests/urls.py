"""URLs of subsidy requests: the association's filing, staff's instruction, the decisions."""

from django.urls import path

from grants.requests import filing_views

urlpatterns = [
    # -- the association's filing (filing_views.py) ----------------------------------------
    path("mes-demandes/", filing_views.request_list_mine, name="request_list_mine"),
    path(
        "campagnes/<int:campaign_pk>/nouvelle-demande/",
        filing_views.request_new,
        name="request_new",
    ),
    path("<int:pk>/reprendre/", filing_views.request_resume, name="request_resume"),
    path("<int:pk>/etapes/<slug:step>/", filing_views.request_step, name="request_step"),
    path(
        "<int:pk>/etapes/<slug:step>/enregistrer/",
        filing_views.request_step_autosave,
        name="request_step_autosave",
    ),
    path("<int:pk>/budgets/<slug:which>/", filing_views.request_budget, name="request_budget"),
    path("<int:pk>/deposer/", filing_views.request_submit, name="request_submit"),
    # -- staff: schemes, campaigns, instruction (views.py) ---------------------------------
    # -- from proposals to the deliberation (decision_views.py) ----------------------------
]
