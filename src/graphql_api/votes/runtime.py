"""Everything voting needs for the life of the app: signer, limiter, service and live feed."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from graphql_api.votes.botcheck import BotCheck
from graphql_api.votes.feed import RedisTallyFeed, TallyFeed
from graphql_api.votes.jwt_voters import JwtVoters
from graphql_api.votes.minting import Minting, MintLimiter
from graphql_api.votes.pow import ProofOfWork
from graphql_api.votes.purges import VotePurges
from graphql_api.votes.ratelimit import (
    CounterStore,
    Limit,
    MemoryCounters,
    RateLimiter,
    RedisCounters,
)
from graphql_api.votes.service import VoteService, current_tallies
from graphql_api.votes.voter import BearerVoters, VoterSigner
from graphql_api.votes.voter_settings import VoterSettings
from verdict.purge.adapters import purger_for
from verdict.purge.settings import PurgeSettings
from verdict.settings import Settings


@dataclass(slots=True)
class Voting:
    signer: VoterSigner
    service: VoteService
    feed: TallyFeed
    redis: Redis | None
    minting: Minting
    bearer: BearerVoters | None
    purges: VotePurges | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        voters: VoterSettings | None = None,
        purge: PurgeSettings | None = None,
    ) -> Voting:
        """Build without connecting: Redis connects on first use, inside the app's lifespan."""
        voters = VoterSettings() if voters is None else voters
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        store: CounterStore = RedisCounters(redis) if redis is not None else MemoryCounters()
        window = settings.vote_limit_window_seconds
        limiter = RateLimiter(
            store,
            per_voter=Limit(settings.vote_limit_per_voter, window),
            per_ip=Limit(settings.vote_limit_per_ip, window),
        )
        feed = (
            RedisTallyFeed(current_tallies, redis)
            if redis is not None
            else TallyFeed(current_tallies)
        )
        purger = purger_for(purge) if purge is not None else None
        purges = (
            VotePurges(purger, purge.vote_debounce, purge.repeat_after)
            if purge and purger
            else None
        )

        async def changed(slug: str) -> None:
            await feed.changed(slug)
            if purges is not None:
                await purges.changed(slug)

        signer = VoterSigner.from_secret(settings.secret_key)
        bearer = JwtVoters(voters.jwt) if voters.jwt is not None else None
        mint_window = voters.mint_window_seconds
        minting = Minting(
            signer=signer,
            limiter=MintLimiter(
                store,
                per_ip=Limit(voters.mint_per_ip, mint_window),
                per_prefix=Limit(voters.mint_per_prefix, mint_window),
            ),
            proof=(
                ProofOfWork.from_secret(settings.secret_key, voters.pow_bits, store)
                if voters.pow_bits > 0
                else None
            ),
            botcheck=BotCheck(voters.botcheck) if voters.botcheck is not None else None,
            bearer=bearer,
            secure_cookies=voters.secure_cookies,
        )
        return cls(
            signer=signer,
            service=VoteService(limiter, changed),
            feed=feed,
            redis=redis,
            minting=minting,
            bearer=bearer,
            purges=purges,
        )

    async def start(self) -> None:
        await self.feed.start()

    async def stop(self) -> None:
        await self.feed.stop()
        if self.purges is not None:
            await self.purges.stop()
        if self.redis is not None:
            await self.redis.aclose()
