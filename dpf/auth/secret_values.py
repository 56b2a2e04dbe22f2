"""Secrets by name: an environment variable (the service's owner-only EnvironmentFile sets them), else a key of
`.streamlit/secrets.toml` (the working folder's, then the repository's). Nothing here logs or stores a value."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dpf import settings
from dpf.config import REPO_ROOT


def secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml", REPO_ROOT / ".streamlit" / "secrets.toml"]


def from_secrets_files(*keys: str) -> str:
    """The first non-empty value of `keys` in the secrets files ("" when none holds one or a file is damaged)."""
    for path in secrets_files():
        if not path.is_file():
            continue
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        for key in keys:
            value = str(raw.get(key) or "").strip()
            if value:
                return value
    return ""


def secret_value(name: str) -> str:
    """The secret called `name`: $name, else `name = "…"` in secrets.toml; "" when neither is set."""
    return settings.named_variable(name) or from_secrets_files(name)
