"""Whether a question is about the organisation's cloud costs at all.

"Сколько стоит айфон 16", "how much is a pizza in moscow", "прогноз погоды": the words of a
cost question with nothing of ours in them. A cost, forecast, trend or top question needs a
context: a filter (provider, service, project, team, connection, region, resource, tag), a
word for us ("мы", "наш", "our"), for the cloud or infrastructure, a cost noun or spending
verb ("расходы", "счёт", "bill", "потратили") or a kind of cloud resource. Without one, and
with words left over that the parser did not understand, it is not understood rather than
answered with a sum. A bare fragment ("сколько за октябрь?") has no words left over and
stays a cost question.
"""

from __future__ import annotations

import re

from core.query.model import Filters, Intent

__all__ = ["NEEDS_CONTEXT", "about_our_costs"]

NEEDS_CONTEXT: frozenset[Intent] = frozenset({Intent.SPEND, Intent.FORECAST, Intent.TREND,
                                              Intent.TOP})
"""Intents whose words ("сколько", "стоит", "прогноз", "топ") are also everyday words; the
others (budget, anomalies, advice, resources, report) name a FinOps view themselves."""

_W = r"[а-яa-z]*"
_CONTEXT = re.compile(
    r"(?<![\w])(?:"
    # us
    rf"мы|нам|нас|наш{_W}|мне|we|us|our|ours|компани{_W}|company|team{_W}|команд{_W}"
    # the cloud, the infrastructure, the provider
    rf"|облак{_W}|облачн{_W}|cloud{_W}|инфр{_W}|infra{_W}|хостинг{_W}|hosting|провайдер{_W}"
    rf"|providers?|аккаунт{_W}|accounts?"
    rf"|проект{_W}|projects?|регион{_W}|regions?"
    # cost nouns and spending verbs
    rf"|расход{_W}|трат{_W}|потрат{_W}|затрат{_W}|сч[её]т{_W}|bill{_W}|spend{_W}|spent"
    rf"|invoice{_W}|инвойс{_W}|expens{_W}|costs|издерж{_W}|заплат{_W}|плат(?:им|ят|или|ил){_W}"
    rf"|ушл[оа]|уход{_W}|вышл[оаи]|вышел|съел{_W}|сожр{_W}|burn{_W}|paid|paying|charg{_W}"
    rf"|бюджет{_W}|budget{_W}|деньг{_W}|денег|бабл{_W}|бабк{_W}|money|cash|списа{_W}"
    rf"|натрат{_W}|улетел{_W}|утекл{_W}|уплыл{_W}|went|итого|damage|дорог{_W}|дешев{_W}|прожорлив{_W}|expensive|costly"
    rf"|pricey|priciest|costliest|cheap{_W}|cost[\s-]+(?:cent(?:er|re)s?|wise|drivers?|items?"
    r"|breakdown|allocation)|costwise"
    # kinds of cloud resource
    rf"|ресурс{_W}|resources?|сервер{_W}|сервак{_W}|servers?|инстанс{_W}|instances?|вм"
    rf"|vms?|виртуал{_W}|вирт[ау]лк{_W}|диск{_W}|disks?|volumes?|хранени{_W}|хранилищ{_W}"
    rf"|storage|трафф?ик{_W}|traffic|compute|вычислен{_W}|бакет{_W}|buckets?|кластер{_W}"
    rf"|clusters?|нод{_W}|nodes?|баз{_W}\s+данных|databases?"
    rf"|ядр{_W}|v?cpu|gpu|ram|памят{_W}|[гт]б|[gt]b"
    r")(?![\w])")

_WEAK = re.compile(rf"(?:подписк|subscription|тариф|услуг|сервис|service|лиценз|licen[cs]"
                   rf"|подключени|connection|окружени|environment|категори|categor)"
                   rf"{_W}")
"""Words for anything one pays for, ours or not ("подписка на chatgpt", "тариф мегафона"):
they tie a question to our costs only when nothing unknown is left beside them; so do the
dimensions a top ranks that are everyday words too ("топ подключений")."""


_FILLER_TEXT = """
what's whats what'd how's where when why who which ok okay hey hi hello just quick quickly
roughly approx approximately exactly so far out go goes going get got like look looks
выглядит выглядят выглядеть
хочу интересно узнать узнай посчитай подсчитай нарисуй глянь глянуть посмотри посмотреть
скажите подскажите ребят ребята коллеги привет итак так ок окей примерно ориентировочно
точно вообще где когда почему кто куда сейчас уже еще ещё там итог итоги итогу
день дня дней неделя недели неделю месяц месяца год года day days week weeks month months
year years
плз плиз пжлст пж пжл pls plz please thanks thx спс спасибо срочно быстро asap короче кстати
типа че чё блин вообще ну вот снова опять тоже также again also too then now currently
факту факт итоге итогам целом среднем average avg total overall whole each каждый
период периода периоде периоду периоды period periods
"""
_FILLER = frozenset(_FILLER_TEXT.split())
"""Words any question may hold besides its subject: asking, greeting, hedging, units."""


def about_our_costs(text: str, filters: Filters, leftovers: tuple[str, ...]) -> bool:
    """True when the (normalised) text or its filters tie it to the org's cloud costs, or
    when nothing but filler is left once keywords, periods and names are read."""
    if not filters.is_empty or _CONTEXT.search(text) is not None:
        return True
    return all(word in _FILLER or word.isdigit() or _WEAK.fullmatch(word)
               for word in leftovers)
