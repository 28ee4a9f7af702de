"""Buttons under answers: a chart, pages of a list, recommendation decisions, the menu."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.budgets.keyboards import list_rows as budget_rows
from bot.features.menu.callbacks import MenuAction, MenuCb
from bot.features.questions.callbacks import AskCb, RecAction, RecCb
from core.services.ask.types import (
    Answer,
    BudgetsAnswer,
    Intent,
    RecommendationsAnswer,
    ResourcesAnswer,
    SpendAnswer,
    TopAnswer,
)

__all__ = ["answer_kb"]

REC_ROWS = 5


def _pages(kb: InlineKeyboardBuilder, rc: RequestContext, intent: Intent, page: int,
           has_next: bool) -> int:
    buttons = 0
    if page > 0:
        kb.button(text=rc.t("menu.btn.prev"), callback_data=AskCb(intent=intent, page=page - 1,
                                                                 nav=True))
        buttons += 1
    if has_next:
        kb.button(text=rc.t("menu.btn.next"), callback_data=AskCb(intent=intent, page=page + 1,
                                                                 nav=True))
        buttons += 1
    return buttons


def answer_kb(rc: RequestContext, answer: Answer) -> InlineKeyboardMarkup:
    """The buttons that make sense under `answer`, then the menu."""
    kb = InlineKeyboardBuilder()
    rows: list[int] = []
    q = answer.question
    if isinstance(answer, SpendAnswer | TopAnswer) and answer.total > 0:
        kb.button(text=rc.t("menu.btn.chart"), callback_data=AskCb(
            intent=q.intent if isinstance(answer, TopAnswer) else Intent.TREND, chart=True,
            start=q.start.toordinal(), end=q.end.toordinal()))
        rows.append(1)
    if isinstance(answer, BudgetsAnswer):  # each budget's card, and "➕ New budget"
        rows += budget_rows(kb, rc, answer.items)
    if isinstance(answer, ResourcesAnswer):
        n = _pages(kb, rc, Intent.RESOURCES, answer.page, answer.page + 1 < answer.pages)
        rows += [n] if n else []
    if isinstance(answer, RecommendationsAnswer):
        first = q.page * q.limit
        for n, rec in enumerate(answer.items[:REC_ROWS], first + 1):
            for action in RecAction:
                kb.button(text=rc.t(f"menu.btn.{action.value}", n=n),
                          callback_data=RecCb(action=action, id=rec.id))
            rows.append(3)
        n = _pages(kb, rc, Intent.RECOMMENDATIONS, q.page, first + len(answer.items)
                   < answer.count)
        rows += [n] if n else []
    kb.button(text=rc.t("menu.btn.menu"), callback_data=MenuCb(action=MenuAction.MENU))
    rows.append(1)
    kb.adjust(*rows)
    return kb.as_markup()
