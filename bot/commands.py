"""The command menu Telegram shows, in Russian and English (scoped by language_code).

A feature adds its command with one line: (command, catalogue key of its description).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from renderers.i18n import LANGUAGES, t

__all__ = ["GROUP_COMMANDS", "PRIVATE_COMMANDS", "set_commands"]

PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "bot.commands.start"),
    ("menu", "bot.commands.menu"),
    ("spend", "bot.commands.spend"),
    ("top", "bot.commands.top"),
    ("forecast", "bot.commands.forecast"),
    ("budget", "bot.commands.budget"),
    ("allocation", "bot.commands.allocation"),
    ("recs", "bot.commands.recs"),
    ("recrules", "bot.commands.recrules"),
    ("rates", "bot.commands.rates"),
    ("anomalies", "bot.commands.anomalies"),
    ("resources", "bot.commands.resources"),
    ("chart", "bot.commands.chart"),
    ("report", "bot.commands.report"),
    ("export", "bot.commands.export"),
    ("connect", "bot.commands.connect"),
    ("connections", "bot.commands.connections"),
    ("settings", "bot.commands.settings"),
    ("invite", "bot.commands.invite"),
    ("members", "bot.commands.members"),
    ("org", "bot.commands.org"),
    ("demo", "bot.commands.demo"),
    ("help", "bot.commands.help"),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("bind", "bot.commands.bind"),
    ("unbind", "bot.commands.unbind"),
    ("help", "bot.commands.help"),
)


def _commands(items: Sequence[tuple[str, str]], lang: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=t(key, lang)) for name, key in items]


async def set_commands(bot: Bot, default_language: str = "ru") -> None:
    """Register the menus: one per language, plus the default for other languages."""
    for lang in (*LANGUAGES, None):
        text_lang = lang or default_language
        await bot.set_my_commands(_commands(PRIVATE_COMMANDS, text_lang),
                                  scope=BotCommandScopeAllPrivateChats(), language_code=lang)
        await bot.set_my_commands(_commands(GROUP_COMMANDS, text_lang),
                                  scope=BotCommandScopeAllGroupChats(), language_code=lang)
