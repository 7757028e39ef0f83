"""A county world (2020-01-01..2021-12-31; only the county sub-centres' uploads) taken in by one intake run,
shared by the tests of this folder, and a dbt build of the county models on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from ingestion.common.home import Home
from ingestion.counties import intake, world
from ingestion.simulate.world import WorldConfig

WORLD_END = date(2021, 12, 31)
REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
BIN = Path(sys.executable).parent
SELECT = [
    "+int_indicator_values__county_forms",
    "+fct_county_submissions",
    "+fct_county_reporting_monthly",
    "+fct_county_file_rejections",
]


@pytest.fixture(scope="session")
def county_world(tmp_path_factory) -> Home:
    home = Home(tmp_path_factory.mktemp("county-world")).ensure()
    world.generate(WorldConfig(end=WORLD_END), home)
    return home


@pytest.fixture(scope="session")
def county_intake(county_world: Home):
    """(home, the intake run) after one intake of every uploaded file."""
    run = intake.intake(
        county_world, "counties.submissions:all:20220101T000000:test0001", now=datetime(2022, 1, 1, 8, 0)
    )
    return county_world, run


def dbt_build(home: Path, *extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_", "DBT_"))}
    env.update(ZTECO_HOME=str(home), DBT_LOG_PATH=str(home / "dbt_logs"))
    args = [
        "--project-dir",
        str(PROJECT),
        "--profiles-dir",
        str(PROJECT),
        "--target-path",
        str(home / "dbt_target"),
    ]
    for command in (
        ["seed"],
        [
            "build",
            "--exclude",
            "resource_type:unit_test",
            "--indirect-selection",
            "cautious",
            "--select",
            *SELECT,
            *extra,
        ],
    ):
        result = subprocess.run(
            [str(BIN / "dbt"), *command, *args], env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, (
            f"dbt {command[0]} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )


@pytest.fixture(scope="session")
def county_wh(county_intake) -> Path:
    home, _ = county_intake
    dbt_build(home.root)
    return home.root / "warehouse.duckdb"


def copy_lake(src: Home, dst: Path) -> Home:
    """A second data home with the same lake and world (for a build with other vars)."""
    home = Home(dst).ensure()
    shutil.copytree(src.lake, home.lake, dirs_exist_ok=True)
    shutil.copytree(src.world, home.world, dirs_exist_ok=True)
    return home
