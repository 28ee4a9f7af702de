"""Message catalogues: every user-facing string lives in `locales/<lang>/<domain>.json`.

Keys are `<domain>.<key>` where the domain is the file's stem, so each feature owns its own
catalogue file and adding one needs no registration. Russian is the reference language; a
test checks that English has exactly the same keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from core.domain.language import LANGUAGES, normalise_language

__all__ = ["LANGUAGES", "catalogue", "normalise_language", "t", "t_data"]

_LOCALES = Path(__file__).parent / "locales"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to `domain.key` → template."""
    messages: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        for key, value in _flatten(data):
            messages[f"{path.stem}.{key}"] = value
    return messages


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            items.extend(_flatten(value, f"{full}."))
        else:
            items.append((full, str(value)))
    return items


def t(key: str, lang: str = "ru", /, **params: Any) -> str:
    """Render message `key` in `lang` with `str.format` parameters; falls back to Russian.

    A missing key raises KeyError: a typo must fail the tests, not reach a user.
    """
    messages = catalogue(normalise_language(lang))
    template = messages.get(key)
    if template is None:
        template = catalogue("ru")[key]
    return template.format(**params) if params else template


class _Dash(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "—"


def t_data(key: str, lang: str, params: Mapping[str, object]) -> str:
    """Like `t`, for templates filled from stored data (a recommendation's params): a parameter
    the data lacks prints as a dash instead of raising."""
    template = catalogue(normalise_language(lang)).get(key) or catalogue("ru")[key]
    return template.format_map(_Dash(params))
