"""The client address: forwarding headers count only from trusted proxies, walked from the right."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from graphql_api.limits.client_ip import TrustedProxies, ip_prefix, parse_networks
from graphql_api.votes.voter_settings import VoterSettings
from tests.support.votes import LEFT, SEED, AppFactory, cast, tokens
from verdict.env_values import ConfigError
from verdict.models.votes import Vote

PROXIES = TrustedProxies(parse_networks("10.0.0.0/24, 192.168.7.7"))


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored() -> None:
    assert PROXIES.client("203.0.113.9", ["1.2.3.4"]) == "203.0.113.9"
    assert PROXIES.client("203.0.113.9", []) == "203.0.113.9"


def test_a_chain_through_two_trusted_proxies_resolves_to_the_client() -> None:
    # client 198.51.100.4 -> proxy 192.168.7.7 -> proxy 10.0.0.5 -> us; the client wrote a lie.
    header = ["6.6.6.6, 198.51.100.4, 192.168.7.7"]
    assert PROXIES.client("10.0.0.5", header) == "198.51.100.4"
    # The same split over two headers.
    assert PROXIES.client("10.0.0.5", ["6.6.6.6", "198.51.100.4, 192.168.7.7"]) == "198.51.100.4"


def test_garbage_and_all_trusted_chains_stop_at_the_last_good_hop() -> None:
    assert PROXIES.client("10.0.0.5", ["198.51.100.4, not-an-ip"]) == "10.0.0.5"
    assert PROXIES.client("10.0.0.5", ["10.0.0.7"]) == "10.0.0.7"
    assert PROXIES.client("10.0.0.5", ["[2001:db8::1]:443"]) == "2001:db8::1"


def test_prefixes_are_24_for_ipv4_and_56_for_ipv6() -> None:
    assert ip_prefix("198.51.100.77") == "198.51.100.0/24"
    assert ip_prefix("2001:db8:aa:bbcc::1") == "2001:db8:aa:bb00::/56"
    assert ip_prefix("::ffff:198.51.100.77") == "198.51.100.0/24"


def test_bad_cidrs_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="VERDICT_TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/33")
    assert parse_networks("") == ()
    assert VoterSettings.from_env(
        {"VERDICT_TRUSTED_PROXIES": "172.16.0.0/12"}, prod=True
    ).trusted_proxies == (ipaddress.ip_network("172.16.0.0/12"),)


async def test_the_app_limits_and_records_the_resolved_client(vote_client: AppFactory) -> None:
    trusted = VoterSettings(trusted_proxies=parse_networks("10.9.0.0/16"))
    direct = await vote_client(ip="203.0.113.50", vote_limit_per_ip=2, voters=trusted)
    voters = tokens(5)
    # Untrusted peer: every spoofed X-Forwarded-For is ignored, so the per-IP limit holds.
    results = []
    for n, voter in enumerate(voters[:3]):
        direct.headers["x-forwarded-for"] = f"198.18.{n}.1"
        results.append((await cast(direct, voter, LEFT))["__typename"])
    assert results == ["VoteSuccess", "VoteSuccess", "RateLimited"]
    # Through the trusted proxy the client it names is the one limited and recorded.
    proxied = await vote_client(ip="10.9.1.1", vote_limit_per_ip=2, voters=trusted)
    proxied.headers["x-forwarded-for"] = "6.6.6.6, 198.51.100.23, 10.9.3.3"
    assert (await cast(proxied, voters[3], LEFT))["__typename"] == "VoteSuccess"
    recorded: list[Any] = await Vote.filter(comparison_slug=SEED).values_list(
        "ip_prefix", flat=True
    )
    prefixes = set(recorded)
    assert prefixes == {"203.0.113.0/24", "198.51.100.0/24"}
