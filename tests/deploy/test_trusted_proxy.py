"""The shipped proxy set-up: nginx sets X-Forwarded-For from its peer, the API trusts only it."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import yaml

from graphql_api.settings import ApiSettings
from verdict.settings import PROJECT_ROOT

COMPOSE: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
NGINX = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()


def test_nginx_sets_the_header_from_its_peer_and_never_appends() -> None:
    settings = re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", NGINX)
    assert settings, "nginx must set X-Forwarded-For"
    assert set(settings) == {"$remote_addr"}
    assert "$proxy_add_x_forwarded_for" not in NGINX


def test_the_api_trusts_exactly_the_proxys_address() -> None:
    services = COMPOSE["services"]
    api_env = services["api"]["environment"]
    assert "FORWARDED_ALLOW_IPS" not in api_env  # uvicorn's trust-everyone switch is gone
    trusted = ApiSettings.from_env(
        {"VERDICT_TRUSTED_PROXIES": api_env["VERDICT_TRUSTED_PROXIES"]}, prod=True
    ).voters.trusted_proxies
    proxy_ip = ipaddress.ip_address(services["proxy"]["networks"]["default"]["ipv4_address"])
    assert [n.num_addresses for n in trusted] == [1]
    assert proxy_ip in trusted[0]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert proxy_ip in ipaddress.ip_network(subnet)
