"""Organisation names in a question: connections, services, regions, projects, teams,
resources and tags, matched against a `Vocabulary`, tolerant of Russian case endings.

"проекта маркетинга" finds the project "Маркетинг": Cyrillic words match by stem. A cue word
("проект", "команда", "сервис"…) decides when one name belongs to several categories, and
gives a value even without a vocabulary ("команды web").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.query.lexicon import normalize
from core.query.model import Vocabulary
from core.query.providers import find_providers

__all__ = ["CATEGORIES", "NameHit", "find_names", "find_tag_values", "find_tags"]

CATEGORIES: tuple[str, ...] = ("resource", "connection", "service", "region", "project", "team")

_CUES: dict[str, str] = {
    # a billing file's sub-account (AWS account, Azure subscription, GCP project) is the
    # project dimension: "по аккаунту Atlas Nimbus" names it as the connection cue does its own
    "project": r"проект[а-я]*|projects?|аккаунт[а-я]*|accounts?|подписк[а-я]*|subscriptions?",
    "team": r"команд[а-я]*|teams?|отдел[а-я]*|departments?",
    "service": r"сервис[а-я]*|услуг[а-я]*|services?",
    "region": r"регион[а-я]*|regions?|зон[а-я]*|zones?",
    "connection": r"подключени[а-я]*|аккаунт[а-я]*|accounts?|connections?|кабинет[а-я]*",
    "resource": r"ресурс[а-я]*|resources?|сервер[а-я]*|servers?|инстанс[а-я]*|instances?",
}
_CUE_BEFORE: dict[str, re.Pattern[str]] = {
    cat: re.compile(rf"(?<![\w])(?:{cue})\s*[:=]?\s*\"?$") for cat, cue in _CUES.items()
}
_RAW_VALUE: dict[str, re.Pattern[str]] = {
    cat: re.compile(rf"(?<![\w])(?:{cue})(?![\w])\s*[:=]?\s*(?:\"(?P<q>[^\"]{{1,60}})\""
                    r"|(?P<v>[a-z0-9][a-z0-9_.\-]*[a-z0-9]|[a-z0-9]))(?![\w])")
    for cat, cue in _CUES.items()
}
_BUILTIN_REGION = re.compile(
    r"(?<![\w-])(?:ru|kz|uz|by|am|eu|us|ap|me|sa|af|ca)-(?:[a-z]+\d[a-z0-9-]*|\d+[a-z]?)(?![\w-])")
_TAG_CUE = r"тег[а-я]*|метк[а-я]*|tags?|labels?"
_TAG_EQ = re.compile(
    rf"(?<![\w-])(?:(?:{_TAG_CUE})\s+)?(?P<k>[a-zа-яё][\w.-]*)\s*=\s*(?P<v>[\w.-]*\w)")
_TAG_CUED = re.compile(
    rf"(?<![\w])(?:{_TAG_CUE})\s+(?P<k>[a-zа-яё][\w.-]*)\s*[:=]?\s*(?P<v>[\w.-]*\w)")
_ENDING = re.compile(r"(?:ами|ями|ого|его|ому|ему|ой|ей|ий|ый|ая|яя|ое|ее|ом|ем|ам|ям|ах|ях|ов"
                     r"|ев|а|я|о|е|и|ы|у|ю|ь|й)$")
_SPLIT = re.compile(r"[\s_./-]+")
_TOKEN = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-я]")
_STOP = frozenset({
    "the", "in", "on", "for", "of", "and", "to", "last", "this", "next", "by", "with", "from",
    "at", "a", "an", "is", "are", "was", "were", "all", "any", "our", "my", "we", "us", "top",
    "since", "between", "during", "over", "per", "cost", "costs", "spend", "that", "which",
    "what", "how", "do", "does", "did", "have", "has", "list", "show", "me", "most", "yesterday",
    "today", "week", "month", "year", "quarter", "ytd", "mtd", "q1", "q2", "q3", "q4",
    "spent", "spends", "spending", "paid", "pays", "burned", "burnt", "burns",
})


_ALWAYS = False
_KIND = True
"""A kind of resource ("диски", "вм") names the org's service for that kind in every question:
"ушло на диски", "список вм в ru-central1", "what databases do we run" (one rule for costs,
advice and lists alike, as the labels since fresh_v4 have it)."""


@dataclass(frozen=True, slots=True)
class _Alias:
    pattern: re.Pattern[str]
    keys: tuple[str, ...]
    display: str
    is_kind: bool
    """A kind of resource names a service only when the org has one of that kind."""


_SERVICE_ALIASES: tuple[_Alias, ...] = tuple(
    _Alias(re.compile(rf"(?<![\w-])(?:{pattern})(?![\w]|-[a-z0-9])"), keys, display, kind)
    for pattern, keys, display, kind in (
        (r"кубер[а-я]*|кубик[а-я]*|куб[аеу]?|кубы|кубернет[еи]с[а-я]*|kubernetes|k8s|k8|kube"
         r"|managed\s+kubernetes|mks|mk8s", ("kubernetes", "k8s"), "Kubernetes", _ALWAYS),
        (r"(?:s3|с3)(?:ш[а-я]*)?", ("s3", "object storage"), "Object Storage", _ALWAYS),
        (r"объектн[а-я]*\s+хранилищ[а-я]*|object\s+storage|хранилищ[а-я]*\s+объектов",
         ("object storage", "s3"), "Object Storage", _ALWAYS),
        (r"постгр[а-я]*|postgres[a-z]*|pg|mysql|майскул[а-я]*|мускул[а-я]*|redis|редис[а-я]*"
         r"|mongo[a-z]*|монг[а-я]*|clickhouse|кликхаус[а-я]*",
         ("postgres", "mysql", "redis", "mongo", "clickhouse", "database", "dbaas", "субд"),
         "Managed Databases", _ALWAYS),
        (r"баз[а-я]*\s+данных|бд|бдшк[а-я]*|баз(?:ы|ам|ами|ах)|субд|dbaas|managed\s+databases?"
         r"|databases?|dbs?|rds", ("database", "dbaas", "субд"), "Managed Databases", _ALWAYS),
        (r"блочн[а-я]*\s+хранилищ[а-я]*|block\s+storage", ("block storage",), "Block Storage",
         _ALWAYS),
        (r"б[эе]кап[а-я]*|резервн[а-я]*\s+копи[а-я]*|backups?|снапш[оэ]т[а-я]*|сн[эе]пш[оэ]т[а-я]*"
         r"|snapshots?", ("backup", "snapshot", "бэкап"), "Backup", _ALWAYS),
        (r"сет[ьи]|сетев[а-я]*|траф{1,2}ик[а-я]*|network(?:ing)?|traffic|egress|bandwidth"
         r"|балансировщик[а-я]*|load\s+balancers?", ("network", "сеть", "traffic"), "Network",
         _ALWAYS),
        (r"vps(?:es)?|впс[а-я]*|vds|вдс[а-я]*", ("vps", "vds"), "VPS", _ALWAYS),
        # kinds of resource
        (r"диск(?:и|а|ов|ам|ами|ах|е|у|ом)?|disks?|volumes?", ("block storage", "disk", "volume"),
         "Block Storage", _KIND),
        (r"вирт(?:уа|а|у)л(?:к[а-я]*|ок)|виртуальн[а-я]*\s+машин[а-я]*|вм(?:к[а-я]*)?|vms?"
         r"|virtual\s+machines?|тач(?:к[а-я]*|ек)", ("compute", "virtual machine"), "Compute",
         _KIND),
        # a bucket is object storage; said with "s3" it is the org's S3 ("s3-бакеты")
        (r"(?:s3|с3)[\s-]*(?:бакет[а-я]*|buckets?)", ("s3", "object storage"), "Object Storage",
         _KIND),
        (r"бакет[а-я]*|buckets?", ("object storage", "s3"), "Object Storage", _KIND),
    )
)
"""Everyday names of common cloud services ("кубер"), mapped to the org's own spelling; one
joined to a Russian word ("k8s-ноды", "s3-бакеты") still names it, one in a Latin name
("k8s-worker-02") does not."""


@dataclass(frozen=True, slots=True)
class NameHit:
    category: str
    value: str
    span: tuple[int, int]


def _stem(token: str) -> str:
    if len(token) >= 5 and _CYRILLIC.search(token):
        return _ENDING.sub("", token)
    return token


def _key(text: str) -> tuple[str, ...]:
    return tuple(_stem(t) for t in _SPLIT.split(normalize(text)) if t)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A vocabulary as a dictionary from stemmed token tuples to (category, name) pairs."""

    names: dict[tuple[str, ...], tuple[tuple[str, str], ...]]
    longest: int
    present: frozenset[str]
    tag_keys: dict[str, str]
    tag_values: dict[str, dict[str, str]]
    unique_values: dict[str, tuple[str, str]]
    """A tag value held by one key only → (key, value) as the org spells them."""


