"""The layer contract (pyproject `[tool.importlinter]`, docs/architecture.md) holds, and breaks
when code crosses a boundary: core importing an outer layer, connectors reaching the database,
the domain growing persistence. `make test` also runs `lint-imports` before pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "core", "connectors", "renderers")
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_project_keeps_its_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four packages and the contract, copied, so a probe can break them."""
    target = tmp_path_factory.mktemp("layers")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, target / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ttf", "*.json"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("core/jobs/_probe.py", "from renderers.i18n import t", "core is not allowed to import"),
    ("core/services/_probe.py", "from connectors.registry import build_connector",
     "core is not allowed to import"),
    ("core/_probe.py", "import bot.factory", "core is not allowed to import"),
    ("connectors/_probe.py", "from core.db.models import CostLine",
     "Connectors know nothing of the database"),
    ("connectors/_probe.py", "import renderers.format", "is not allowed to import"),
    ("renderers/_probe.py", "import connectors.registry", "is not allowed to import"),
    ("core/services/_probe.py", "import aiogram", "Core knows nothing of aiogram"),
    ("core/domain/_probe.py", "import sqlalchemy", "The domain is pure"),
])
def test_a_crossing_import_breaks_the_contract(copy: Path, module: str, line: str,
                                              contract: str) -> None:
    probe = copy / module
    probe.write_text(line + "\n", encoding="utf-8")
    try:
        result = _lint(copy, pythonpath=copy)
    finally:
        probe.unlink()
    assert result.returncode != 0, result.stdout
    assert contract in " ".join(result.stdout.split()), result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
