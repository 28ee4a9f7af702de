"""Shared word lists: month names in every Russian case and English, numbers, units, ordinals.

Regex fragments here are plain strings; modules compile them once at import.
"""

from __future__ import annotations

import re

__all__ = ["DAY", "MONTH", "NUM", "ORDINAL", "ORD_QUARTER", "UNIT", "WEEKDAY", "WEEKDAY_SHORT",
           "YEAR",
           "correct_day_words", "correct_months", "day_value", "month_number", "normalize",
           "number_value",
           "ordinal_value", "quarter_value", "unit_key", "weekday_number", "within_one_edit"]

MONTH = (
    r"(?:январ[а-я]*|янв|феврал[а-я]*|фев|март[а-я]*|мар|апрел[а-я]*|апр|ма[йяе]|июн[а-я]*"
    r"|июл[а-я]*|август[а-я]*|авг|сентябр[а-я]*|сент?|октябр[а-я]*|окт|ноябр[а-я]*|нояб?"
    r"|декабр[а-я]*|дек|january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul"
    r"|august|aug|september|sept?|oct(?:ober|obr|ober)?|november|nov|december|dec)\.?(?!\w)"
)
YEAR = r"(?:19|20)\d{2}(?!\d)"

_MONTH_PREFIX: dict[str, int] = {
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
    "окт": 10, "ноя": 11, "дек": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

_NUMBERS: dict[str, int] = {
    "один": 1, "одну": 1, "одна": 1, "одного": 1, "одной": 1, "два": 2, "две": 2, "двух": 2,
    "пару": 2, "пара": 2, "три": 3, "трех": 3, "четыре": 4, "четырех": 4, "пять": 5, "пяти": 5,
    "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8, "восьми": 8, "девять": 9,
    "девяти": 9, "десять": 10, "десяти": 10, "двенадцать": 12, "двенадцати": 12,
    "пятнадцать": 15, "пятнадцати": 15, "двадцать": 20, "двадцати": 20, "тридцать": 30,
    "тридцати": 30, "шестьдесят": 60, "шестидесяти": 60, "девяносто": 90,
    "one": 1, "a": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "sixty": 60, "ninety": 90,
}
NUM = r"(?:\d{1,3}|" + "|".join(sorted((w for w in _NUMBERS if w != "a"), key=len,
                                       reverse=True)) + r"|a\s+couple\s+of|couple\s+of)"

UNIT = (r"(?:дн[а-я]*|день|сут[а-я]*|недел[а-я]*|нед\.?|месяц[а-я]*|мес\.?|квартал[а-я]*"
        r"|год[а-я]*|лет|кв\.?|час[а-я]*|days?|weeks?|wks?|fortnights?|months?|mos|quarters?"
        r"|qtrs?|years?|yrs?|hours?|hrs?)(?!\w)")

ORD_QUARTER = (r"(?:перв[а-я]*|втор[а-я]*|трет[а-я]*|четв[её]рт[а-я]*|first|second|third|fourth"
               r"|1st|2nd|3rd|4th|iv|i{1,3}|[1-4])")

_UNIT_PREFIX: tuple[tuple[str, str], ...] = (
    ("fortnight", "fortnight"), ("дн", "day"), ("ден", "day"), ("сут", "day"), ("day", "day"),
    ("нед", "week"),
    ("week", "week"), ("wk", "week"), ("мес", "month"), ("month", "month"), ("mo", "month"),
    ("квартал", "quarter"), ("quarter", "quarter"), ("qtr", "quarter"), ("кв", "quarter"),
    ("час", "hour"), ("hour", "hour"), ("hr", "hour"), ("h", "hour"), ("год", "year"),
    ("лет", "year"), ("year", "year"), ("yr", "year"), ("y", "year"), ("w", "week"),
    ("m", "month"), ("q", "quarter"), ("d", "day"),
)

_QUARTER_PREFIX: tuple[tuple[str, int], ...] = (
    ("перв", 1), ("втор", 2), ("трет", 3), ("четв", 4), ("first", 1), ("second", 2),
    ("third", 3), ("fourth", 4), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("iv", 4),
    ("iii", 3), ("ii", 2), ("i", 1),
)

_DAY_STEMS_RU: tuple[tuple[str, int], ...] = (
    ("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4), ("пят", 5), ("шест", 6), ("седьм", 7),
    ("восьм", 8), ("девят", 9), ("десят", 10), ("одиннадцат", 11), ("двенадцат", 12),
    ("тринадцат", 13), ("четырнадцат", 14), ("пятнадцат", 15), ("шестнадцат", 16),
    ("семнадцат", 17), ("восемнадцат", 18), ("девятнадцат", 19), ("двадцат", 20),
    ("тридцат", 30),
)
_DAY_WORDS_EN: tuple[tuple[str, int], ...] = (
    ("first", 1), ("second", 2), ("third", 3), ("fourth", 4), ("fifth", 5), ("sixth", 6),
    ("seventh", 7), ("eighth", 8), ("ninth", 9), ("tenth", 10), ("eleventh", 11),
    ("twelfth", 12), ("thirteenth", 13), ("fourteenth", 14), ("fifteenth", 15),
    ("sixteenth", 16), ("seventeenth", 17), ("eighteenth", 18), ("nineteenth", 19),
    ("twentieth", 20), ("thirtieth", 30),
)
_ORD_RU = "|".join(stem for stem, _ in sorted(_DAY_STEMS_RU, key=lambda x: -len(x[0])))
_ORD_EN = "|".join(word for word, _ in sorted(_DAY_WORDS_EN, key=lambda x: -len(x[0])))
DAY = (r"(?:\d{1,2}"
       rf"|(?:(?:двадцать|тридцать)\s+)?(?:{_ORD_RU})(?:ьего|ого|его|ье|ое|ий|ый|ой|ом)"
       rf"|(?:(?:twenty|thirty)[\s-])?(?:{_ORD_EN}))")
"""A day of the month: digits or an ordinal word ("пятнадцатого", "twenty-first")."""

WEEKDAY = (r"(?:понедельник[а-я]*|вторник[а-я]*|сред[уы]|четверг[а-я]*|пятниц[а-я]*"
           r"|суббот[а-я]*|воскресень[а-я]*|monday|tuesday|wednesday|thursday|friday"
           r"|saturday|sunday)(?!\w)")
"""A day of the week; "среде" is left out on purpose: "в среде prod" is an environment."""

WEEKDAY_SHORT = (r"(?:пн|вт|ср|чт|пт|сб|вс|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
                 r"(?![\w-])")
"""A weekday abbreviated ("в сб", "on sat"): a period only after a preposition or "last"."""

_WEEKDAY_PREFIX: tuple[tuple[str, int], ...] = (
    ("понед", 0), ("втор", 1), ("сред", 2), ("четв", 3), ("пятн", 4), ("субб", 5),
    ("воскр", 6), ("mon", 0), ("tue", 1), ("wed", 2), ("thu", 3), ("fri", 4), ("sat", 5),
    ("sun", 6), ("пн", 0), ("вт", 1), ("ср", 2), ("чт", 3), ("пт", 4), ("сб", 5), ("вс", 6),
)

ORDINAL = (r"(?:перв[а-я]*|втор[а-я]*|трет[а-я]*|четв[её]рт[а-я]*|пят[а-я]*|последн[а-я]*"
           r"|first|second|third|fourth|fifth|last|final|1st|2nd|3rd|4th|5th"
           r"|[1-5]-?(?:я|ю|й|ая|ую|ой|ый|ий|м|е|ое))(?!\w)")
"""An ordinal for a week of a month, a month of a quarter ("первая", "2-я", "last")."""


def weekday_number(word: str) -> int | None:
    """0 for Monday … 6 for Sunday."""
    for prefix, value in _WEEKDAY_PREFIX:
        if word.startswith(prefix):
            return value
    return None


def ordinal_value(word: str) -> int | None:
    """1…5 for an ordinal word; -1 for "last" ("последняя", "last", "final")."""
    if word.startswith(("последн", "last", "final")):
        return -1
    if word[:1].isdigit():
        return int(word[0])
    for prefix, value in (("перв", 1), ("втор", 2), ("трет", 3), ("четв", 4), ("пят", 5),
                          ("first", 1), ("second", 2), ("third", 3), ("fourth", 4),
                          ("fifth", 5)):
        if word.startswith(prefix):
            return value
    return None


_MONTH_FORMS: tuple[str, ...] = tuple(
    stem + ending
    for stem in ("январ", "феврал", "апрел", "июн", "июл", "сентябр", "октябр", "ноябр",
                 "декабр")
    for ending in ("ь", "я", "е", "ю", "ем")
) + ("март", "марта", "марте", "август", "августа", "августе", "january", "february",
     "march", "april", "june", "july", "august", "september", "october", "november",
     "december")
_LONG_WORD = re.compile(r"[а-яa-z]{5,}")
_BEFORE_YEAR = re.compile(rf"[а-яa-z]{{4,}}(?=\s+{YEAR})")
_MONTH_RE = re.compile(MONTH)
_ONE_EDIT_MIN = 6
"""Words this long are corrected when one edit away from a month form; shorter ones are too
often real words one letter off ("марка", "match")."""


def within_one_edit(word: str, canon: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns `word` into `canon`."""
    if word == canon or abs(len(word) - len(canon)) > 1:
        return word == canon
    if len(word) == len(canon):
        diff = [i for i, (a, b) in enumerate(zip(word, canon, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == canon[diff[1]]
                                  and word[diff[1]] == canon[diff[0]])
    short, long_ = (word, canon) if len(word) < len(canon) else (canon, word)
    i = next((k for k, (a, b) in enumerate(zip(short, long_, strict=False))
              if a != b), len(short))
    return short[i:] == long_[i + 1:]


def correct_months(text: str) -> str:
    """Misspelt month names ("сетнябре", "ocotber") replaced by the closest real form.

    Only words of five letters or more that are not already a month are tried, with a high
    cutoff, so ordinary words ("сервер") are never turned into months. Right before a year
    a word is a month more often than not, so one edit of a shorter form ("apirl 2025") is
    corrected there too.
    """
    from difflib import get_close_matches

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        if _MONTH_RE.fullmatch(word):
            return word
        close = get_close_matches(word, _MONTH_FORMS, n=1, cutoff=0.84)
        if close:
            return close[0]
        if len(word) >= _ONE_EDIT_MIN:
            return next((form for form in _MONTH_FORMS
                         if form[0] == word[0] and within_one_edit(word, form)), word)
        return word

    def fix_before_year(m: re.Match[str]) -> str:
        word = m.group()
        if _MONTH_RE.fullmatch(word):
            return word
        return next((form for form in _MONTH_FORMS
                     if form[0] == word[0] and within_one_edit(word, form)), word)
    return _LONG_WORD.sub(fix, _BEFORE_YEAR.sub(fix_before_year, text))


_DAY_WORDS: tuple[str, ...] = ("позавчера", "вчера", "сегодня", "yesterday", "today",
                                "tomorrow")
"""Relative days people misspell ("yesterdy", "вчира", "сегдня"); "завтра" is left out, one
letter from "завтрак"."""
_DAY_WORD_MIN = 5


def correct_day_words(text: str) -> str:
    """Words one typo away from a relative day ("yestarday", "позовчера") replaced by it; the
    first letter must match and the word be five letters or more, so short words stay."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        if len(word) < _DAY_WORD_MIN or word in _DAY_WORDS:
            return word
        return next((canon for canon in _DAY_WORDS
                     if canon[0] == word[0] and within_one_edit(word, canon)), word)
    return _LONG_WORD.sub(fix, text)


_SPACES = re.compile(r"\s+")
_TRANSLATE = str.maketrans({"ё": "е", "–": "-", "—": "-", "−": "-", "‑": "-", "«": '"',
                            "»": '"', "“": '"', "”": '"', "’": "'", "\u00a0": " "})


def normalize(text: str) -> str:
    """Lower case, `ё`→`е`, one kind of dash and quote, single spaces."""
    return _SPACES.sub(" ", text.lower().translate(_TRANSLATE)).strip()


def month_number(word: str) -> int | None:
    word = word.rstrip(".")
    found = _MONTH_PREFIX.get(word[:3])
    if found is None and word.startswith("ма"):
        return 5
    return found


def number_value(word: str) -> int | None:
    word = word.strip()
    if word.isdigit():
        return int(word)
    if "couple" in word:
        return 2
    return _NUMBERS.get(word)


def unit_key(word: str) -> str:
    for prefix, key in _UNIT_PREFIX:
        if word.startswith(prefix):
            return key
    return "day"


def quarter_value(word: str) -> int | None:
    for prefix, value in _QUARTER_PREFIX:
        if word.startswith(prefix):
            return value
    return None


def day_value(word: str) -> int | None:
    """15 from "15", "пятнадцатого", "fifteenth"; 21 from "двадцать первого"."""
    word = word.strip()
    if word.isdigit():
        return int(word)
    tens = 0
    for prefix, value in (("двадцать", 20), ("тридцать", 30), ("twenty", 20), ("thirty", 30)):
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            tens, word = value, word[len(prefix) + 1:]
            break
    for stem, value in sorted(_DAY_STEMS_RU + _DAY_WORDS_EN, key=lambda x: -len(x[0])):
        if word.startswith(stem):
            return tens + value
    return None