@lru_cache(maxsize=64)
def _compiled(vocabulary: Vocabulary) -> _Compiled:
    """Index a vocabulary once; the bot reuses one vocabulary per organisation.

    A dictionary rather than one big regex: thousands of resource names index in
    milliseconds, and lookup cost depends on the question's length, not the vocabulary's.
    """
    sources = {
        "resource": vocabulary.resources, "connection": vocabulary.connections,
        "service": vocabulary.services, "region": vocabulary.regions,
        "project": vocabulary.projects, "team": vocabulary.teams,
    }
    names: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for category in CATEGORIES:
        for value in sources[category]:
            key = _key(value)
            if key and all(c != category for c, _v in names.get(key, [])):
                names.setdefault(key, []).append((category, value))
    return _Compiled(
        names={k: tuple(v) for k, v in names.items()},
        longest=max((len(k) for k in names), default=0),
        present=frozenset(c for c in CATEGORIES if sources[c]),
        tag_keys={normalize(k): k for k, _ in vocabulary.tags},
        tag_values={normalize(k): {normalize(v): v for v in vs} for k, vs in vocabulary.tags},
        unique_values=_unique_values(vocabulary.tags),
    )


def _unique_values(tags: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, str]]:
    owners: dict[str, list[tuple[str, str]]] = {}
    for key, values in tags:
        for value in values:
            owners.setdefault(normalize(value), []).append((key, value))
    return {low: pairs[0] for low, pairs in owners.items()
            if len({k for k, _v in pairs}) == 1 and len(low) >= 2}


