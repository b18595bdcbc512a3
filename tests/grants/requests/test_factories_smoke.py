import pytest
from django.db import IntegrityError

from grants.requests.models import SubsidyRequest
from grants.requests.rules import Status
from tests.grants.requests.factories import SubsidyRequestFactory, deposited

pytestmark = pytest.mark.django_db


def test_a_deposited_request_stores_its_authority_and_needs_its_cer():
    draft = SubsidyRequestFactory()
    assert draft.authority_id == draft.campaign.scheme.authority_id
    deposited(draft)
    assert SubsidyRequest.objects.get(pk=draft.pk).status == Status.SUBMITTED
    draft.cer_subscribed_at = None
    with pytest.raises(IntegrityError):
        draft.save()
