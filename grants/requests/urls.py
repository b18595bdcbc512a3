"""URLs of subsidy requests: the association's filing, staff's instruction, the decisions."""

from django.urls import path

from grants.requests import campaign_views, decision_views, filing_views, views

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
    path("", campaign_views.request_index, name="request_index"),
    path("dispositifs/", campaign_views.scheme_list, name="scheme_list"),
    path("dispositifs/nouveau/", campaign_views.scheme_create, name="scheme_create"),
    path("dispositifs/<int:pk>/modifier/", campaign_views.scheme_edit, name="scheme_edit"),
    path(
        "dispositifs/<int:pk>/nouvelle-campagne/",
        campaign_views.campaign_create,
        name="campaign_create",
    ),
    path("campagnes/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:pk>/modifier/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campagnes/<int:pk>/par-lot/", campaign_views.campaign_bulk, name="campaign_bulk"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/versions/<int:number>/", views.request_version, name="request_version"),
    path("<int:pk>/statut/<str:target>/", views.request_move, name="request_move"),
    path("<int:pk>/agent/", views.request_assign, name="request_assign"),
    path("<int:pk>/pieces/<str:kind>/", views.request_piece_check, name="request_piece_check"),
    path("<int:pk>/message/", views.request_message_post, name="request_message"),
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
