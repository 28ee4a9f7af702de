"""Filters: provider spellings, organisation names in Russian cases, cues, tags, top N."""

from __future__ import annotations

from datetime import date

import pytest

from core.domain.providers import PROVIDER_NAMES
from core.query import Intent, Vocabulary, parse
from core.query.providers import PROVIDER_PATTERNS

TODAY = date(2026, 11, 18)


def test_provider_keys_are_the_canonical_ones() -> None:
    assert {key for key, _pattern in PROVIDER_PATTERNS} <= set(PROVIDER_NAMES)


@pytest.mark.parametrize(("text", "provider"), [
    ("расходы в селектеле", "selectel"), ("Selectel", "selectel"), ("селектелу", "selectel"),
    ("на бегете", "beget"), ("Beget", "beget"), ("яндекс облако", "yandex"),
    ("в Яндекс.Облаке", "yandex"), ("YC", "yandex"), ("VK Cloud", "vk"), ("по ВК", "vk"),
    ("Cloud.ru", "cloudru"), ("клауде", "cloudru"), ("AWS", "aws"), ("амазоне", "aws"),
    ("Azure", "azure"), ("GCP", "gcp"), ("гугле", "gcp"), ("google cloud", "gcp"),
    ("OCI", "oci"), ("оракле", "oci"), ("OpenStack", "openstack"),
])
def test_provider_spellings(text: str, provider: str) -> None:
    assert parse(text, today=TODAY).filters.provider == provider


def test_words_that_merely_contain_a_provider_name_do_not_count() -> None:
    assert parse("сколько стоит vkontakte-бот и awsome", today=TODAY).filters.provider is None


VOCAB = Vocabulary.build(
    connections=["Прод Селектел", "beget-main"], services=["Object Storage", "Kubernetes"],
    regions=["ru-9"], projects=["Маркетинг", "web"], teams=["web", "Разработка"],
    resources=["vm-01"], tags={"env": ["prod", "dev"], "Owner": ["Ivanov"]},
)


@pytest.mark.parametrize(("text", "expected"), [
    ("расходы проекта маркетинга", {"project": "Маркетинг"}),
    ("по проекту маркетинг", {"project": "Маркетинг"}),
    ("команды разработки", {"team": "Разработка"}),
    ("расходы команды web", {"team": "web"}),
    ("расходы проекта web", {"project": "web"}),
    ("в подключении прод селектела", {"connection": "Прод Селектел", "provider": "selectel"}),
    ("beget main", {"connection": "beget-main", "provider": "beget"}),
    ("сервис object storage", {"service": "Object Storage"}),
    ("регион ru-9", {"region": "ru-9"}),
    ("vm-01", {"resource": "vm-01"}),
    ("тег env=prod", {"tags": {"env": "prod"}}),
    ("tag owner:ivanov", {"tags": {"Owner": "Ivanov"}}),
])
def test_vocabulary_names_with_russian_endings_and_cues(text: str, expected: dict[str, object],
                                                        ) -> None:
    got = parse(text, today=TODAY, known=VOCAB)
    assert got.filters.to_dict() == expected


def test_unknown_tag_keys_are_not_invented_when_the_vocabulary_has_tags() -> None:
    assert parse("a=b", today=TODAY, known=VOCAB).filters.tags == ()


def test_without_a_vocabulary_cued_latin_names_are_taken_as_written() -> None:
    got = parse("расходы команды web проекта api в регионе ru-central1 env=prod", today=TODAY)
    assert got.filters.to_dict() == {"team": "web", "project": "api", "region": "ru-central1",
                                     "tags": {"env": "prod"}}


def test_cue_words_followed_by_ordinary_words_are_not_names() -> None:
    got = parse("top resources by cost for projects last week", today=TODAY)
    assert got.filters.is_empty


@pytest.mark.parametrize(("text", "n"), [
    ("топ-5", 5), ("топ 10 ресурсов", 10), ("top-3 services", 3), ("5 самых дорогих", 5),
    ("пять самых дорогих серверов", 5), ("three most expensive", 3), ("первые 7 дорогих", 7),
    ("самые дорогие ресурсы", None), ("топ-500", None),
])
def test_top_n(text: str, n: int | None) -> None:
    got = parse(text, today=TODAY)
    assert got.intent is Intent.TOP
    assert got.top_n == n


def test_the_first_of_several_providers_is_kept_and_others_reported() -> None:
    got = parse("расходы на бегете и селектеле", today=TODAY)
    assert got.filters.provider == "beget"


@pytest.mark.parametrize(("text", "vocabulary", "service"), [
    ("сколько стоит кубер", None, "Kubernetes"),
    ("сколько стоит кубер", VOCAB, "Kubernetes"),
    ("объектное хранилище за месяц", VOCAB, "Object Storage"),
    ("расходы на базы данных", Vocabulary.build(services=["Managed PostgreSQL"]), None),
    ("расходы на базы данных", Vocabulary.build(services=["DBaaS"]), "DBaaS"),
])
def test_everyday_service_names_map_to_the_orgs_spelling(
        text: str, vocabulary: Vocabulary | None, service: str | None) -> None:
    assert parse(text, today=TODAY, known=vocabulary).filters.service == service


def test_a_name_in_the_vocabulary_wins_over_a_service_nickname() -> None:
    vocabulary = Vocabulary.build(projects=["k8s"], services=["Kubernetes"])
    got = parse("расходы k8s", today=TODAY, known=vocabulary)
    assert got.filters.to_dict() == {"project": "k8s"}


def test_a_large_vocabulary_finds_the_one_name_asked_about() -> None:
    vocabulary = Vocabulary.build(resources=[f"vm-{i:04d}-prod" for i in range(5000)],
                                  projects=[f"Проект {i}" for i in range(300)])
    got = parse("сколько стоил vm-4321-prod в проекте 17", today=TODAY, known=vocabulary)
    assert got.filters.to_dict() == {"resource": "vm-4321-prod", "project": "Проект 17"}
