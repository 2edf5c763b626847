"""Proof of work for minting a voter: find a nonce whose hash has enough leading zero bits.

A challenge is ``c1.<random>~<issued unix time>~<bits>.<signature>``, signed so the server keeps
no state until it is spent; a spent challenge is remembered (in the rate-limit counter store,
shared through Redis) until it would have expired anyway, so one solution mints one voter.
The work is SHA-256 of ``<challenge>:<nonce>``: 2^bits hashes on average, which a browser's
WebCrypto does in well under a second at 16 bits, and which a script pays again for every voter.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from graphql_api.signing import BadTokenError, PurposeSigner
from graphql_api.votes.ratelimit import CounterStore

logger = logging.getLogger(__name__)
CHALLENGE_TTL_SECONDS = 300
MAX_NONCE_LENGTH = 64
_PURPOSE = b"verdict voter challenge v1"


class ProofError(Exception):
    """The proof of work is missing, malformed, stale, spent or not enough work."""


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work(challenge: str, nonce: str) -> int:
    """The leading zero bits of the challenge's hash with this nonce."""
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest())


def solve(challenge: str, bits: int) -> str:
    """A nonce that meets ``bits`` (what the page's JavaScript does; for tools and tests)."""
    n = 0
    while work(challenge, str(n)) < bits:
        n += 1
    return str(n)


@dataclass(frozen=True, slots=True)
class ProofOfWork:
    signer: PurposeSigner
    bits: int
    spent: CounterStore

    @classmethod
    def from_secret(cls, secret_key: str, bits: int, spent: CounterStore) -> ProofOfWork:
        return cls(PurposeSigner.derive(secret_key, _PURPOSE, "c1"), bits, spent)

    def challenge(self, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        return self.signer.sign(f"{secrets.token_urlsafe(12)}~{issued}~{self.bits}")

    async def check(self, challenge: str, nonce: str, now: float | None = None) -> None:
        """Accept the proof once; raises ProofError otherwise."""
        if not challenge or not nonce:
            raise ProofError("this server asks for a proof of work: GET /voter/challenge")
        if len(nonce) > MAX_NONCE_LENGTH:
            raise ProofError("nonce too long")
        try:
            payload = self.signer.unsign(challenge)
        except BadTokenError as exc:
            raise ProofError(f"challenge: {exc}") from None
        random, issued_text, bits_text = [*payload.split("~"), "", ""][:3]
        try:
            issued, bits = int(issued_text), int(bits_text)
        except ValueError:
            raise ProofError("challenge: malformed") from None
        age = (time.time() if now is None else now) - issued
        if not -5 <= age <= CHALLENGE_TTL_SECONDS:
            raise ProofError("challenge expired: ask for a new one")
        if bits < self.bits:  # issued before the operator raised the difficulty
            raise ProofError("challenge too easy for the current difficulty: ask for a new one")
        if work(challenge, nonce) < bits:
            raise ProofError("not enough work: the hash lacks leading zero bits")
        try:
            count, _ = await self.spent.hit(f"pow:{random}", (CHALLENGE_TTL_SECONDS + 10) * 1000)
        except RedisError:
            # Fail open: the work was done; an unreachable Redis must not stop people voting.
            logger.warning("spent-challenge check skipped: Redis unavailable", exc_info=True)
            return
        if count > 1:
            raise ProofError("challenge already used: ask for a new one")
