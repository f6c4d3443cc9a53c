"""One typed Settings object.

Defaults < /etc/deskapp/config.toml < ~/.config/deskapp/config.toml < DESKAPP_* env
< command-line flags. These are per-session settings (which database, language, bell);
the building's own numbers live in the database (profile.py) so every session shares them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

SYSTEM_CONFIG = Path("/etc/deskapp/config.toml")


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "deskapp" / "config.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    lang: str | None = None          # None: from the locale
    bell: bool = True                # terminal bell with alerts
    mouse: bool = True
    tick_seconds: float = 1.0
    # act as this login (DESKAPP_USER, for cron): honoured only for root or the owner of
    # the database file. The role of an unlisted login is the manager's setting in the
    # database (deskapp setting set default_role ROLE), never a user's own config.
    user: str | None = None
    busy_timeout: float = 5.0        # seconds a write waits for another session's


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off"}


def _coerce(name: str, kind: type | str, raw: object) -> object:
    if isinstance(raw, str):
        text = raw.strip()
        if "bool" in str(kind):
            if text.lower() in _BOOL_TRUE:
                return True
            if text.lower() in _BOOL_FALSE:
                return False
            raise ValueError(f"{name}: expected true/false, got {raw!r}")
        if "float" in str(kind):
            return float(text)
        return text
    return raw


def load_settings(files: list[Path] | None = None, env: dict[str, str] | None = None,
                  **overrides: object) -> Settings:
    env = os.environ if env is None else env
    files = [SYSTEM_CONFIG, user_config_path()] if files is None else files
    values: dict[str, object] = {}
    known = {f.name: f.type for f in fields(Settings)}
    for path in files:
        if path.is_file():
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            values.update({k: _coerce(k, known[k], v) for k, v in data.items() if k in known})
    for name, kind in known.items():
        value = env.get(f"DESKAPP_{name.upper()}")
        if value is not None:
            values[name] = _coerce(name, kind, value)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values)
