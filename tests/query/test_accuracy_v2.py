"""Conversation v2 evaluation: a locked set written before the v2 rules, and a dev set.

`locked_v2.jsonl` (165 questions, 61 % Russian: explicit years, ordinal weeks, quarters and
half-years, "since Monday", "before last", lone days, weekdays, ranges, numeric dates, slang,
typos, non-questions) and `dev_v2.jsonl` (45) were labelled before any v2 rule was written.
First run of the v1 parser: locked 57.0 % (94/165), dev 57.8 % (26/45). The labels are never
edited to fit the parser; new phrasings go into a new batch, first-run score recorded here.
`fresh_v2.jsonl` (40, 60 % Russian) was written after the v2 rules, unseen by them: first run
100 % (40/40).
`fresh_v3.jsonl` (213, 71 % Russian) was written by someone who never read the parser, after the
v2 rules, unseen by them: first run 94.4 % (201/213), below the 95 % target. Three general
period rules then came from its misses ("the last month of 2025" kept its year, "первый месяц
этого года", "прошлое полугодие", "mnth"): 96.2 % (205/213), no longer an unseen score. The
8 left (intent and service-name misses) were then fixed by general vocabulary rules (cost
adjectives such as "priciest" / "прожорливые", colloquial spend verbs such as "почём вышел",
"итого по облакам" as one sum, "меньше платить", counting resources, service nicknames for
backups and databases), tested by generated tables in test_slang.py and test_period_forms.py:
fresh_v3 100 % (213/213), tuned on, so not an unseen score. A new blind batch is the next
honest measure.
fresh_v4.jsonl (240, 69% Russian, written blind after the vocabulary rules): first run 88.3%
(212/240); after rules from its misses 100.0% (240/240) (no longer unseen). The rules came by
family, each tested by generated tables (test_colloquial.py, test_period_forms.py,
test_slang.py): years with a case ending ("в 2025м", "в 25-м"), a misspelt month before a year
("сентябое 2025"), "позапрошлый мес", kinds of resource as the org's service in cost questions
("встали вирталки", "ушло на диски"), "s3шка", "траффик", "впски", tags named by a value only
one key holds ("cc-100 spend", "owned by petrov"), "растут ли", "как вели себя", "почему …
подорожала", "пдфка", commitments, "сумма по облакам", "скок", "пятёрка", the time of day and
arithmetic as non-questions, and a period word in a non-question ("кто сегодня дежурит") no
period.
fresh_v5.jsonl (234, 73% Russian, written blind after round 2): first run 88.0% (206/234);
after round 3 100.0% (234/234) (no longer unseen). Round 3 wrote 10-20 phrasings per miss
family first (test_families_v5.py), then general rules: two period phrases joined into one
range ("с начала года до конца сентября"), the first or last N units of a period ("первые
10 дней октября", "за 9 месяцев 2026 года", "the last quarter of 2026"), the current and next
half-year, weekdays before last and abbreviated ("позапрошлая пятница", "on sat", "в пт");
intent phrasings ("по облакам" as one sum, "основные деньги", "going up?", "какой счёт
прилетит", idle and oversized resources, "выше обычного", "what's deployed", money verbs over
resource words and hyphenated names); a connection named by its provider in any case
("по селектелу BU-A"); and a cost, forecast, trend or top question with no cloud or cost
context and words left over ("сколько стоит айфон 16") is not understood.
fresh_v6.jsonl (224, 72% Russian, written blind after round 3): first run 91.1% (204/224);
after round 4 99.6% (223/224) (no longer unseen). Round 4 wrote 10-20 phrasings per miss
family first (test_families_v6.py), then general rules: numeric date ranges with a
sentence's full stop after them, dates with "2026 года" / "г." / "прошлого года" ("с 1 января
2026 года" is Jan 1 to today, not January), relative days one typo off ("yesterdy", "вчира",
"сегдня"), MTD/QTD/YTD as spend, "the rest of / остаток / до конца ноября" as today to the
month's end, a yearly or quarterly budget as that whole period, "план/факт" as budget; intent
phrasings (a money verb a few words after "сколько", making a bill smaller, "есть смысл",
"порезать", "как себя ведут", why-questions about growth, "what did <tag> resources cost",
"what's tagged"); VMs in advice questions are Compute like disks are Block Storage; age
("сколько лет селектелу") and the server room ("серверная") are no cost question. Two labels
disagree with the conventions and miss: fresh_v3 "есть ли простаивающие виртуалки" (no
service; fresh_v6 labels the same advice Compute, as fresh_v4-v6 label disks in advice Block
Storage) and fresh_v6 "какие вмки крутятся на селектеле" (Compute, while questions.jsonl and
fresh_v3 list and count VMs with no service in five labels).
fresh_v7.jsonl (203, 70% Russian, written blind after round 4): first run 91.1% (185/203);
after round 5 100.0% (203/203) (no longer unseen). Round 5 wrote 10-20 phrasings per miss
family (test_families_v7.py) with general rules: a money word anywhere outranks a kind of
resource ("затраты на диски", "what did we pay for vms"), which counts for a resources
question only without one; what exists or is set up is a resources question ("what databases
do we run", "какие бэкапы настроены", "everything tagged X"); orders to operate the
infrastructure ("перезагрузи сервер", "restart the prod cluster") are not understood and
name no filters, and words for anything one pays for ("подписка", "тариф", "лицензия") tie a
question to our costs only with nothing unknown beside them ("подписка на chatgpt"); two
days joined by "и" are a range, "с начала <any period>" runs to today, decades of a month,
English "the last <unit>" without a count is the calendar one, and a cost question about
days still to come ("до конца года", "в следующем месяце") or with a future money verb
("сожрут") is a forecast; "скинь цифру" asks for the sum; "какие 4 команды" is top 4. One
rule for kinds of resource everywhere: "список вм" is Compute as in fresh_v4-v7, so six older
labels that list or count VMs or disks with no service now miss (questions.jsonl: "покажи все
виртуалки", "какие диски есть в регионе ru-3", "how many VMs do we have", "сколько
виртуальных машин в яндексе", "list VMs in ru-3"; fresh_v6's "какие вмки крутятся на
селектеле" now passes; fresh_v3: "сколько виртуалок у команды platform").
fresh_v8.jsonl (189, 70% Russian, written blind after round 5 by someone who never read the
parser): first run 95.2% (180/189), the issue's target of 95% on an unseen set of 150 or more.
Its nine misses, as they were: a year-relative quarter ("в прошлом году … в 4 квартале" read as
this year's), "первое полугодие" in a budget question read as next year's, a resource's own
kind word added as a service ("впска vps-app-01"), "тачки" (Compute) and "бакеты" (Object
Storage) not mapped, "месяц к месяцу" not a trend, "забытые диски" not advice, "что можно
сделать … чтобы дешевле" not advice, "сколько человек у нас в отделе" answered as spend.
After round 6 (rules from its misses): 100.0% (189/189) (no longer unseen). Round 6 wrote
10-20 phrasings per miss family (test_families_v8.py) with general rules: a year said anywhere
in the sentence applies to a quarter, half-year or month without its own ("в прошлом году …
в 4 квартале", "Q4 last year", "last year's March", "прошлогодний 4 квартал"), unless a
comparison word stands between them; a budget question about how it went ("исполнение",
"уложились", "факт", "did we") takes the latest period of that name begun, other budget
questions the nearest, a forecast the next ahead; a service word beside a resource's name is
that resource's kind, not a second filter ("впска vps-app-01"); "тачки" are Compute and
"бакеты" / "buckets" Object Storage ("s3 бакеты" the org's S3; a kind ranks below a service
named outright); "месяц к месяцу", "г/г", "QoQ", "week-over-week" are a trend; forgotten,
abandoned or stale resources and "чтобы дешевле выходило" are advice; counting people
("сколько человек в отделе", "how many engineers") is not understood. The one rule for
"бакеты" and "тачки" (fresh_v8 labels "какие бакеты есть в проекте Лендинг" Object Storage)
makes four older labels miss, as round 5 did for VMs: questions.jsonl "какие бакеты есть"
(now 98.7%, 446/452), fresh_v3 "список бакетов в яндексе" and "list buckets on Selectel"
(now 98.1%, 209/213), fresh_v5 "какая тачка самая дорогая на селектеле в октябре" (now
99.6%, 233/234).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from core.query import Vocabulary, parse
from tests.query.labelled import RESULTS, Labelled

HERE = Path(__file__).parent
TARGET = 0.95


def _load(name: str) -> list[Labelled]:
    rows = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append(Labelled(raw["q"], date.fromisoformat(raw.get("today", "2026-11-18")),
                                 raw["intent"], (raw["period"][0], raw["period"][1]),
                                 raw["filters"], raw.get("top_n")))
    return rows


def _misses(rows: list[Labelled], vocabulary: Vocabulary) -> list[str]:
    out = []
    for row in rows:
        got = parse(row.text, today=row.today, known=vocabulary)
        actual = (got.intent.value, (got.period.start.isoformat(), got.period.end.isoformat()),
                  got.filters.to_dict(), got.top_n)
        expected = (row.intent, row.period, row.filters, row.top_n)
        if actual != expected:
            out.append(f"{row.text!r}: got {actual}, expected {expected}")
    return out


def test_the_locked_set_is_big_and_mostly_russian() -> None:
    rows = _load("locked_v2.jsonl")
    russian = [r for r in rows if re.search(r"[а-яё]", r.text, re.IGNORECASE)]
    assert len(rows) >= 150
    assert len(russian) / len(rows) >= 0.60
    assert len({r.text.lower() for r in rows}) == len(rows)


@pytest.mark.parametrize("name", ["locked_v2.jsonl", "dev_v2.jsonl", "fresh_v2.jsonl",
                                  "fresh_v3.jsonl", "fresh_v4.jsonl", "fresh_v5.jsonl",
                                  "fresh_v6.jsonl", "fresh_v7.jsonl",
                                  "fresh_v8.jsonl"])
def test_parser_accuracy_v2(name: str, vocabulary: Vocabulary) -> None:
    rows = _load(name)
    misses = _misses(rows, vocabulary)
    accuracy = 1 - len(misses) / len(rows)
    RESULTS[name] = f"parser accuracy ({name}): {accuracy:.1%} on {len(rows)} questions"
    assert accuracy >= TARGET, "\n".join(misses)
