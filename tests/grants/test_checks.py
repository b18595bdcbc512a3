from django.test import override_settings

from grants.checks import site_url_is_set


@override_settings(SITE_URL="")
def test_production_refuses_to_mail_links_without_the_site_address():
    errors = site_url_is_set(None)
    assert [error.id for error in errors] == ["grants.E001"]
    assert "SITE_URL" in errors[0].msg


@override_settings(SITE_URL="https://subventions.exemple.fr")
def test_a_site_address_is_enough():
    assert site_url_is_set(None) == []
