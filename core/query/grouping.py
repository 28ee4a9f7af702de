"""What a ranking ranks: "топ сервисов", "топ-3 провайдера", "какие проекты дороже всего",
"which teams cost the most", "breakdown by region" → the dimension to group the top by.

A dimension word is also a filter's cue ("топ ресурсов сервиса Compute", "топ сервисов в
проекте alpha"), so words the filters took are skipped, and a singular word counts only
right after a ranking word ("какой проект", "топ-3 провайдера", "самого дорогого региона"):
"в проекте альфа" names a project, it does not rank projects. A dimension said with "по" /
"by" / "per" / "в разрезе" wins; otherwise the first one in the text does ("топ ресурсов
по тегу" ranks resources).
"""

from __future__ import annotations

import re

from core.query.lexicon import NUM
from core.query.model import GroupBy

__all__ = ["find_group_by"]

_PLURAL: tuple[tuple[GroupBy, str], ...] = (
    (GroupBy.RESOURCE, r"ресурс(?:ы|ов|ам|ами|ах)|сервер(?:ы|ов|ам|ами|ах|а)|сервак(?:и|ов|ам)"
                       r"|инстанс(?:ы|ов|ам|ами|ах)|виртуал(?:к[аиуеой]|ок|кам|ками|ках)"
                       r"|вм(?:ки|ок)?|машин(?:ы|ам|ами|ах)?|диск(?:и|ов|ам|ами|ах)"
                       r"|бакет(?:ы|ов|ам|ами|ах)|resources|servers|instances|vms|machines"
                       r"|disks|volumes|buckets"),
    (GroupBy.SERVICE, r"сервис(?:ы|ов|ам|ами|ах)|услуг(?:и|ам|ами|ах)?|services"),
    (GroupBy.PROVIDER, r"провайдер(?:ы|ов|ам|ами|ах)|облак(?:а|ов|ам|ами|ах)|providers|clouds"
                       r"|vendors"),
    (GroupBy.CONNECTION, r"подключени(?:я|й|ям|ями|ях)|аккаунт(?:ы|ов|ам|ами|ах)"
                         r"|кабинет(?:ы|ов|ам|ами|ах)|учетк(?:и|ам|ами|ах)|учеток|accounts"
                         r"|connections|subscriptions"),
    (GroupBy.PROJECT, r"проект(?:ы|ов|ам|ами|ах)|projects"),
    (GroupBy.TEAM, r"команд(?:ы|ам|ами|ах)?|отдел(?:ы|ов|ам|ами|ах)|teams|departments"),
    (GroupBy.REGION, r"регион(?:ы|ов|ам|ами|ах)|зон(?:ы|ам|ами|ах)?|локаци(?:и|й|ям|ях)"
                     r"|regions|zones|locations"),
    (GroupBy.ENVIRONMENT, r"окружени(?:я|й|ям|ями|ях)|environments|envs"),
    (GroupBy.CATEGORY, r"категори(?:и|й|ям|ями|ях)|categories"),
    (GroupBy.DAY, r"дни|дней|дням|днях|days"),
)
"""Plural forms (every case): they rank wherever they stand, unless a filter took them."""

_SINGULAR: tuple[tuple[GroupBy, str], ...] = (
    (GroupBy.RESOURCE, r"ресурс(?:а|у|ом|е)?|сервер(?:у|ом|е)?|инстанс(?:а|у|ом|е)?"
                       r"|виртуалк[аиуеой]|машин[аыуеой]|диск(?:а|у|ом|е)?|бакет(?:а|у|ом|е)?"
                       r"|resource|server|instance|vm|machine|disk|volume|bucket"),
    (GroupBy.SERVICE, r"сервис(?:а|у|ом|е)?|услуг[аиуеой]|service"),
    (GroupBy.PROVIDER, r"провайдер(?:а|у|ом|е)?|облак(?:о|у|ом|е)|provider|cloud|vendor"),
    (GroupBy.CONNECTION, r"подключени(?:е|я|ю|ем)|аккаунт(?:а|у|ом|е)?|кабинет(?:а|у|ом|е)?"
                         r"|account|connection|subscription"),
    (GroupBy.PROJECT, r"проект(?:а|у|ом|е)?|project"),
    (GroupBy.TEAM, r"команд[аыуеой]|отдел(?:а|у|ом|е)?|team|department"),
    (GroupBy.REGION, r"регион(?:а|у|ом|е)?|зон[аыуеой]|локаци(?:я|и|ю|ей)|region|zone|location"),
    (GroupBy.ENVIRONMENT, r"окружени(?:е|я|ю|ем)|environment|env"),
    (GroupBy.CATEGORY, r"категори(?:я|и|ю|ей)|category"),
    (GroupBy.DAY, r"день|дня|дню|днем|day"),
)
"""Singular forms: they rank only right after a ranking word (`_RANKING`)."""

_COSTLY = (r"(?:сам[а-я]*\s+|наиболее\s+)?(?:дорог|затратн|крупн|больш|прожорлив|жадн|жирн"
           r"|тяжел|дорогущ|расходн)[а-я]*")
_RANKING = re.compile(
    rf"(?<![\w])(?:как(?:ой|ая|ое|ие|ого|ому|ом|ую|их|им|ими)|кажд(?:ый|ая|ое|ого|ому|ую|ом|ой)"
    rf"|(?:топ|top)(?:\s*-?\s*{NUM})?|{NUM}|{_COSTLY}"
    r"|which|what|each|every|per|by|the\s+(?:most\s+)?(?:expensive|costly|pricey)"
    r"|most\s+(?:expensive|costly|pricey)|priciest|costliest|dearest|biggest|largest|highest"
    r"|heaviest|hungriest)\s+$")
"""Words after which a singular noun is what is ranked: "какой проект", "топ-3 провайдера"."""
_CUED = re.compile(r"(?<![\w])(?:по|в\s+разрезе|с\s+разбивкой\s+по|разбивк[а-я]*\s+по"
                   r"|by|per|broken\s+down\s+by|split\s+by|grouped\s+by)\s+(?:всем\s+|каждому\s+"
                   r"|каждой\s+|all\s+|each\s+)?$")
"""A dimension said with these names the grouping outright: "по сервисам", "by team"."""


def _compile(table: tuple[tuple[GroupBy, str], ...]) -> tuple[tuple[GroupBy, re.Pattern[str]],
                                                                 ...]:
    return tuple((dim, re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])")) for dim, pattern in table)


_PLURAL_RE = _compile(_PLURAL)
_SINGULAR_RE = _compile(_SINGULAR)


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= s[0] or span[0] >= s[1] for s in taken)


def find_group_by(text: str, taken: list[tuple[int, int]]
                  ) -> tuple[GroupBy, tuple[int, int]] | None:
    """The dimension `text` ranks by and its span, outside the `taken` spans (filters,
    periods, providers); None when the words name none (the answer ranks resources)."""
    hits: list[tuple[int, int, GroupBy, tuple[int, int]]] = []
    for singular, table in ((False, _PLURAL_RE), (True, _SINGULAR_RE)):
        for dim, pattern in table:
            for m in pattern.finditer(text):
                if not _free(m.span(), taken):
                    continue
                before = text[:m.start()]
                ranking = _RANKING.search(before)
                if singular and ranking is None:
                    continue
                cued = _CUED.search(before) is not None
                # "в каком регионе": the question word is read with its noun
                start = ranking.start() if ranking else m.start()
                hits.append((0 if cued else 1, m.start(), dim, (start, m.end())))
    if not hits:
        return None
    _rank, _start, dim, span = min(hits, key=lambda h: (h[0], h[1]))
    return dim, span
