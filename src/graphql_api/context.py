"""The one typed per-request context that every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graphql_api.loaders import Loaders
from graphql_api.reads import PREVIEW, PUBLIC
from graphql_api.relay.counts import CountCache
from graphql_api.votes.runtime import Voting
from verdict.models.content import Status
from verdict.settings import Settings


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    voting: Voting
    voter_id: str | None = None
    """The anonymous voter (see graphql_api.votes.voter); None only on a WebSocket without one."""
    preview: bool = False
    """True when the request carries a valid preview token: drafts are shown too."""
    request_id: str = ""
    counts: CountCache = field(default_factory=CountCache)
    """The app's cache of list counts (see graphql_api.relay.counts); one per app."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.statuses)

    @property
    def statuses(self) -> frozenset[Status]:
        """The content statuses this request may see."""
        return PREVIEW if self.preview else PUBLIC

    @property
    def client_ip(self) -> str:
        client = self.request.client
        return client.host if client is not None else "unknown"


Info = strawberry.Info[Context, None]
