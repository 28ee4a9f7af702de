"""The OpenStack rig drives the shared fixtures (tests/connectors/conftest.py)."""

from __future__ import annotations

import pytest

from tests.connectors.rigs import OPENSTACK, Rig


@pytest.fixture
def rig() -> Rig:
    return OPENSTACK
