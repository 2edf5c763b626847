"""Structured logs: one JSON object per record, with the request id of the request at hand."""

from __future__ import annotations

import json
import logging
import sys

import orjson

from graphql_api.ops.logs import JsonFormatter, request_id_var


def record(message: str, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("verdict.api", logging.WARNING, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(entry, key, value)
    return entry


def test_a_record_is_one_json_line_with_the_request_id_of_the_context() -> None:
    token = request_id_var.set("req-1")
    try:
        line = JsonFormatter().format(record("slow query", operation="Page", status=200))
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = orjson.loads(line)
    assert entry["time"].endswith("+00:00")
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "level": "WARNING",
        "logger": "verdict.api",
        "message": "slow query",
        "requestId": "req-1",
        "operation": "Page",
        "status": 200,
    }


def test_an_explicit_request_id_wins_and_unknown_extras_are_left_out() -> None:
    token = request_id_var.set("from-context")
    try:
        line = JsonFormatter().format(record("x", request_id="explicit", secret="do-not-log"))
    finally:
        request_id_var.reset(token)
    entry = orjson.loads(line)
    assert entry["requestId"] == "explicit"
    assert "secret" not in entry


def test_without_a_request_the_id_is_left_out_and_exceptions_are_kept() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        failed = record("failed")
        failed.exc_info = sys.exc_info()
    entry = orjson.loads(JsonFormatter().format(failed))
    assert "requestId" not in entry
    assert "ValueError: boom" in entry["exception"]


def _hostile_record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("graphql_api", logging.WARNING, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_hostile_values_are_written_not_lost() -> None:
    formatter = JsonFormatter()
    for record in (
        _hostile_record("operation %s", "\ud800"),
        _hostile_record("x", operation="\udfff\x00"),
        _hostile_record("x", code=2**70),
        _hostile_record("x", status=object()),
    ):
        line = formatter.format(record)
        parsed = json.loads(line)
        assert parsed["level"] == "WARNING"
