"""The client address, taken from forwarding headers only when a trusted proxy sent them.

A client can write anything into ``X-Forwarded-For``; only the entries that trusted proxies
appended are facts. So the header is walked from the right: every hop that is a trusted proxy
vouches for the entry to its left, and the first address that is not a trusted proxy is the
client. A request whose peer is not a trusted proxy keeps its peer address, whatever it sends.
``X-Forwarded-Proto`` is honoured on the same condition (it decides whether cookies are Secure).

``VERDICT_TRUSTED_PROXIES`` lists the proxies as CIDRs (default: none, so headers are ignored).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from verdict.env_values import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(raw: str, name: str = "VERDICT_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """CIDRs (or bare addresses) separated by commas or spaces; ConfigError on a bad one."""
    networks: list[Network] = []
    for item in raw.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{name} must list CIDRs such as 10.0.0.0/8 (got {item!r})") from None
    return tuple(networks)


def trusted_proxies_from_env(env: Mapping[str, str]) -> tuple[Network, ...]:
    return parse_networks(env.get("VERDICT_TRUSTED_PROXIES") or "")


def _address(text: str) -> Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    def trusts(self, address: Address | None) -> bool:
        return address is not None and any(address in n for n in self.networks)

    def client(self, peer: str, forwarded_for: Iterable[str]) -> str:
        """The client address of a request from ``peer`` with these X-Forwarded-For headers."""
        current = _address(peer)
        if not self.trusts(current):
            return peer
        hops = [h for header in forwarded_for for h in header.split(",") if h.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                # Garbage in a hop a trusted proxy vouched for: stop at the last good address.
                break
            current = address
            if not self.trusts(address):
                break
        return str(current) if current is not None else peer


class ClientAddress:
    """ASGI middleware: rewrites ``scope["client"]`` (and ``scheme``) from trusted proxies."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] not in ("http", "websocket") or not client or not self.proxies.networks:
            await self.app(scope, receive, send)
            return
        if not self.proxies.trusts(_address(client[0])):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = self.proxies.client(client[0], headers.getlist("x-forwarded-for"))
        scope = {**scope, "client": (host, client[1])}
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            if scope["type"] == "websocket":
                proto = "wss" if proto == "https" else "ws"
            scope["scheme"] = proto
        await self.app(scope, receive, send)


def ip_prefix(address: str) -> str:
    """The network a rate limit or the audit groups an address by: /24 for IPv4, /56 for IPv6.

    Anything that is not an address (a test client's name) is its own prefix.
    """
    parsed = _address(address)
    if parsed is None:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    bits = 24 if parsed.version == 4 else 56
    return str(ipaddress.ip_network(f"{parsed}/{bits}", strict=False))
