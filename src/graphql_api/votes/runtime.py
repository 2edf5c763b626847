"""Everything voting needs for the life of the app: signer, limiter, service and live feed."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from graphql_api.votes.feed import RedisTallyFeed, TallyFeed
from graphql_api.votes.ratelimit import (
    CounterStore,
    Limit,
    MemoryCounters,
    RateLimiter,
    RedisCounters,
)
from graphql_api.votes.service import VoteService, current_tallies
from graphql_api.votes.voter import VoterSigner
from verdict.settings import Settings


@dataclass(slots=True)
class Voting:
    signer: VoterSigner
    service: VoteService
    feed: TallyFeed
    redis: Redis | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Voting:
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
        return cls(
            signer=VoterSigner.from_secret(settings.secret_key),
            service=VoteService(limiter, feed.changed),
            feed=feed,
            redis=redis,
        )

    async def start(self) -> None:
        await self.feed.start()

    async def stop(self) -> None:
        await self.feed.stop()
        if self.redis is not None:
            await self.redis.aclose()
