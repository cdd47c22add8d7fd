"""Which Host headers the embedded site answers, and a plain 400 for the rest.

`make run` binds `HOST` (127.0.0.1 by default). The site answers to the
names that reach that address, never to any name (`*`): a site that accepts
every Host header can be driven through DNS rebinding by any web page its
user visits (a page on evil.example whose name is re-pointed at this machine
is same-origin with it), and `ALLOWED_HOSTS` is also what the WebSocket
Origin check compares with. So:

- `HOST=127.0.0.1` (or `localhost`, `::1`): the loopback names;
- `HOST=<an address or name>`: that one, plus the loopback names;
- `HOST=0.0.0.0` or `::` (every interface): the loopback names, this
  machine's host name and fully qualified name, and the addresses of its
  interfaces, as found without asking the network;
- any other name it must answer to (a DNS alias, a proxy's public name) goes
  in `DJANGO_ALLOWED_HOSTS` (comma-separated), which always adds to the above.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import logging
import socket
import struct

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
EVERY_INTERFACE = {"0.0.0.0", "::", "[::]", ""}
_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def allowed_hosts(*, bind: str, extra: str = "") -> list[str]:
    """`ALLOWED_HOSTS` for a server bound to `bind`, plus the comma-separated `extra` names."""
    bind = bind.strip()
    hosts = list(LOOPBACK_HOSTS)
    if bind in EVERY_INTERFACE:
        hosts += machine_names()
    else:
        hosts.append(_as_host(bind))
    hosts += [name.strip() for name in extra.split(",") if name.strip()]
    return list(dict.fromkeys(hosts))


def machine_names() -> list[str]:
    """This machine's names and interface addresses (Host-header form), found without any network traffic."""
    names = [socket.gethostname()]
    with contextlib.suppress(OSError):
        names.append(socket.getfqdn())
    with contextlib.suppress(OSError):
        names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    names += _interface_addresses()
    return [_as_host(name) for name in dict.fromkeys(names) if name]


def _interface_addresses() -> list[str]:
    addresses = []
    with contextlib.suppress(OSError, AttributeError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                packed = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
                addresses.append(socket.inet_ntoa(packed[20:24]))
    return addresses


def _as_host(name: str) -> str:
    """An address as it appears in a Host header: IPv6 in brackets, zone ids dropped."""
    name = name.split("%", 1)[0]
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(name.strip("[]")).version == 6:
            return f"[{name.strip('[]')}]"
    return name


class RejectUnknownHostMiddleware(MiddlewareMixin):
    """A request for a host the site does not serve gets a plain-text 400, even with DEBUG on.

    Django raises `DisallowedHost` lazily, wherever `get_host()` is first
    called, and with DEBUG on answers it with the debug page (settings, paths,
    URL patterns). Checking first, here, keeps that page from any visitor.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            request.get_host()
        except DisallowedHost:
            logger.warning("refused a request for a host this site does not serve")
            return HttpResponseBadRequest(
                "Bad Request: this site does not serve that host name.\n", content_type="text/plain; charset=utf-8"
            )
        return None
