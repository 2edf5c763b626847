"""Structured logs: one JSON object per line, carrying the request id of the request at hand."""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

import orjson

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
"""The id of the HTTP request or WebSocket this task serves (see ops.request_id)."""


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "requestId", ...extra, "exception"}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["requestId"] = request_id
        for key in ("operation", "status", "duration_ms", "method", "path", "code"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(entry).decode()
        except TypeError:
            # A value orjson cannot write (a lone surrogate from client input, an int past 64
            # bits, an object): the stdlib escapes or stringifies it, so the record is not lost.
            return json.dumps(entry, default=repr, ensure_ascii=True)


def configure(*, json_logs: bool, level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr, as JSON lines or as plain text."""
    handler = logging.StreamHandler()
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
