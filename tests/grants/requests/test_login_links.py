import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.grants.requests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_leads_associations_to_the_authorities_taking_requests(client):
    today = timezone.localdate()
    open_campaign = CampaignFactory(scheme__authority__name="Métropole ouverte")
    CampaignFactory(
        scheme__authority__name="Métropole close",
        opens_on=today - datetime.timedelta(days=40),
        closes_on=today - datetime.timedelta(days=1),
    )
    page = client.get(reverse("login")).content.decode()
    siren = open_campaign.scheme.authority.siren
    assert reverse("public_campaigns", args=[siren]) in page
    assert "Métropole ouverte" in page
    assert "Métropole close" not in page
