"""The bot's bridge to `renderers.i18n`: language resolution and translation helpers.

User text lives in `renderers/locales/{ru,en}/<domain>.json` (`bot.json`, `onboarding.json`,
`team.json`, `settings.json`, `admin.json`, …); keys are `<domain>.<key>`. Bot messages use
HTML parse mode, so every user-supplied value goes through `esc` before it is formatted in.
"""

from __future__ import annotations

import html
from typing import Any

from renderers.i18n import LANGUAGES, normalise_language, t

__all__ = ["LANGUAGES", "esc", "resolve_language", "tr"]


def resolve_language(saved: str | None, telegram_code: str | None, default: str) -> str:
    """The user's saved language, else Telegram's `language_code`, else DEFAULT_LANGUAGE."""
    if saved in LANGUAGES:
        return saved
    return normalise_language(telegram_code, default)


def tr(key: str, lang: str, /, **params: Any) -> str:
    """`renderers.i18n.t` with the language first-class, as handlers call it."""
    return t(key, lang, **params)


def esc(value: object) -> str:
    """Escape a user-supplied value for HTML parse mode."""
    return html.escape(str(value), quote=False)
