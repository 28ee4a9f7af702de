"""Provider names as people write them ("в селектеле", "на бегете", "яндекс облако", "YC").

Keys are the canonical ones of `core.domain.providers`; a test keeps the two in step.
"""

from __future__ import annotations

import re

__all__ = ["PROVIDER_PATTERNS", "find_providers"]

_RU = r"[а-я]*"
_RAW: tuple[tuple[str, str], ...] = (
    ("selectel", rf"selectel[a-z]*|сел[еи]кт[еи]?л{_RU}|селектл{_RU}|с[еи]л[еи]к(?:а|е|у|ом)?"
                 r"|slt"),
    ("beget", rf"beget[a-z]*|бегет{_RU}|бигет{_RU}|бегетт{_RU}|бэгет{_RU}"),
    ("yandex", rf"yandex(?:[\s.]*cloud)?|я\.?\s*облак{_RU}|яндекс{_RU}(?:[\s.]*облак{_RU}"
               rf"|\s+клауд{_RU})?|яндекс[\s-]*клауд{_RU}|ya\.?\s*cloud|yc"),
    ("vk", rf"vk(?:[\s.]*cloud)?|vkcloud|вк(?:\s+облак{_RU}|\s*клауд{_RU})?|mail\.ru|мейл{_RU}"
           rf"|мэйл{_RU}|mcs|vkcs"),
    ("cloudru", rf"cloud\.ru|cloudru|cloud\s+ru|сбер\s*клауд{_RU}|sbercloud|sber\s*cloud"
                rf"|клауд{_RU}(?:[\s.]*ру)?|сбер(?:а|е|у|ом)?|sber|evolution\s+cloud"),
    ("aws", rf"aws|amazon(?:\s+web\s+services)?|амазон{_RU}|авс|эвс|ав[эе]с"),
    ("azure", rf"(?:microsoft\s+)?azure|ажур{_RU}|азур{_RU}|майкрософт{_RU}|аж[уе]р{_RU}"),
    ("gcp", rf"gcp|google(?:\s+cloud)?|гугл{_RU}(?:\s+клауд{_RU})?|гкп|gcloud|джисипи"),
    ("oci", rf"oci|oracle(?:\s+cloud)?|оракл{_RU}|оракле{_RU}"),
    ("openstack", rf"openstack|опенст[еэ]к{_RU}"),
)

PROVIDER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(rf"(?<![\w.-])(?:{pattern})(?![\w-])")) for key, pattern in _RAW
)


def find_providers(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Every provider mentioned, in reading order, longest phrase winning an overlap."""
    hits = [(m.end() - m.start(), key, m.span())
            for key, pattern in PROVIDER_PATTERNS for m in pattern.finditer(text)]
    hits.sort(key=lambda h: -h[0])
    kept: list[tuple[str, tuple[int, int]]] = []
    for _length, key, span in hits:
        if all(span[1] <= s[0] or span[0] >= s[1] for _k, s in kept):
            kept.append((key, span))
    kept.sort(key=lambda h: h[1][0])
    return kept
