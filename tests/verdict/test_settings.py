"""Bad configuration fails at start with one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from verdict.env_values import ConfigError
from verdict.settings import Mode, Settings


def _run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("VERDICT_")}
    full_env.pop("DATABASE_URL", None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "verdict_cli.main", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_defaults_need_no_configuration() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite://")
    assert settings.database_url.endswith("data/verdict.sqlite3")
    assert settings.mode is Mode.DEV
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_page_size == 100
    assert Settings.from_env({"VERDICT_MAX_PAGE_SIZE": "250"}).max_page_size == 250
    assert settings.gc_threshold == (20_000, 50, 100)
    assert Settings.from_env({"VERDICT_GC_THRESHOLD": "700, 10,10"}).gc_threshold == (700, 10, 10)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL must start with"),
        ({"DATABASE_URL": "postgres://:secret@/"}, "DATABASE_URL must name a host"),
        ({"DATABASE_URL": "sqlite://"}, "needs a file path"),
        ({"VERDICT_PORT": "eighty"}, "VERDICT_PORT must be a number"),
        ({"VERDICT_MODE": "staging"}, "VERDICT_MODE must be"),
        ({"VERDICT_MODE": "prod"}, "VERDICT_SECRET_KEY must be set"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        ({"CMS_URL": "not a url"}, "CMS_URL must be"),
        ({"VERDICT_MAX_PAGE_SIZE": "0"}, "VERDICT_MAX_PAGE_SIZE must be"),
        ({"VERDICT_MAX_PAGE_SIZE": "lots"}, "VERDICT_MAX_PAGE_SIZE must be"),
        ({"VERDICT_GC_THRESHOLD": "20000"}, "VERDICT_GC_THRESHOLD must be three"),
        ({"VERDICT_GC_THRESHOLD": "20000,0,10"}, "VERDICT_GC_THRESHOLD must be three"),
        ({"VERDICT_GC_THRESHOLD": "1e4,10,10"}, "VERDICT_GC_THRESHOLD must be three"),
    ],
)
def test_bad_settings_raise_config_error(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        Settings.from_env(env)


def test_passwords_are_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"DATABASE_URL": "postgres://u:hunter2@db:notaport/x"})
    assert "hunter2" not in str(info.value)


def test_bad_database_url_gives_one_clear_line() -> None:
    result = _run_cli("migrate", DATABASE_URL="mysql://root@localhost/verdict")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("verdict: configuration error: DATABASE_URL must start with")
    assert "Traceback" not in result.stderr


def test_unreachable_database_gives_one_clear_line() -> None:
    result = _run_cli("migrate", DATABASE_URL="postgres://postgres@127.0.0.1:1/verdict")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "verdict: cannot reach the database at postgres://postgres@127.0.0.1:1/"
    )
