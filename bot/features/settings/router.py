"""Router of the settings feature."""

from __future__ import annotations

from aiogram import Router


def setup() -> Router:
    return Router(name=__name__)
