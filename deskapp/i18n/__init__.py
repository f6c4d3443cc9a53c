"""One function to translate: ``t(key, **params)``.

Chinese and English catalogues ship together and must carry the same keys (tested).
The language is process-wide: one desk session speaks one language.
"""

from __future__ import annotations

import importlib
import locale
import os

from . import en, zh

LANGUAGES = ("zh", "en")

# Each area of the desk keeps its own strings in deskapp/i18n/<area>.py, as two dicts
# ``EN`` and ``ZH``; they join the one catalogue here, and a key two areas both define
# is refused at import (one would silently shadow the other).
AREAS: tuple[str, ...] = ("tenants_ui", "bookings_ui", "fitout", "passes", "signage", "comms", "movein", "prices", "lending", "bookings",
                         # billing (issue 9)
                         "billing", "meters", "payments", "approvals", "paidservices",
                         "billing_ui")


def _merged() -> dict[str, dict[str, str]]:
    catalogues = {"zh": dict(zh.MESSAGES), "en": dict(en.MESSAGES)}
    for name in AREAS:
        area = importlib.import_module(f"{__name__}.{name}")
        for lang, messages in (("zh", area.ZH), ("en", area.EN)):
            clash = catalogues[lang].keys() & messages.keys()
            if clash:
                raise ImportError(f"i18n area {name} redefines {sorted(clash)[:5]}")
            catalogues[lang].update(messages)
    return catalogues


_CATALOGUES = _merged()
_current = "en"


def detect_language() -> str:
    """zh when the user's locale is Chinese, otherwise English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    code = (locale.getlocale()[0] or "").lower()
    return "zh" if code.startswith("zh") else "en"


def set_language(lang: str) -> None:
    global _current
    if lang not in _CATALOGUES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    _current = lang


def language() -> str:
    return _current


def t(key: str, **params: object) -> str:
    text = _CATALOGUES[_current].get(key)
    if text is None:
        text = _CATALOGUES["en"].get(key, key)
    return text.format(**params) if params else text


def catalogue(lang: str) -> dict[str, str]:
    return _CATALOGUES[lang]
