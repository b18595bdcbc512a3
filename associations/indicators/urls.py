from django.urls import path

from associations.indicators import set_views, views

urlpatterns = [
    path("", views.report_list, name="indicator_report_list"),
    path("comparaison/", views.comparison_view, name="indicator_comparison"),
    path(
        "associations/<int:association_pk>/jeux/<int:set_pk>/",
        views.report_detail,
        name="indicator_report_detail",
    ),
    path(
        "associations/<int:association_pk>/jeux/<int:set_pk>/saisie/",
        views.report_edit,
        name="indicator_report_edit",
    ),
    path(
        "associations/<int:association_pk>/jeux/<int:set_pk>/soumettre/",
        views.report_submit,
        name="indicator_report_submit",
    ),
    path(
        "associations/<int:association_pk>/jeux/<int:set_pk>/rouvrir/",
        views.report_reopen,
        name="indicator_report_reopen",
    ),
    path("jeux/", set_views.set_list, name="indicator_set_list"),
    path("jeux/nouveau/", set_views.set_create, name="indicator_set_create"),
    path("jeux/<int:pk>/", set_views.set_detail, name="indicator_set_detail"),
    path("jeux/<int:pk>/modifier/", set_views.set_edit, name="indicator_set_edit"),
    path("jeux/<int:pk>/copier/", set_views.set_copy, name="indicator_set_copy"),
    path("jeux/<int:pk>/indicateurs/nouveau/", set_views.indicator_create, name="indicator_create"),
    path("indicateurs/<int:pk>/modifier/", set_views.indicator_edit, name="indicator_edit"),
    path("indicateurs/<int:pk>/supprimer/", set_views.indicator_delete, name="indicator_delete"),
]
