"""What a top question ranks: "топ сервисов" ranks services, not resources; a dimension word
that is a filter's cue ("сервиса Compute", "в проекте alpha") filters and does not rank."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from bot.cli import cli
from core.query import Intent, Vocabulary, parse
from core.query.followup import decode, encode, follow_up
from core.query.model import GroupBy
from core.services.ask.parsed import question_from_parsed
from core.services.costs import Dimension

TODAY = date(2026, 12, 7)
KNOWN = Vocabulary.build(services=["Compute", "Object Storage", "Kubernetes"],
                         projects=["alpha", "Маркетинг"], teams=["web", "Платформа"],
                         regions=["ru-central1"], connections=["Selectel BU-A"])

RANKED = [
    # Russian, each dimension in its inflections
    ("топ 10 сервисов за 3 квартал", "service"),
    ("топ-3 сервиса за октябрь", "service"),
    ("самые дорогие сервисы в ноябре", "service"),
    ("какой сервис самый дорогой", "service"),
    ("разбивка расходов по сервисам за октябрь", "service"),
    ("топ-3 провайдера за октябрь", "provider"),
    ("топ провайдеров за год", "provider"),
    ("по каким облакам больше всего уходит", "provider"),
    ("какие проекты дороже всего в ноябре", "project"),
    ("у какого проекта самые большие расходы", "project"),
    ("2 самых дорогих проекта в 2025", "project"),
    ("расходы в разрезе проектов за прошлый год", "project"),
    ("какая команда тратит больше всех", "team"),
    ("топ 5 команд за квартал", "team"),
    ("разложи расходы по командам за сентябрь", "team"),
    ("в каком регионе дороже всего", "region"),
    ("топ 3 региона по затратам", "region"),
    ("самые дорогие регионы", "region"),
    ("какие аккаунты дороже всего", "connection"),
    ("топ подключений за октябрь", "connection"),
    ("топ-2 подключения по затратам в ноябре", "connection"),
    ("топ окружений по расходам", "environment"),
    ("самые дорогие дни октября", "day"),
    ("топ 10 ресурсов за октябрь", "resource"),
    ("самые дорогие серверы", "resource"),
    # English
    ("top 10 services in Q3", "service"),
    ("what are the most expensive services in October", "service"),
    ("breakdown by service for Q3", "service"),
    ("top 3 providers last month", "provider"),
    ("cost split by provider for 2025", "provider"),
    ("which project costs the most", "project"),
    ("top 5 projects in november", "project"),
    ("which team spent the most in Q1", "team"),
    ("spend by team for last month", "team"),
    ("what are the most expensive regions", "region"),
    ("top 5 accounts this month", "connection"),
    ("top 10 resources in October", "resource"),
]


@pytest.mark.parametrize(("text", "dimension"), RANKED)
def test_a_top_question_ranks_the_dimension_it_names(text: str, dimension: str) -> None:
    got = parse(text, today=TODAY, known=KNOWN)
    assert got.intent is Intent.TOP, text
    assert got.group_by == GroupBy(dimension), text
    assert not any(w.startswith(("сервис", "провайдер", "проект", "команд", "регион",
                                 "подключ", "аккаунт", "servic", "provid", "project", "team",
                                 "region", "account")) for w in got.unparsed), got.unparsed


def test_the_example_of_the_bug_is_read_whole() -> None:
    got = parse("топ 10 сервисов за 3 квартал", today=TODAY)
    assert (got.top_n, got.group_by, got.unparsed) == (10, GroupBy.SERVICE, ())
    assert (got.period.start, got.period.end) == (date(2026, 7, 1), date(2026, 9, 30))


FILTER_VS_GROUP = [
    # a cue with its name filters; what is ranked is the other dimension (or resources)
    ("топ ресурсов сервиса Compute", "resource", {"service": "Compute"}),
    ("топ сервисов в проекте alpha", "service", {"project": "alpha"}),
    ("топ сервисов проекта Маркетинг за октябрь", "service", {"project": "Маркетинг"}),
    ("какие проекты тратят больше всего в сервисе Kubernetes", "project",
     {"service": "Kubernetes"}),
    ("топ ресурсов команды web", "resource", {"team": "web"}),
    ("топ регионов в аккаунте Selectel BU-A", "region",
     {"provider": "selectel", "connection": "Selectel BU-A"}),
    ("top services in project alpha", "service", {"project": "alpha"}),
    ("top 5 resources in service compute", "resource", {"service": "Compute"}),
    ("which team spent the most on Kubernetes", "team", {"service": "Kubernetes"}),
]


@pytest.mark.parametrize(("text", "dimension", "filters"), FILTER_VS_GROUP)
def test_a_filter_cue_is_not_what_is_ranked(text: str, dimension: str,
                                            filters: dict[str, str]) -> None:
    got = parse(text, today=TODAY, known=KNOWN)
    assert got.intent is Intent.TOP
    assert (got.group_by, got.filters.to_dict()) == (GroupBy(dimension), filters), text


@pytest.mark.parametrize("text", ["топ 10 в проекте альфа", "топ-5 в регионе ru-central1",
                                  "топ за последние 10 дней", "top 10 in project alpha",
                                  "что дороже всего в этом месяце"])
def test_a_top_without_a_ranked_word_keeps_the_default(text: str) -> None:
    """A singular word after a preposition is a filter's cue, never the ranking."""
    assert parse(text, today=TODAY).group_by is None


