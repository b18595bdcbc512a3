"""The client's address, read behind the documented HTTPS proxy without trusting spoofed headers.

A request that arrives from a trusted proxy (settings.TRUSTED_PROXIES, addresses or networks)
carries the real client in X-Forwarded-For; a request from anywhere else is the client itself and
its X-Forwarded-For, written by the client, is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted):
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def trusted_networks():
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _parse(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address, networks=None):
    networks = trusted_networks() if networks is None else networks
    return address is not None and any(address in network for network in networks)


def client_address(request):
    """The address of the client: REMOTE_ADDR, or behind trusted proxies the nearest untrusted hop.

    X-Forwarded-For is read from the right (the hop our proxy appended) to the left; the first
    address that is not itself a trusted proxy is the client. Anything before it was written by
    the client and may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = trusted_networks()
    if not networks or not is_trusted_proxy(_parse(remote), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break
        client = str(address)
        if not is_trusted_proxy(address, networks):
            break
    return client
