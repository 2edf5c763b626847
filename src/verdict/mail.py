"""Sending mail through an SMTP server, with the standard library's ``smtplib`` and ``email``.

One connection per batch; ``smtplib`` blocks, so a batch runs in a worker thread and never
stalls the event loop. Every failure (refused connection, timeout, a rejected message) becomes a
``MailError`` with a one-line reason.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from verdict.settings import MailSettings


class MailError(Exception):
    """The SMTP server could not be reached or refused a message."""


@dataclass(frozen=True, slots=True)
class MailSender:
    settings: MailSettings

    async def send(self, message: EmailMessage) -> None:
        """Send one message; raises MailError when it was not accepted."""
        (error,) = await self.send_each([message])
        if error is not None:
            raise MailError(error)

    async def send_each(self, messages: Sequence[EmailMessage]) -> list[str | None]:
        """Send the messages over one connection: per message, None when the server accepted
        it, else the reason. Raises MailError when the server cannot be used at all."""
        if not messages:
            return []
        return await asyncio.to_thread(self._send_all, messages)

    def _send_all(self, messages: Sequence[EmailMessage]) -> list[str | None]:
        s = self.settings
        results: list[str | None] = []
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_username and s.smtp_password:
                    smtp.login(s.smtp_username, s.smtp_password)
                for message in messages:
                    try:
                        smtp.send_message(message)
                        results.append(None)
                    except smtplib.SMTPRecipientsRefused as exc:
                        # This message only: the connection is still good for the next. The
                        # reason leaves the address out (it goes to logs and the terminal).
                        codes = sorted({str(code) for code, _ in exc.recipients.values()})
                        results.append(f"recipient refused ({', '.join(codes)})")
                    except smtplib.SMTPDataError as exc:
                        results.append(f"message refused ({exc.smtp_code})")
        except (smtplib.SMTPException, OSError) as exc:
            if not results:
                raise MailError(f"SMTP {s.smtp_host}:{s.smtp_port}: {exc}") from exc
            reason = f"SMTP connection lost: {exc}"
            results += [reason] * (len(messages) - len(results))
        return results
