import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from grants.models import Payment, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(UserFactory(role=Role.ADMIN, authority=None))
    return client


def test_every_admin_list_opens_and_payments_are_read_only(admin_client):
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url

    payment = Payment.objects.first()
    assert admin_client.get(reverse("admin:grants_payment_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:grants_payment_change", args=[payment.pk]), {"amount": "1"}
    )
    payment_after = Payment.objects.get(pk=payment.pk)
    assert response.status_code == 403
    assert payment_after.amount == payment.amount
