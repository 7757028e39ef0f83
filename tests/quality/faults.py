"""Bad input of each kind, written into a data home the way a bad delivery would arrive,
and the observations the quality tests make on that home afterwards."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.hj212.codec import build_air_hourly, parse_many

REGISTRY = Path("landing/monitoring/registry/air_stations.csv")
VALUES = {"a21026": (5.0, "N"), "a21004": (20.0, "N"), "a21005": (0.8, "N"), "a05024": (50.0, "N"),
          "a34002": (40.0, "N"), "a34004": (25.0, "N")}


def read_registry(home: Path) -> tuple[list[str], list[dict]]:
    with (home / REGISTRY).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_registry(home: Path, header: list[str], rows: list[dict], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    (home / REGISTRY).write_bytes(data)
    return data


def station(home: Path, code: str) -> dict:
    return next(r for r in read_registry(home)[1] if r["station_code"] == code)


def landing_file(home: Path, day: str) -> Path:
    return home / f"landing/monitoring/hj212/date={day}/air-{day.replace('-', '')}.hj212"


def packet(home: Path, station_code: str, t: datetime, **overrides: tuple[float, str]) -> str:
    """A valid hourly packet (correct length and CRC) of a registered station."""
    st = station(home, station_code)
    values = {**VALUES, **overrides}
    return build_air_hourly(st["mn"], st["pw"], t, values)


def replace_packet(home: Path, station_code: str, t: datetime, pkt: str) -> tuple[str, int]:
    """Put ``pkt`` in place of the station's packet for hour ``t`` (what the device sent instead)."""
    f = landing_file(home, t.date().isoformat())
    lines = f.read_bytes().decode("utf-8").splitlines(keepends=True)
    mn = station(home, station_code)["mn"]
    stamp = t.strftime("%Y%m%d%H%M%S")
    i = next(i for i, (ln, p) in enumerate(zip(lines, parse_many(lines), strict=True))
             if not isinstance(p, Exception) and p.mn == mn and p.cn == "2061" and p.cp.get("DataTime") == stamp)
    lines[i] = pkt
    f.write_bytes("".join(lines).encode("utf-8"))
    return str(f.relative_to(home)), i + 1


def append_packet(home: Path, day: str, pkt: str) -> tuple[str, int]:
    f = landing_file(home, day)
    n = len([ln for ln in f.read_bytes().decode("utf-8").splitlines() if ln.strip()])
    with f.open("ab") as out:
        out.write(pkt.encode("utf-8"))
    return str(f.relative_to(home)), n + 1


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def query(sql: str) -> list[tuple]:
    return duckdb.connect().execute(sql).fetchall()


def quarantine(home: Path, dataset: str) -> list[dict]:
    files = list((home / "lake/quarantine" / dataset).rglob("*.parquet"))
    if not files:
        return []
    con = duckdb.connect()
    rel = con.execute(f"select * from read_parquet({[str(f) for f in files]}, union_by_name=true)")
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def latest_load_log(home: Path) -> dict[str, tuple[int, int, int, int]]:
    """(received, loaded, quarantined, duplicates) of the latest load of every landing file."""
    rows = query(f"""
        select source_file, received, loaded, quarantined, duplicates
        from read_parquet('{home}/lake/load_log/*.parquet')
        qualify row_number() over (partition by source_file order by finished_at desc) = 1
    """)
    return {r[0]: r[1:] for r in rows}


def quality_results(home: Path, dataset: str, rule: str) -> list[dict]:
    con = duckdb.connect()
    rel = con.execute(f"""
        select * from read_parquet('{home}/lake/quality/results/*.parquet')
        where dataset = ? and rule = ? order by checked_at, partition_key, county_code
    """, [dataset, rule])
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


@dataclass(frozen=True)
class State:
    """What downstream consumers see: used to show a blocked run left them untouched."""

    serving_sha: str
    registry_sha: str
    warehouse_runs: int
    monitoring_runs: int
    hourly_materialized_by: str | None
    stations_materialized_by: str | None

    @classmethod
    def of(cls, home: Path) -> State:
        from dagster import AssetKey, DagsterInstance

        instance = DagsterInstance.from_config(str(home / "dagster"))
        try:
            runs = instance.get_runs()

            def latest(key: list[str]) -> str | None:
                ev = instance.get_latest_materialization_event(AssetKey(key))
                return ev.run_id if ev else None

            return cls(
                serving_sha=sha(home / "serving/zteco.duckdb"),
                registry_sha=sha(home / "lake/monitoring/air_stations/air_stations.parquet"),
                warehouse_runs=sum(r.job_name == "warehouse_job" for r in runs),
                monitoring_runs=sum(r.job_name == "monitoring_daily_job" for r in runs),
                hourly_materialized_by=latest(["monitoring", "air_hourly"]),
                stations_materialized_by=latest(["monitoring", "air_stations"]),
            )
        finally:
            instance.dispose()
