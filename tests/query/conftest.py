"""Fixtures for the parser tests; the accuracy figure is repeated in pytest's summary."""

from __future__ import annotations

import pytest

from core.query import Vocabulary
from tests.query.labelled import RESULTS, Labelled, load_questions, load_vocabulary


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


@pytest.fixture(scope="session")
def questions() -> list[Labelled]:
    return load_questions()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in RESULTS.values():
        terminalreporter.write_line(line)
