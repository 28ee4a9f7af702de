"""`Subcommand`: routes `/admin <word> …` to the handler registered for that word."""

from __future__ import annotations

from typing import Any

from aiogram.filters import CommandObject, Filter
from aiogram.types import Message

__all__ = ["Subcommand", "split_args"]


def split_args(command: CommandObject) -> tuple[str, str]:
    """The subcommand (lower case, "" for none) and the rest of the line, stripped."""
    sub, _, rest = (command.args or "").strip().partition(" ")
    return sub.lower(), rest.strip()


class Subcommand(Filter):
    """Passes when the command's first word is `name`, handing the handler the rest as `rest`.

    Registered after `Command(...)`, whose `command` it reads; "" is the bare command.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    async def __call__(self, message: Message, command: CommandObject) -> bool | dict[str, Any]:
        sub, rest = split_args(command)
        return {"rest": rest} if sub == self.name else False
