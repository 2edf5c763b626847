"""The JSON log formatter writes every record, whatever client input it carries."""

from __future__ import annotations

import json
import logging

from graphql_api.ops.logs import JsonFormatter


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("graphql_api", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_hostile_values_are_written_not_lost() -> None:
    formatter = JsonFormatter()
    for record in (
        _record("operation %s", "\ud800"),
        _record("x", operation="\udfff\x00"),
        _record("x", code=2**70),
        _record("x", status=object()),
    ):
        line = formatter.format(record)
        parsed = json.loads(line)
        assert parsed["level"] == "WARNING"
