"""The data home: one place that knows where every file of the platform lives.

``ZTECO_HOME`` (default ``<repo>/data``) holds landing, lake, warehouse, serving copy,
extracts and the Dagster/Superset state. See docs/CONTRACTS.md for the layout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls) -> Home:
        return cls(Path(os.environ.get("ZTECO_HOME") or REPO_ROOT / "data").resolve())

    @property
    def world(self) -> Path:
        return self.root / "world"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def load_log(self) -> Path:
        return self.lake / "load_log"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "zteco.duckdb"

    @property
    def extracts(self) -> Path:
        return self.root / "extracts"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def superset_home(self) -> Path:
        return self.root / "superset"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> Home:
        for p in (self.world, self.landing, self.lake, self.quarantine, self.load_log,
                  self.serving.parent, self.extracts, self.dagster_home, self.superset_home, self.logs):
            p.mkdir(parents=True, exist_ok=True)
        # DuckDB's temp_directory of dbt_project/profiles.yml: DuckDB creates only its last level when it
        # first spills, so on a fresh home a large build failed ("Failed to create directory .../tmp/duckdb").
        (self.root / "tmp" / "duckdb").mkdir(parents=True, exist_ok=True)
        return self


def shared_dir() -> Path:
    """The project's shared reference folder (DOMAIN.md, real public data used by tests).

    ``ZTECO_SHARED`` when set; else ``../shared`` beside the checkout; else ``/work/shared``.
    """
    env = os.environ.get("ZTECO_SHARED")
    if env:
        return Path(env).resolve()
    for candidate in (REPO_ROOT.parent / "shared", Path("/work/shared")):
        if (candidate / "data").is_dir():
            return candidate
    return REPO_ROOT.parent / "shared"
