"""The bot's bridge to `renderers.i18n`: language resolution and translation helpers.

User text lives in `renderers/locales/{ru,en}/<domain>.json` (`bot.json`, `onboarding.json`,
`team.json`, `settings.json`, `admin.json`, …); keys are `<domain>.<key>`. Bot messages use
HTML parse mode, so every user-supplied value goes through `esc` before it is formatted in.
"""

from __future__ import annotations

from renderers.i18n import LANGUAGES, normalise_language
from renderers.messages.answers_common import esc

__all__ = ["LANGUAGES", "esc", "resolve_language"]


def resolve_language(saved: str | None, telegram_code: str | None, default: str) -> str:
    """The user's saved language, else Telegram's `language_code`, else DEFAULT_LANGUAGE."""
    if saved in LANGUAGES:
        return saved
    return normalise_language(telegram_code, default)
