"""What the GraphQL view learnt about one HTTP request, for headers, metrics, logs and the edge
cache (which puts one in the ASGI scope before the view runs, to read it afterwards)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.types import Scope as AsgiScope

from graphql_api.caching import policy

SCOPE_KEY = "verdict.outcome"


@dataclass(slots=True)
class Outcome:
    operations: list[str | None] = field(default_factory=list)
    scope: policy.Scope = policy.Scope.CONTENT
    codes: list[str] = field(default_factory=list)
    cache: str | None = None
    tracked: bool = True
    """Whether every live figure in the answer is one whose changes the edge cache hears of
    (vote tallies are; sync status is not)."""

    vote_slugs: set[str] | None = field(default_factory=set)
    """The comparisons whose vote tallies the answer shows (None: possibly any)."""

    content_keys: set[str] = field(default_factory=set)
    """The content version keys of what the answer read (its surrogate keys)."""

    def restrict(self, scope: policy.Scope) -> None:
        self.scope = max(self.scope, scope)

    def shows_votes_of(self, slugs: set[str] | None) -> None:
        if slugs is None or self.vote_slugs is None:
            self.vote_slugs = None
        else:
            self.vote_slugs |= slugs


def outcome_of(scope: AsgiScope) -> Outcome:
    """The request's outcome, made on first use."""
    outcome = scope.get(SCOPE_KEY)
    if not isinstance(outcome, Outcome):
        outcome = Outcome()
        scope[SCOPE_KEY] = outcome
    return outcome