@pytest.mark.parametrize("text", ["сколько потратили на сервисы в октябре",
                                  "аномалии по сервисам", "прогноз по командам"])
def test_only_a_top_question_has_a_group_by(text: str) -> None:
    got = parse(text, today=TODAY)
    assert got.intent is not Intent.TOP
    assert got.group_by is None


def test_a_plural_filter_cue_glued_to_nothing_is_no_filter() -> None:
    """"regions" once read as the cue "region" with the name "s"; "spent" is no team name."""
    assert parse("what are the most expensive regions", today=TODAY).filters.is_empty
    assert parse("which team spent the most", today=TODAY).filters.is_empty


def test_every_group_by_is_a_dimension_of_the_answer() -> None:
    assert {g.value for g in GroupBy} <= {d.value for d in Dimension}


def test_the_question_ranks_what_was_asked() -> None:
    services = question_from_parsed(parse("топ 3 сервисов за октябрь", today=TODAY))
    assert services is not None
    assert (services.by, services.limit) == (Dimension.SERVICE, 3)
    resources = question_from_parsed(parse("топ 3 за октябрь", today=TODAY))
    assert resources is not None
    assert resources.by is None  # the answer's default: resources


def test_infrazen_parse_prints_the_group_by() -> None:
    result = CliRunner().invoke(cli, ["parse", "топ 10 сервисов за 3 квартал",
                                      "--today", "2026-12-07"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["group_by"], data["top_n"], data["unparsed"]) == ("service", 10, [])


def test_a_follow_up_ranks_anew_or_keeps_the_ranking() -> None:
    spend = parse("сколько потратили в октябре", today=TODAY)
    by_service = follow_up("а по сервисам?", parse("а по сервисам?", today=TODAY), spend)
    assert by_service is not None
    assert (by_service.query.intent, by_service.query.group_by) == (Intent.TOP, GroupBy.SERVICE)
    assert by_service.query.period == spend.period
    projects = parse("топ проектов за октябрь", today=TODAY)
    september = follow_up("а в сентябре?", parse("а в сентябре?", today=TODAY), projects)
    assert september is not None
    assert (september.query.group_by, september.query.period.start) == (
        GroupBy.PROJECT, date(2026, 9, 1))
    assert decode(encode(projects)) == projects
    more = follow_up("подробнее", parse("подробнее", today=TODAY), projects)
    assert more is not None
    assert more.query.group_by is None  # "подробнее" = by resource
