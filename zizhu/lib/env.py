"""Typed readers for environment variables that fail loudly.

A variable NAME may also be given as NAME_FILE, the path of a file holding the value
(for secrets mounted by the deployment).
"""

import os
from pathlib import Path


class EnvError(RuntimeError):
    pass


_MISSING = object()


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def env_str(name: str, default=_MISSING) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is _MISSING:
            raise EnvError(f"environment variable {name} is required")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"{name}={value!r} is not a boolean (use true/false)")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        result = default
    else:
        try:
            result = int(value)
        except ValueError as exc:
            raise EnvError(f"{name}={value!r} is not an integer") from exc
    if minimum is not None and result < minimum:
        raise EnvError(f"{name}={result} is below the minimum {minimum}")
    return result


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def is_weak_secret(value: str) -> bool:
    """Django's own rule for SECRET_KEY, plus the demo prefixes."""
    return (
        len(value) < 50
        or len(set(value)) < 5
        or value.startswith(("django-insecure", "changeme", "zizhu-dev"))
    )
