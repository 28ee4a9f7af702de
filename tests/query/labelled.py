"""Loading the labelled question set (questions.jsonl) and its vocabulary (vocabulary.json).

Each line: {"q": text, "intent": ..., "period": [start, end], "filters": {...},
"top_n"?: N, "today"?: "YYYY-MM-DD"} — `end` inclusive, `today` defaults to ASKED_ON.

Written in three batches, each before the parser saw it: lines 1–337 before any parser code,
338–411 after the first version (first pass 73/74), 412–452 in a colloquial style after the
second (first pass 25/41 — the misses drove the typo, slang, ordinal-day and service-alias
rules). New phrasings should be appended the same way: label first, then fix the parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from core.query import Vocabulary

HERE = Path(__file__).parent
ASKED_ON = date(2026, 11, 18)  # a Wednesday
RESULTS: dict[str, str] = {}
"""Filled by the accuracy test, printed in pytest's terminal summary."""


@dataclass(frozen=True)
class Labelled:
    text: str
    today: date
    intent: str
    period: tuple[str, str]
    filters: dict[str, Any]
    top_n: int | None


def load_questions() -> list[Labelled]:
    rows = []
    for line in (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        rows.append(Labelled(
            text=raw["q"], today=date.fromisoformat(raw.get("today", ASKED_ON.isoformat())),
            intent=raw["intent"], period=(raw["period"][0], raw["period"][1]),
            filters=raw["filters"], top_n=raw.get("top_n"),
        ))
    return rows


def load_vocabulary() -> Vocabulary:
    return Vocabulary.build(**json.loads((HERE / "vocabulary.json").read_text(encoding="utf-8")))
