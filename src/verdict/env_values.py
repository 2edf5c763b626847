"""Reading typed values from the environment, for the settings modules."""

from __future__ import annotations

from collections.abc import Mapping


class ConfigError(Exception):
    """Raised when the configuration is unusable; the message is one line for the operator."""


def env_seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from ``env[name]``; the default when unset."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds (got {raw!r})") from None
    if not 0 < value < 10_000_000:
        raise ConfigError(f"{name} must be a positive number of seconds (got {raw!r})")
    return value


def env_count(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number from ``env[name]`` (at least ``minimum``); the default when unset."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum} (got {raw!r})")
    return value
