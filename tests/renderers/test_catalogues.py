"""The renderers' catalogues: English has exactly the Russian keys and the same placeholders."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

LOCALES = Path(__file__).parents[2] / "renderers" / "locales"


def _flat(data: dict[str, object], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= _flat(value, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


def _load(lang: str, domain: str) -> dict[str, str]:
    return _flat(json.loads((LOCALES / lang / f"{domain}.json").read_text(encoding="utf-8")))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("domain", ["charts", "brief"])
def test_same_keys_and_placeholders(domain: str) -> None:
    ru, en = _load("ru", domain), _load("en", domain)
    assert ru.keys() == en.keys()
    for key, template in ru.items():
        assert _fields(template) == _fields(en[key]), key
        assert template.strip(), key
        assert en[key].strip(), key
