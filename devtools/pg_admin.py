"""Creating and dropping throwaway PostgreSQL databases on a server (the benchmark and the
multi-process topology check make their own), through an admin connection to ``server_url``."""

from __future__ import annotations

import asyncpg


def database_url(server_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server_url``."""
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


async def _run(server_url: str, statement: str) -> None:
    admin = await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` and return its URL."""
    await _run(server_url, f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, closing its connections."""
    await _run(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
