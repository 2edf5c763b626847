"""HTTP/1.1 requests written byte for byte: header values no client library would send."""

from __future__ import annotations

import asyncio


async def raw_request(
    host: str, port: int, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> int:
    """POST ``body`` to ``path`` with exactly these headers; the response's status code."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = [f"POST {path} HTTP/1.1".encode(), f"Host: {host}:{port}".encode()]
        head += [name + b": " + value for name, value in headers]
        head += [f"Content-Length: {len(body)}".encode(), b"Connection: close"]
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=10)
        return int(status_line.split()[1])
    finally:
        writer.close()
