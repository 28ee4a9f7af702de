"""The period grammar, generated: every form × years × months × weekdays × prefixes × filters.

Sentences are built from parts rather than listed, and the expected range is computed here
with plain calendar arithmetic, so a rule that works for "март 2025" but not "октябрь 2024"
(or for Russian but not English) fails.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from core.query import parse

TODAYS = (date(2026, 11, 18), date(2027, 1, 5), date(2026, 3, 1))
MONTHS_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
              "сентября", "октября", "ноября", "декабря")
MONTHS_PREP = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе",
               "сентябре", "октябре", "ноябре", "декабре")
MONTHS_EN = tuple(calendar.month_name[i] for i in range(1, 13))
WEEKDAYS_ACC = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу",
                "воскресенье")
WEEKDAYS_GEN = ("понедельника", "вторника", "среды", "четверга", "пятницы", "субботы",
                "воскресенья")
WEEKDAYS_EN = tuple(calendar.day_name[i] for i in range(7))
ORD_RU_F = ("первую", "вторую", "третью", "четвертую")
ORD_RU_M = ("первый", "второй", "третий", "четвертый")
ORD_EN = ("first", "second", "third", "fourth")
Prefix = tuple[tuple[str, dict[str, str]], ...]
PREFIX_RU: Prefix = (("расходы", {}),
                     ("сколько потратили на селектеле", {"provider": "selectel"}))
PREFIX_EN: Prefix = (("spend", {}), ("beget costs", {"provider": "beget"}))

Case = tuple[str, date, tuple[date, date], dict[str, str]]


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _clip(rng: tuple[date, date], today: date) -> tuple[date, date]:
    return rng[0], min(rng[1], today)


def _latest(today: date, weekday: int) -> date:
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _cases() -> Iterator[Case]:
    for today, (pre_ru, f_ru), (pre_en, f_en) in itertools.product(TODAYS, PREFIX_RU,
                                                                   PREFIX_EN):
        past = [y for y in (2024, 2025) if y < today.year]
        for year, m in itertools.product(past, range(1, 13)):
            rng = _month(year, m)
            yield f"{pre_ru} в {MONTHS_PREP[m - 1]} {year}", today, rng, f_ru
            yield f"{pre_ru} за {MONTHS_PREP[m - 1][:-1]}ь {year} года".replace("маь", "май") \
                .replace("мартьь", "март"), today, rng, f_ru
            yield f"{pre_en} in {MONTHS_EN[m - 1]} of {year}", today, rng, f_en
            for n in range(1, 5):  # ordinal weeks of a month in a given year
                start = date(year, m, 7 * (n - 1) + 1)
                week = (start, start + timedelta(days=6))
                yield (f"{pre_ru} за {ORD_RU_F[n - 1]} неделю {MONTHS_GEN[m - 1]} {year}",
                       today, week, f_ru)
                yield f"{pre_en} in the {ORD_EN[n - 1]} week of {MONTHS_EN[m - 1]} {year}", \
                    today, week, f_en
        for year, q in itertools.product(past, range(1, 5)):
            rng = (date(year, 3 * q - 2, 1), _month(year, 3 * q)[1])
            yield f"{pre_ru} за {ORD_RU_M[q - 1]} квартал {year} года", today, rng, f_ru
            yield f"{pre_ru} за {q} кв {year}", today, rng, f_ru
            yield f"{pre_en} for Q{q} {year}", today, rng, f_en
            yield f"{pre_en} in the {ORD_EN[q - 1]} quarter of {year}", today, rng, f_en
        for year, h in itertools.product(past, (1, 2)):
            rng = (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1),
                                                                       date(year, 12, 31))
            yield f"{pre_ru} за {('первое', 'второе')[h - 1]} полугодие {year}", today, rng, \
                f_ru
            yield f"{pre_en} in H{h} {year}", today, rng, f_en
            yield f"{pre_en} in the {ORD_EN[h - 1]} half of {year}", today, rng, f_en
        monday = today - timedelta(days=today.weekday())
        for wd in range(7):
            latest = _latest(today, wd)
            previous = monday - timedelta(days=7) + timedelta(days=wd)
            gender = "прошлую" if WEEKDAYS_ACC[wd].endswith("у") else (
                "прошлое" if wd == 6 else "прошлый")
            yield f"{pre_ru} с {WEEKDAYS_GEN[wd]}", today, (latest, today), f_ru
            yield f"{pre_en} since {WEEKDAYS_EN[wd]}", today, (latest, today), f_en
            yield f"{pre_ru} в {WEEKDAYS_ACC[wd]}", today, (latest, latest), f_ru
            yield f"{pre_ru} в {gender} {WEEKDAYS_ACC[wd]}", today, (previous, previous), f_ru
            yield f"{pre_en} last {WEEKDAYS_EN[wd]}", today, (previous, previous), f_en
        for d in range(1, 29):
            day = today.replace(day=d) if d <= today.day else (
                (today.replace(day=1) - timedelta(days=1)).replace(day=d))
            suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
            yield f"{pre_ru} {d}-го", today, (day, day), f_ru
            yield f"{pre_en} on the {d}{suffix}", today, (day, day), f_en
            yield f"{pre_ru} с {d}-го", today, (day, today), f_ru
        quarter = (today.year * 4 + (today.month - 1) // 3 - 2)
        q_start = date(quarter // 4, quarter % 4 * 3 + 1, 1)
        q_rng = (q_start, _month(q_start.year, q_start.month + 2)[1])
        yield f"{pre_ru} за позапрошлый квартал", today, q_rng, f_ru
        yield f"{pre_en} the quarter before last", today, q_rng, f_en
        y2 = (date(today.year - 2, 1, 1), date(today.year - 2, 12, 31))
        yield f"{pre_ru} за позапрошлый год", today, y2, f_ru
        yield f"{pre_en} the year before last", today, y2, f_en
        for year, m in itertools.product(past, (2, 7, 11)):
            a, b = date(year, m, 3), date(year, m, 10)
            rng = (a, b)
            yield f"{pre_ru} с 3 по 10 {MONTHS_GEN[m - 1]} {year}", today, rng, f_ru
            yield f"{pre_en} between {MONTHS_EN[m - 1][:3]} 3 and {MONTHS_EN[m - 1][:3]} 10 " \
                  f"{year}", today, rng, f_en
            yield f"{pre_ru} с {a:%d.%m.%Y} по {b:%d.%m.%Y}", today, rng, f_ru
            yield f"{pre_en} from {a.isoformat()} to {b.isoformat()}", today, rng, f_en
            yield f"{pre_ru} за {a:%d.%m.%Y}", today, (a, a), f_ru
            yield f"{pre_en} on {b.isoformat()}", today, (b, b), f_en
            first, last = _month(year, m)[0], _month(year, m + 1)[1]
            yield f"{pre_ru} {MONTHS_PREP[m - 1][:-1]}ь–{MONTHS_PREP[m][:-1]}ь {year}" \
                .replace("маь", "май"), today, (first, last), f_ru


CASES = list(_cases())


def test_the_grammar_is_exercised_broadly() -> None:
    assert len(CASES) > 1500
    assert len({c[0] for c in CASES}) > 700


@pytest.mark.parametrize("chunk", range(6))
def test_generated_period_phrases(chunk: int) -> None:
    misses = []
    for text, today, (start, end), filters in CASES[chunk::6]:
        got = parse(text, today=today)
        expected = (start, min(end, today) if start <= today else end)
        if (got.period.start, got.period.end) != expected or got.filters.to_dict() != filters \
                or got.intent.value != "spend":
            misses.append(f"{text!r} on {today}: got {got.intent.value} {got.period} "
                          f"{got.filters.to_dict()}, expected {expected} {filters}")
    assert not misses, "\n".join(misses[:40]) + f"\n({len(misses)} misses)"
