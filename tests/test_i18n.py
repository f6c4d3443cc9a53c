"""Chinese and English catalogues carry the same keys and placeholders (R-8.5)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from deskapp import i18n
from deskapp.i18n import en, zh

_FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name is not None}


def test_same_keys_in_both_languages():
    assert set(zh.MESSAGES) - set(en.MESSAGES) == set()
    assert set(en.MESSAGES) - set(zh.MESSAGES) == set()


@pytest.mark.parametrize("key", sorted(en.MESSAGES))
def test_same_placeholders_per_key(key):
    assert placeholders(zh.MESSAGES[key]) == placeholders(en.MESSAGES[key])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_formats(lang):
    # A stray "{" in a translation would only blow up when the message is shown.
    for key, text in i18n.catalogue(lang).items():
        assert text.strip(), f"{lang}:{key} is empty"
        text.format(**{name: "X" for name in placeholders(text)})


def test_t_formats_in_the_current_language():
    i18n.set_language("en")
    assert i18n.t("error.no_ticket", id=42) == "no ticket #42"
    i18n.set_language("zh")
    assert i18n.language() == "zh"
    text = i18n.t("error.no_ticket", id=42)
    assert "42" in text and text != "no ticket #42"
    assert i18n.t("tier.urgent") == zh.MESSAGES["tier.urgent"]


def test_t_of_an_unknown_key_shows_the_key():
    assert i18n.t("no.such.key") == "no.such.key"


def test_set_language_rejects_unknown_languages():
    i18n.set_language("zh")
    for lang in ("fr", "zh_CN", "", "EN"):
        with pytest.raises(ValueError):
            i18n.set_language(lang)
    assert i18n.language() == "zh"


@pytest.mark.parametrize(
    ("env", "lang"),
    [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
     ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh")],
)
def test_detect_language_from_locale(monkeypatch, env, lang):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.detect_language() == lang


_KEY_USE = re.compile(
    r"\b(?:t|RuleError|InvalidInput|Conflict|NotAllowed|DeskError)\(\s*\"([a-z_]+\.[a-z_.]+)\"")


def test_every_key_the_code_uses_is_translated():
    # t() falls back to showing the raw key, which a user would see as "error.foo".
    package = Path(i18n.__file__).resolve().parent.parent
    used = set()
    for path in package.rglob("*.py"):
        used |= set(_KEY_USE.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 20  # the scan finds the keys at all
    assert sorted(used - set(i18n.catalogue("en"))) == []  # the areas' keys too


def test_every_permission_reads_as_words_in_a_refusal():
    """"your role (viewer) may not do this (opened)" read like a code; every permission
    has words in both languages."""
    from deskapp import i18n
    from deskapp.services import NotAllowed
    from deskapp.services.context import PERMISSIONS

    for lang in ("en", "zh"):
        i18n.set_language(lang)
        for permission in PERMISSIONS:
            message = NotAllowed("error.not_allowed", role="viewer",
                                 action=permission).message()
            assert permission not in message and "." not in message.split("(")[-1], message
    i18n.set_language("en")
    assert "open a ticket" in NotAllowed("error.not_allowed", role="viewer",
                                         action="ticket.open").message()
