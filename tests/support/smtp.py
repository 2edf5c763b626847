"""A real SMTP server on loopback for the digest's tests: aiosmtpd, in its own thread.

``running_smtp()`` yields the server's port and the messages it accepted, parsed with the
standard library's ``email`` package as a mail client would.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from cms_sync.directus.server import free_port

LINK = re.compile(r"https?://\S+?/digest/(?:confirm|unsubscribe)\?token=[A-Za-z0-9._=-]+")


@dataclass(slots=True)
class Received:
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return cast(str, cast(EmailMessage, body).get_content())

    def links(self) -> list[str]:
        return LINK.findall(self.part("plain"))


@dataclass(slots=True)
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)

    def exactly(self, count: int) -> list[Received]:
        """The messages, checked to be ``count``. No waiting needed: the server stores a message
        before it answers 250, and the sender returns only after that answer."""
        assert len(self.received) == count, [m.message["Subject"] for m in self.received]
        return list(self.received)


REFUSED_PREFIX = "refused"
"""Recipients whose local part starts with this are refused (550), as an unknown mailbox."""


class _Collect:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith(REFUSED_PREFIX):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(content, policy=policy.default)
        rcpts: Any = envelope.rcpt_tos
        self._server.received.append(Received([str(r) for r in rcpts], message))
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    controller = Controller(_Collect(server), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
