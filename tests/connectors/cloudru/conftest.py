"""The Cloud.ru rig drives the shared fixtures (tests/connectors/conftest.py)."""

from __future__ import annotations

import pytest

from tests.connectors.rigs import CLOUDRU, Rig


@pytest.fixture
def rig() -> Rig:
    return CLOUDRU