def _vocabulary_hits(text: str, compiled: _Compiled) -> list[tuple[str, str, tuple[int, int]]]:
    """Every run of words in `text` that is a known name (by stems), with its span."""
    if not compiled.names:
        return []
    tokens = [(m.start(), m.end(), _stem(m.group())) for m in _TOKEN.finditer(text)]
    hits: list[tuple[str, str, tuple[int, int]]] = []
    for i in range(len(tokens)):
        for n in range(min(compiled.longest, len(tokens) - i), 0, -1):
            found = compiled.names.get(tuple(t[2] for t in tokens[i:i + n]))
            for category, value in found or ():
                hits.append((category, value, (tokens[i][0], tokens[i + n - 1][1])))
    return hits


_EMPTY = _compiled(Vocabulary())

_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch",
    "ы": "y", "э": "e", "ю": "yu", "я": "ya", "ь": "", "ъ": "",
})


def _latin(token: str) -> str:
    return token.translate(_LATIN)


def _provider_connections(text: str, vocabulary: Vocabulary
                          ) -> list[tuple[str, str, tuple[int, int]]]:
    """Connections named "<provider> <suffix>" ("Selectel BU-A", "Beget Prod") found with the
    provider written any way ("по селектелу BU-A", "в бегете прод", "yandex prod"): the
    provider by its patterns, the suffix by its letters in either alphabet."""
    hits: list[tuple[str, str, tuple[int, int]]] = []
    mentions = find_providers(text)
    for connection in vocabulary.connections:
        low = normalize(connection)
        own = find_providers(low)
        if not own or own[0][1][0] != 0:
            continue
        rest = [_latin(t) for t in _TOKEN.findall(low[own[0][1][1]:])]
        if not rest:
            continue
        for key, (start, end) in mentions:
            if key != own[0][0]:
                continue
            after = list(_TOKEN.finditer(text, end))[:len(rest)]
            if (len(after) == len(rest) and not text[end:after[0].start()].strip()
                    and [_latin(m.group()) for m in after] == rest):
                hits.append(("connection", connection, (start, after[-1].end())))
    return hits


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= s[0] or span[0] >= s[1] for s in taken)


def _service_for(alias: _Alias, vocabulary: Vocabulary | None) -> str | None:
    """The org's service named like the alias's keys; without a vocabulary, the common name
    (a kind of resource then stays no filter: nothing says the org has such a service)."""
    keys = alias.keys
    if vocabulary is None or not vocabulary.services:
        return None if alias.is_kind else alias.display
    lows = [(normalize(service), service) for service in vocabulary.services]
    for key in keys:  # the nearest key first: "с3" is the org's "S3" before "Object Storage"
        for low, service in lows:
            if low == key:
                return service
        for low, service in lows:
            if key in low:
                return service
    return None


def find_tags(text: str, vocabulary: Vocabulary | None,
              taken: list[tuple[int, int]]) -> list[tuple[str, str, tuple[int, int]]]:
    """`env=prod`, `тег owner:ivanov`, `tag env prod`; keys/values spelt as the vocabulary does."""
    compiled = _compiled(vocabulary) if vocabulary else _EMPTY
    found: list[tuple[str, str, tuple[int, int]]] = []
    for pattern in (_TAG_CUED, _TAG_EQ):
        for m in pattern.finditer(text):
            if not _free(m.span(), taken):
                continue
            key, value = m["k"], m["v"]
            if compiled.tag_keys and key not in compiled.tag_keys:
                continue
            canon_key = compiled.tag_keys.get(key, key)
            canon_value = compiled.tag_values.get(key, {}).get(value, value)
            found.append((canon_key, canon_value, m.span()))
            taken.append(m.span())
    return found


