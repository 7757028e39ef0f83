"""Resources shared by the asset definitions.

Environment variables:
- ``ZTECO_HOME``: the data home (default ``<repo>/data``); see docs/CONTRACTS.md for its layout.
- ``DAGSTER_HOME``: set by the ``zteco`` CLI to ``$ZTECO_HOME/dagster`` when unset.
- ``ZTECO_DBT_TARGET``: dbt target (default ``duckdb``).
"""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from ingestion.common.home import Home


class DataHome(ConfigurableResource):
    """Where the platform's files live. Empty ``root`` means ``$ZTECO_HOME`` (or ``./data``)."""

    root: str = ""

    def home(self) -> Home:
        if self.root:
            return Home(__import__("pathlib").Path(self.root).resolve()).ensure()
        return Home.from_env().ensure()


def dbt_target() -> str:
    return os.environ.get("ZTECO_DBT_TARGET", "duckdb")
