"""The vote fixtures (apps with vote settings of the test's choosing) for these tests too."""

from tests.votes.conftest import redis_url, vote_client

__all__ = ["redis_url", "vote_client"]