_TAG_WORD = re.compile(r"(?<![\w.-])[a-z0-9][\w.-]*[a-z0-9](?![\w-]|\.\w)")


def find_tag_values(text: str, vocabulary: Vocabulary | None,
                    taken: list[tuple[int, int]]) -> list[tuple[str, str, tuple[int, int]]]:
    """A tag named by its value alone ("cc-100 spend", "owned by petrov"): the value must be
    one only a single key holds in the org. Its key written just before ("cost-center
    cc-200") is part of the phrase. Run after names, so "Beget Prod" stays a connection."""
    if vocabulary is None or not vocabulary.tags:
        return []
    compiled = _compiled(vocabulary)
    found: list[tuple[str, str, tuple[int, int]]] = []
    for m in _TAG_WORD.finditer(text):
        pair = compiled.unique_values.get(m.group())
        if pair is None or not _free(m.span(), taken) or any(k == pair[0] for k, _v, _s in found):
            continue
        key = normalize(pair[0])
        start = m.start()
        before = text[:start].rstrip()
        if before.endswith(key) and (len(before) == len(key)
                                     or not before[-len(key) - 1].isalnum()):
            start = len(before) - len(key)
        found.append((pair[0], pair[1], (start, m.end())))
        taken.append((start, m.end()))
    return found


def find_names(text: str, vocabulary: Vocabulary | None,
               taken: list[tuple[int, int]]) -> list[NameHit]:
    """Named things in `text` outside `taken` spans (which it extends), one per category."""
    compiled = _compiled(vocabulary) if vocabulary else _EMPTY
    candidates: list[tuple[int, int, int, NameHit]] = []
    named = _vocabulary_hits(text, compiled)
    if vocabulary is not None:
        named += _provider_connections(text, vocabulary)
    for category, value, span in named:
        cue = _CUE_BEFORE[category].search(text, 0, span[0])
        full = (cue.start(), span[1]) if cue else span
        candidates.append((span[1] - span[0], 1 if cue else 0, -CATEGORIES.index(category),
                           NameHit(category, value, full)))
    for category_name in CATEGORIES:
        if category_name in compiled.present:
            continue
        for m in _RAW_VALUE[category_name].finditer(text):
            raw = m["q"] or m["v"]
            if raw in _STOP or raw.isdigit() or find_providers(raw):
                continue
            if category_name == "resource" and not re.search(r"[\d-]", raw):
                continue
            candidates.append((len(raw), 1, -10, NameHit(category_name, raw, m.span())))
        if category_name == "region":
            for m in _BUILTIN_REGION.finditer(text):
                candidates.append((m.end() - m.start(), 0, -11,
                                   NameHit("region", m.group(), m.span())))
    for alias in _SERVICE_ALIASES:
        for m in alias.pattern.finditer(text):
            service = _service_for(alias, vocabulary)
            if service is not None:
                # a kind of resource ranks below a service named outright: "бакеты в s3" are
                # the org's S3, "виртуалки в кубере" Kubernetes
                candidates.append((0 if alias.is_kind else m.end() - m.start(), 0, -12,
                                   NameHit("service", service, m.span())))
    candidates.sort(key=lambda c: (c[1], c[0], c[2]), reverse=True)
    hits: list[NameHit] = []
    seen: set[str] = set()
    for _length, _cued, _order, hit in candidates:
        if hit.category in seen or not _free(hit.span, taken):
            continue
        seen.add(hit.category)
        hits.append(hit)
        taken.append(hit.span)
    resource = next((h for h in hits if h.category == "resource"), None)
    if resource is not None:  # its span stays taken: the word was read, as the kind
        hits = [h for h in hits if h.category != "service" or not _beside(text, h, resource)]
    return hits


_GLUE = re.compile(r"[\s\"'«»:,()]+|(?<![\w])the(?![\w])")


def _beside(text: str, service: NameHit, resource: NameHit) -> bool:
    """A service word right next to a resource's name is that resource's kind ("впска
    vps-app-01", "бакет s3-media-bucket", "api-backend-prod-01 vm"), not a second filter; only
    spaces, quotes, "the" or other kind words ("s3 bucket s3-media-bucket") between them."""
    left, right = sorted((service.span, resource.span))
    gap = text[left[1]:right[0]]
    for alias in _SERVICE_ALIASES:
        gap = alias.pattern.sub(" ", gap)
    return not _GLUE.sub("", gap)
