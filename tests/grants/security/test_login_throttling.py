"""Failed logins behind the documented HTTPS proxy: who gets locked, and by which address."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from grants.security.client_address import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def login(client, username, password="wrong", remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def address_of(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_a_client_that_is_not_a_trusted_proxy_cannot_spoof_its_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert address_of("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_real_client_address_is_used(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert address_of(PROXY, "198.51.100.1") == "198.51.100.1"
    # The client wrote the left part of the header itself: only the hop our proxy added counts.
    assert address_of(PROXY, "192.0.2.66, 198.51.100.1") == "198.51.100.1"
    # Two trusted hops (proxy chain): the first untrusted one from the right.
    assert address_of(PROXY, "192.0.2.66, 198.51.100.1, 10.0.0.9") == "198.51.100.1"
    # A garbage header leaves the proxy address, never a forged value.
    assert address_of(PROXY, "not-an-ip") == PROXY
    assert address_of(PROXY) == PROXY


def test_locking_one_client_through_the_proxy_does_not_lock_the_others(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    UserFactory(username="admin")
    for _ in range(5):
        login(client, "admin", forwarded="198.51.100.1")
    assert login(client, "admin", "secret-pass-123", forwarded="198.51.100.1").status_code == 429
    # The administrator, from his own address behind the same proxy, still logs in.
    response = login(client, "admin", "secret-pass-123", forwarded="198.51.100.2")
    assert response.status_code == 302


def test_without_trusted_proxy_a_spoofed_header_does_not_escape_the_lock(client, settings):
    settings.TRUSTED_PROXIES = []
    UserFactory(username="marie")
    for number in range(5):
        login(client, "marie", remote="203.0.113.7", forwarded=f"198.51.100.{number}")
    response = login(
        client, "marie", "secret-pass-123", remote="203.0.113.7", forwarded="192.0.2.1"
    )
    assert response.status_code == 429


def test_one_password_tried_on_many_accounts_from_one_address_is_limited(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.AXES_ADDRESS_FAILURE_LIMIT = 30
    UserFactory(username="victim")
    for number in range(30):
        login(client, f"account{number}", forwarded="198.51.100.1")
    # No account reached 5 failures, but the address tried 30 times: it is stopped.
    assert login(client, "victim", "secret-pass-123", forwarded="198.51.100.1").status_code == 429
    # Another client behind the same proxy is not.
    assert login(client, "victim", "secret-pass-123", forwarded="198.51.100.2").status_code == 302


def test_under_the_address_limit_each_account_keeps_its_own_count(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    UserFactory(username="victim")
    for number in range(10):
        login(client, f"account{number}", forwarded="198.51.100.1")
    for _ in range(4):
        login(client, "victim", forwarded="198.51.100.1")
    assert login(client, "victim", "secret-pass-123", forwarded="198.51.100.1").status_code == 302
