"""Everything voting needs for the life of the app: signer, limiter, service and live feed."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from graphql_api.votes.feed import RedisTallyFeed, TallyFeed
from graphql_api.votes.purges import VotePurges
from graphql_api.votes.ratelimit import (
    CounterStore,
    Limit,
    MemoryCounters,
    RateLimiter,
    RedisCounters,
)
from graphql_api.votes.service import VoteService, current_tallies
from graphql_api.votes.voter import VoterSigner
from verdict.purge.adapters import purger_for
from verdict.purge.settings import PurgeSettings
from verdict.settings import Settings


@dataclass(slots=True)
class Voting:
    signer: VoterSigner
    service: VoteService
    feed: TallyFeed
    redis: Redis | None
    purges: VotePurges | None = None

    @classmethod
    def from_settings(cls, settings: Settings, purge: PurgeSettings | None = None) -> Voting:
        """Build without connecting: Redis connects on first use, inside the app's lifespan."""
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

        return cls(
            signer=VoterSigner.from_secret(settings.secret_key),
            service=VoteService(limiter, changed),
            feed=feed,
            redis=redis,
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
