"""The client's address, the one way every rate limit and the login throttle identify a visitor.

Behind reverse proxies the connection comes from the nearest proxy, and each proxy appends the address it was
contacted from to ``X-Forwarded-For``. With ``CIVICBUY_PROXY_COUNT`` = N proxies, the client is the N-th address
from the right: the entries further left were written by the client itself and can say anything. With N = 0 the
header is never read (anyone can send one), and a header with fewer than N entries, or a malformed entry, means
the request did not come through the proxies as configured: the connection's address is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the address of the client that sent ``request``, trusting ``X-Forwarded-For`` only N hops deep."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote
