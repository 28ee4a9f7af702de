"""The languages InfraZen speaks, and how a Telegram language code maps onto them.

Pure: core needs it to pick a chat's language (schedules, digests, alerts) without importing
the renderers; `renderers.i18n` re-exports both names for the message catalogues.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "normalise_language"]

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


def normalise_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram `language_code` (`ru`, `en-US`, `uk`, None) to a supported language."""
    if not code:
        return default
    base = code.split("-")[0].lower()
    return base if base in LANGUAGES else default
