"""Process environment for every entry point: an absolute ZTECO_HOME and a quiet DAGSTER_HOME."""

from __future__ import annotations

import os

from ingestion.common.home import Home

DAGSTER_YAML = """\
# Written by zteco. Run history, schedules and sensors live here.
telemetry:
  enabled: false
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1   # one writer on warehouse.duckdb at a time
"""


def prepare_env() -> Home:
    home = Home.from_env().ensure()
    os.environ["ZTECO_HOME"] = str(home.root)
    dagster_home = os.environ.setdefault("DAGSTER_HOME", str(home.dagster_home))
    os.makedirs(dagster_home, exist_ok=True)
    cfg = os.path.join(dagster_home, "dagster.yaml")
    if not os.path.exists(cfg):
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(DAGSTER_YAML)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    return home
