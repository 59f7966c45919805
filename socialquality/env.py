"""Typed helpers that read settings from the environment and fail early with a clear message."""

from __future__ import annotations

import os


class ConfigurationError(RuntimeError):
    """A setting in the environment has a value the application cannot use."""


_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nee", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is geen geldige waarde: gebruik true/false (of 1/0).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is geen geheel getal.") from None
    if minimum is not None and value < minimum:
        raise ConfigurationError(f"{name}={value} is te klein: minimaal {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` or ``X-Forwarded-Proto=https`` → Django's SECURE_PROXY_SSL_HEADER."""
    raw = raw.strip()
    if not raw:
        return None
    header, _, value = raw.partition("=")
    header = header.strip().upper().replace("-", "_")
    if not header or not header.replace("_", "").isalnum():
        raise ConfigurationError(
            f"SECURE_PROXY_SSL_HEADER={raw!r} is geen kopregel: gebruik bv. X-Forwarded-Proto."
        )
    if not header.startswith("HTTP_"):
        header = f"HTTP_{header}"
    return header, value.strip() or "https"
