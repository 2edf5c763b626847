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


def env_gc_threshold(
    env: Mapping[str, str], name: str, default: tuple[int, int, int]
) -> tuple[int, int, int]:
    """Three whole numbers ``gen0,gen1,gen2`` for ``gc.set_threshold``; the default when unset."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ConfigError(
            f"{name} must be three positive whole numbers, gen0,gen1,gen2 (got {raw!r})"
        )
    return int(parts[0]), int(parts[1]), int(parts[2])
