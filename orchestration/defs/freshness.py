"""Freshness: is the air network late? Expected cadences are data (dbt_project/seeds/source_cadence.csv),
read here and by dbt's fct_source_freshness, so both say the same thing."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from ingestion.common.home import Home
from ingestion.monitoring import air_loader
from orchestration.defs.monitoring import AIR_HOURLY
from orchestration.resources import DataHome

CADENCE_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "source_cadence.csv"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # HJ 212 DataTime is local time


@dataclass(frozen=True)
class Lateness:
    source: str
    county_code: str
    last_data_time: datetime | None
    lag_hours: float | None
    max_lag_hours: float

    def describe(self) -> str:
        if self.last_data_time is None:
            return f"{self.source} county {self.county_code}: no data at all (allowed lag {self.max_lag_hours:g} h)"
        return (f"{self.source} county {self.county_code}: last data {self.last_data_time:%Y-%m-%d %H:%M}, "
                f"{self.lag_hours:.1f} h behind (allowed {self.max_lag_hours:g} h)")


def read_cadence(path: Path = CADENCE_SEED) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return {row["source"]: row for row in csv.DictReader(f)}


def local_now() -> datetime:
    """As-of of the check: $ZTECO_AS_OF (YYYY-MM-DD[THH:MM]) or now, local time, naive."""
    text = os.environ.get("ZTECO_AS_OF")
    if text:
        return datetime.fromisoformat(text)
    return datetime.now(LOCAL_TZ).replace(tzinfo=None)


def air_lateness(home: Home, as_of: datetime, source: str = air_loader.SOURCE) -> list[Lateness]:
    """Latest data_time per county (stations registry → county) against the cadence seed's max lag."""
    import duckdb

    cadence = read_cadence()[source]
    max_lag = float(cadence["max_lag_hours"])
    lake = home.lake
    stations = lake / "monitoring" / "air_stations"
    hourly = lake / "monitoring" / "air_hourly"
    con = duckdb.connect()
    if not any(stations.glob("**/*.parquet")):
        return []
    has_hourly = any(hourly.glob("**/*.parquet"))
    hourly_sql = (f"select mn, max(data_time) as last_data_time from read_parquet('{hourly}/**/*.parquet', "
                  "hive_partitioning = true) group by mn") if has_hourly else \
        "select null::varchar as mn, null::timestamp as last_data_time where false"
    rows = con.execute(f"""
        select s.county_code, max(h.last_data_time)
        from read_parquet('{stations}/**/*.parquet') as s
        left join ({hourly_sql}) as h on s.mn = h.mn
        group by s.county_code order by s.county_code
    """).fetchall()
    out = []
    for county, last in rows:
        lag = None if last is None else (as_of - last).total_seconds() / 3600
        out.append(Lateness(source, county, last, lag, max_lag))
    return out


def late(items: list[Lateness]) -> list[Lateness]:
    return [x for x in items if x.lag_hours is None or x.lag_hours > x.max_lag_hours]


@asset_check(asset=AIR_HOURLY, blocking=False,
             description="[warning] Latest hourly data per county vs the expected cadence "
                         "(dbt_project/seeds/source_cadence.csv, max_lag_hours). Reports what is late; never blocks.")
def air_hourly_freshness(context, data_home: DataHome) -> AssetCheckResult:
    as_of = local_now()
    items = air_lateness(data_home.home(), as_of)
    behind = late(items)
    if not items:
        description = "no station registry in the lake yet: freshness not evaluated"
    elif behind:
        description = f"{len(behind)} of {len(items)} counties late as of {as_of:%Y-%m-%d %H:%M}: " + "; ".join(
            x.describe() for x in sorted(behind, key=lambda x: -(x.lag_hours or 1e18)))
    else:
        description = f"all {len(items)} counties within their allowed lag as of {as_of:%Y-%m-%d %H:%M}"
    return AssetCheckResult(
        passed=bool(items) and not behind,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={"as_of": MetadataValue.text(as_of.isoformat(timespec="minutes")),
                  "late_counties": MetadataValue.json({x.county_code: None if x.lag_hours is None
                                                       else round(x.lag_hours, 1) for x in behind}),
                  "counties": len(items)},
    )
