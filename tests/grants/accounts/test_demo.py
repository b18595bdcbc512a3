"""The demo holds one pending access request of Aix-Marseille-Provence, shown to its staff."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from grants.models import AssociationAccessRequest, User

pytestmark = pytest.mark.django_db


def test_the_demo_instructor_sees_one_pending_access_request_and_reloading_adds_none(client):
    call_command("load_demo", force=True)
    scs_managers = list(User.objects.get(username="asso-scs").managed_associations.all())
    call_command("load_demo", force=True)
    [request] = AssociationAccessRequest.objects.all()
    assert request.status == request.Status.PENDING
    assert request.association.acronym == "SCS"
    assert request.authority.siren == "200054807"
    client.force_login(User.objects.get(username="instructeur"))
    page = client.get(reverse("access_request_list"))
    assert [r.pk for r in page.context["page"].object_list] == [request.pk]
    assert "Camille Roux" in page.text
    client.force_login(User.objects.get(username="instructeur-sem"))
    assert client.get(reverse("access_request_list")).context["page"].paginator.count == 0
    assert list(User.objects.get(username="asso-scs").managed_associations.all()) == scs_managers
