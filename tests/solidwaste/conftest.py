"""A small solid-waste world (2020-01-01..2021-06-30, size 1) shared by the tests of this folder.

Each test pulls into its own ZTECO_HOME (``tmp_path``) from its own simulator on a free port,
serving the shared world's platform data.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from ingestion.common.home import Home
from ingestion.simulate.world import WorldConfig
from ingestion.solidwaste import simulator
from ingestion.solidwaste.platform_server import PlatformConfig, start_in_thread
from ingestion.solidwaste.world import platform_dir

WORLD_END = date(2021, 6, 30)
CLOCK = datetime(2021, 6, 30, 23, 59, 59)


@pytest.fixture(scope="session")
def sw_world(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("sw-world")).ensure()
    simulator.generate(WorldConfig(end=WORLD_END), home)
    return home


@pytest.fixture
def lake_home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


@pytest.fixture
def server_factory(sw_world: Home):
    started = []

    def make(**kw):
        srv = start_in_thread(PlatformConfig(platform_dir(sw_world), **kw))
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


def world_versions(home: Home, table: str) -> list[dict]:
    with (platform_dir(home) / f"{table}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def world_latest(home: Home, table: str, clock: datetime = CLOCK) -> dict[str, dict]:
    """What the platform holds at ``clock``: the latest version of each record, worked from the world file."""
    stamp = clock.strftime("%Y-%m-%d %H:%M:%S")
    out: dict[str, dict] = {}
    for r in world_versions(home, table):
        if r["updated_at"] <= stamp and (r["record_key"] not in out or r["updated_at"] >= out[r["record_key"]]["updated_at"]):
            out[r["record_key"]] = r
    return out
