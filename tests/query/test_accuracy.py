"""The parser against the labelled set: intent, period, filters and N must all be right."""

from __future__ import annotations

import re

from core.query import Intent, Vocabulary, parse
from tests.query.labelled import RESULTS, Labelled

TARGET = 0.95


def _mismatch(row: Labelled, vocabulary: Vocabulary) -> str | None:
    got = parse(row.text, today=row.today, known=vocabulary)
    actual = (got.intent.value, (got.period.start.isoformat(), got.period.end.isoformat()),
              got.filters.to_dict(), got.top_n)
    expected = (row.intent, row.period, row.filters, row.top_n)
    return None if actual == expected else f"{row.text!r}: got {actual}, expected {expected}"


def test_the_labelled_set_is_big_varied_and_valid(questions: list[Labelled]) -> None:
    russian = [q for q in questions if re.search(r"[а-яё]", q.text, re.IGNORECASE)]
    assert len(questions) >= 220
    assert len(russian) / len(questions) >= 0.40
    assert {q.intent for q in questions} == {i.value for i in Intent}
    assert len({q.text.lower() + str(q.today) for q in questions}) == len(questions), "duplicates"
    for q in questions:
        assert q.period[0] <= q.period[1], q.text


def test_parser_accuracy_on_the_labelled_set(questions: list[Labelled],
                                             vocabulary: Vocabulary) -> None:
    failures = [m for q in questions if (m := _mismatch(q, vocabulary)) is not None]
    accuracy = 1 - len(failures) / len(questions)
    summary = f"parser accuracy: {accuracy:.1%} on {len(questions)} questions"
    RESULTS["accuracy"] = summary
    print("\n" + summary)
    for line in failures:
        print("  MISS", line)
    assert accuracy >= TARGET, (
        f"parser accuracy {accuracy:.1%} on {len(questions)} questions is below {TARGET:.0%}:\n"
        + "\n".join(failures))
