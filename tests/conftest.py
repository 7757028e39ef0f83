"""Shared fixtures: the real pipeline, run once per test session on a small world.

``pipeline_home`` runs exactly what a user runs — ``zteco world generate`` then ``zteco run`` —
as subprocesses against a temporary ZTECO_HOME (two years, 2020-2021, the default size), and yields
that home. ``serving_home`` is the same home, for tests that only read the serving database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ZTECO = str(Path(sys.executable).parent / "zteco")
TEST_WORLD_END = "2021-12-31"


def zteco_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_"))}
    env.update(ZTECO_HOME=str(home), DAGSTER_HOME=str(home / "dagster"), ZTECO_DUCKDB_MEMORY="2GB")
    return env


def run_zteco(home: Path, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([ZTECO, *args], env=zteco_env(home), cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"zteco {' '.join(args)} exited {proc.returncode}\n"
                             f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}")
    return proc


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``rebuilds_pipeline_home`` run the pipeline again on the shared session home (new loads,
    a republished serving copy): they run after every other test, which all read that home as built once."""
    last = [i for i in items if i.get_closest_marker("rebuilds_pipeline_home")]
    if last:
        items[:] = [i for i in items if i not in last] + last


@pytest.fixture(scope="session")
def pipeline_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("zteco-home")
    run_zteco(home, "world", "generate", "--end", TEST_WORLD_END)
    proc = run_zteco(home, "run")
    (home / "zteco-run.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return home


@pytest.fixture(scope="session")
def serving_home(pipeline_home: Path) -> Path:
    return pipeline_home
