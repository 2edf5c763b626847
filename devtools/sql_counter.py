"""Counting the SQL statements Tortoise sends, for query-count tests and the benchmark."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


class QueryCounter(logging.Handler):
    """Collects every SQL statement logged by ``tortoise.db_client`` while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(_STATEMENTS):
            self.statements.append(message)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    """Count the statements sent inside the block (Tortoise logs them at DEBUG level)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
