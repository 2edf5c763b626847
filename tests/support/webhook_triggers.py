"""What the webhook tests hand to ``create_webhook_app``: a shared secret and a recorder of the
syncs it triggers."""

from __future__ import annotations

from typing import Final

SECRET: Final = "webhook-secret-for-tests-0123456789"


class Triggers:
    """Records each collection a webhook triggered a sync for, in order."""

    def __init__(self) -> None:
        self.collections: list[str] = []

    def __call__(self, collection: str) -> None:
        self.collections.append(collection)
