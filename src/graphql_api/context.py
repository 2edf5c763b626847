"""The one typed per-request context that every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graphql_api.loaders import Loaders
from verdict.settings import Settings


@dataclass(slots=True)
class Context:
    request: Request | WebSocket
    response: Response | None
    settings: Settings
    loaders: Loaders = field(default_factory=Loaders)


Info = strawberry.Info[Context, None]
