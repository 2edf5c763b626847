"""Server-side verification of a bot-check token, in the siteverify shape.

Cloudflare Turnstile and hCaptcha both take a form POST of ``secret``, ``response`` and
``remoteip`` and answer JSON with ``success``, ``error-codes``, ``challenge_ts`` and
``hostname``. Any provider (or a stand-in) that speaks that shape can be configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp
import orjson

from graphql_api.votes.voter_settings import BotCheckSettings

logger = logging.getLogger(__name__)
MAX_TOKEN_LENGTH = 4096


class BotCheckError(Exception):
    """The provider did not vouch for the browser (or could not be asked)."""

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.unavailable = unavailable


@dataclass(frozen=True, slots=True)
class BotCheck:
    settings: BotCheckSettings

    async def verify(self, response_token: str, remote_ip: str) -> str:
        """The hostname the provider saw; raises BotCheckError when it does not vouch."""
        if not response_token or len(response_token) > MAX_TOKEN_LENGTH:
            raise BotCheckError("a bot-check token (botCheckToken) is required")
        form = {
            "secret": self.settings.secret,
            "response": response_token,
            "remoteip": remote_ip,
        }
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.post(self.settings.url, data=form) as answer,
            ):
                body = await answer.read()
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Never log the URL's query or the secret: the exception type is enough.
            logger.warning("bot check unavailable: %s", type(exc).__name__)
            raise BotCheckError("the bot check could not be reached", unavailable=True) from None
        if status != 200:
            raise BotCheckError(f"the bot check answered HTTP {status}", unavailable=True)
        try:
            result = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BotCheckError("the bot check answered garbage", unavailable=True) from None
        if not isinstance(result, dict):
            raise BotCheckError("the bot check answered garbage", unavailable=True)
        if result.get("success") is not True:
            codes = result.get("error-codes") or []
            listed = ", ".join(str(c) for c in codes) if isinstance(codes, list) else ""
            raise BotCheckError(f"the bot check failed ({listed or 'no reason given'})")
        return str(result.get("hostname") or "")
