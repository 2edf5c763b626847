"""uvicorn's server with a start-up callback (imported only when uvicorn serves)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn


class NotifyingServer(uvicorn.Server):
    """uvicorn's server, calling ``on_started`` once its start-up (the app's lifespan, then
    binding the socket) succeeded: through its public ``startup`` hook, not a patch."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.on_started is not None:
            self.on_started()
