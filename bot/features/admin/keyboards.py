"""Admin keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.context import RequestContext
from bot.features.admin.callbacks import AdminAction, AdminCb
from core.services.admin import OrgHit, UnrecognizedRef

__all__ = ["broadcast_kb", "orgs_kb", "panel_kb", "unrecognized_kb"]


def panel_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("admin.btn_refresh"), callback_data=AdminCb(action=AdminAction.STATS))
    kb.button(text=rc.t("admin.btn_unrecognized"),
              callback_data=AdminCb(action=AdminAction.UNRECOGNIZED))
    kb.button(text=rc.t("admin.btn_reseed"), callback_data=AdminCb(action=AdminAction.RESEED))
    if rc.support:
        kb.button(text=rc.t("admin.btn_exit"), callback_data=AdminCb(action=AdminAction.EXIT))
    kb.adjust(1)
    return kb.as_markup()


def unrecognized_kb(rc: RequestContext,
                    items: Sequence[UnrecognizedRef]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for item in items:
        kb.button(text=rc.t("admin.btn_resolve", id=item.id),
                  callback_data=AdminCb(action=AdminAction.RESOLVE, id=item.id))
    kb.adjust(2)
    return kb.as_markup()


def orgs_kb(rc: RequestContext, orgs: Sequence[OrgHit]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for org in orgs:
        kb.button(text=rc.t("admin.btn_act_as", name=org.name),
                  callback_data=AdminCb(action=AdminAction.ACT_AS, id=org.id))
    kb.adjust(1)
    return kb.as_markup()


def broadcast_kb(rc: RequestContext) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=rc.t("admin.btn_broadcast_ok"),
              callback_data=AdminCb(action=AdminAction.BROADCAST_OK))
    return kb.as_markup()
