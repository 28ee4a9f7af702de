"""Feature packages: each exposes `router.setup() -> Router`; `bot.routers` lists them in order.

How to add a feature (one package + one line in `bot/routers.py`, before `fallback`):

    bot/features/<name>/
        callbacks.py  class ThingCb(CallbackData, prefix="thg"): action: ThingAction; id: int
        keyboards.py  def thing_kb(rc: RequestContext, ...) -> InlineKeyboardMarkup
        states.py     class ThingWizard(StatesGroup): ...
        handlers.py   async def cmd_thing(message, rc: RequestContext, session, app) -> None:
                          item = await core.services.things.get(session, rc.org.id, rc.user.id, id)
                          await message.answer(rc.t("things.card", name=esc(item.name)))
        router.py     def setup() -> Router:
                          router = Router(name=__name__)
                          router.message.register(h.cmd_thing, Command("thing"),
                                                  RoleFilter(Role.MEMBER))
                          return router

Rules: handlers get `rc` (RequestContext: user, org, role, lang), `session` (committed after
the update, rolled back on error), `app` (AppContext), `state`, `bot`; they hold no SQL. Text
lives in renderers/locales/{ru,en}/<domain>.json and goes out through `rc.t(...)`, with user
values passed through `bot.i18n.esc` (HTML parse mode). Callback data carries ids only: pass
them to a core service that re-loads the object scoped by `rc.org.id` and checks the role; a
`ServiceError` it raises (NotFound, Forbidden, DemoReadOnly …) becomes a polite reply in
`ServiceErrorMiddleware`. Free-text handlers use `StateFilter(None)` and, when they do not
understand, call `bot.features.fallback.handlers.reply_not_understood`.
"""
