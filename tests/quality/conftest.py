"""A small world run once through the real pipeline; each test gets its own copy to break.

``clean_home``: `zteco world generate --end 2020-01-10` + `zteco run` (registry, 10 days of packets,
warehouse, serving), once per session. ``home``: a private copy of it (data, DuckDB files and the
Dagster instance), where a test plants bad input and runs `zteco run` again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_zteco

QUALITY_WORLD_END = "2020-01-10"


@pytest.fixture(scope="session")
def clean_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("quality-clean")
    run_zteco(home, "world", "generate", "--end", QUALITY_WORLD_END)
    run_zteco(home, "run")
    return home


@pytest.fixture
def home(clean_home: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "home"
    shutil.copytree(clean_home, dst, symlinks=True)
    return dst
