"""Update middlewares, in the order `bot.factory` installs them on `dp.update.outer_middleware`.

throttling → db session → context → i18n → support (act-as audit) → service errors.
"""

from bot.middlewares.context import ContextMiddleware
from bot.middlewares.db import DbSessionMiddleware
from bot.middlewares.errors import ServiceErrorMiddleware
from bot.middlewares.i18n import I18nMiddleware
from bot.middlewares.support import SupportMarkMiddleware, SupportMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware

__all__ = [
    "ContextMiddleware", "DbSessionMiddleware", "I18nMiddleware", "ServiceErrorMiddleware",
    "SupportMarkMiddleware", "SupportMiddleware", "ThrottlingMiddleware",
]
