"""Parse the HJ 212 landing log of the air stations into the Parquet lake.

Input: ``landing/monitoring/hj212/date=YYYY-MM-DD/*.hj212`` (one packet per line, as received)
and the station registry ``landing/monitoring/registry/air_stations.csv``.
Output: ``lake/monitoring/air_hourly`` (CN=2061), ``lake/monitoring/air_realtime`` (CN=2011),
``lake/quarantine/hj212`` (every packet that could not be loaded, with rule and reason) and a
load-log row per landing file. For every file: received = loaded + quarantined + duplicates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition
from ingestion.hj212.codec import Hj212Error, Packet, parse_datatime, parse_many
from ingestion.simulate.world import AIR_CODES

SOURCE = "monitoring.hj212.air"
CODE_TO_COLUMN = {code: col for col, code in AIR_CODES.items()}
VALID_FLAGS = set("NFMSDCTB")

STATION_SCHEMA = pa.schema([
    ("station_code", pa.string()),
    ("station_name_zh", pa.string()),
    ("county_code", pa.string()),
    ("mn", pa.string()),
    ("longitude", pa.float64()),
    ("latitude", pa.float64()),
    ("is_city_assessment", pa.bool_()),
    ("commissioned_on", pa.date32()),
])

_value_fields: list[tuple[str, pa.DataType]] = []
for _col in AIR_CODES:
    _value_fields += [(_col, pa.float64()), (f"{_col}_flag", pa.string())]

HOURLY_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source_file", pa.string()),
    ("line_no", pa.int64()),
    ("qn", pa.string()),
    ("mn", pa.string()),
    ("cn", pa.string()),
    ("data_time", pa.timestamp("us")),
    *_value_fields,
])


@dataclass(frozen=True)
class Device:
    mn: str
    pw: str
    station_code: str


def read_registry(home: Home) -> tuple[list[dict], dict[str, Device]]:
    path = home.landing / "monitoring" / "registry" / "air_stations.csv"
    if not path.exists():
        raise FileNotFoundError(f"station registry not found: {path} (run `zteco world generate` "
                                "or point the monitoring connector at the real registry export)")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    devices = {r["mn"]: Device(r["mn"], r["pw"], r["station_code"]) for r in rows}
    return rows, devices


def load_registry(home: Home, load_id: str) -> tuple[Path, FileLoad]:
    """Land the station registry in the lake (PW stays out of the lake: it is a credential)."""
    rows, _ = read_registry(home)
    fl = FileLoad(load_id, "monitoring.registry", "all", "landing/monitoring/registry/air_stations.csv",
                  received=len(rows))
    table = pa.Table.from_pylist([
        {
            "station_code": r["station_code"], "station_name_zh": r["station_name_zh"],
            "county_code": r["county_code"], "mn": r["mn"], "longitude": float(r["longitude"]),
            "latitude": float(r["latitude"]), "is_city_assessment": r["is_city_assessment"] == "true",
            "commissioned_on": date.fromisoformat(r["commissioned_on"]),
        }
        for r in rows
    ], schema=STATION_SCHEMA)
    path = replace_partition(home.lake / "monitoring" / "air_stations", "air_stations.parquet", table)
    fl.loaded = len(rows)
    fl.finished_at = datetime.now()
    return path, fl


class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _number(key: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Reject("bad_value", f"{key}={text!r} is not a number") from None


def _air_row(p: Packet, devices: dict[str, Device]) -> dict:
    """Validate one decoded packet against the registry and the air schema; raise _Reject."""
    dev = devices.get(p.mn)
    if dev is None:
        raise _Reject("unknown_mn", f"MN {p.mn} is not in the station registry; register the device "
                      "or check its configuration")
    if p.pw != dev.pw:
        raise _Reject("bad_password", f"PW for MN {p.mn} ({dev.station_code}) does not match the registry")
    if p.st != "22":
        raise _Reject("unexpected_st", f"ST={p.st} on an air-quality station (expected 22)")
    if "DataTime" not in p.cp:
        raise _Reject("missing_field", "CP has no DataTime")
    try:
        dt = parse_datatime(p.cp["DataTime"])
    except Hj212Error as e:
        raise _Reject(e.rule, e.reason) from None
    suffix = {"2061": "Avg", "2011": "Rtd"}.get(p.cn)
    if suffix is None:
        raise _Reject("unsupported_cn", f"CN={p.cn} is not a data upload this loader handles (2061, 2011)")
    row: dict = {"qn": p.qn, "mn": p.mn, "cn": p.cn, "data_time": dt}
    for code, col in CODE_TO_COLUMN.items():
        v = p.cp.get(f"{code}-{suffix}")
        flag = p.cp.get(f"{code}-Flag")
        if flag is not None and flag not in VALID_FLAGS:
            raise _Reject("bad_flag", f"{code}-Flag={flag!r} is not an HJ 212 data flag")
        row[col] = None if v is None else _number(f"{code}-{suffix}", v)
        row[f"{col}_flag"] = flag if v is not None else None
    return row


@dataclass
class DayResult:
    day: date
    hourly_rows: int
    realtime_rows: int
    files: list[FileLoad]


def _split_lines(data: bytes) -> list[str]:
    # Packets end with CRLF; a receiver may also see bare LF. Keep each line's own bytes.
    text = data.decode("utf-8", errors="replace")
    return [ln for ln in text.splitlines(keepends=True) if ln.strip()]


def load_day(home: Home, day: date, load_id: str, devices: dict[str, Device]) -> DayResult:
    """Parse every landing file of one day; replace that day's lake partitions."""
    landing_dir = home.landing / "monitoring" / "hj212" / f"date={day.isoformat()}"
    hourly: dict[tuple[str, str, datetime], dict] = {}
    realtime: dict[tuple[str, str, datetime], dict] = {}
    seen_raw: set[str] = set()
    quarantine: list[dict] = []
    loads: list[FileLoad] = []
    files = sorted(landing_dir.glob("*.hj212")) if landing_dir.exists() else []
    for path in files:
        rel = str(path.relative_to(home.root))
        lines = _split_lines(path.read_bytes())
        fl = FileLoad(load_id, SOURCE, day.isoformat(), rel, received=len(lines))

        def reject(line_no: int, raw: str, rule: str, reason: str, rel: str = rel, fl: FileLoad = fl) -> None:
            quarantine.append({"load_id": load_id, "source_file": rel, "line_no": line_no,
                               "raw": raw.rstrip("\r\n"), "rule": rule, "reason": f"{rel} line {line_no}: {reason}"})
            fl.quarantined += 1

        for line_no, (raw, res) in enumerate(zip(lines, parse_many(lines), strict=True), start=1):
            if isinstance(res, Hj212Error):
                reject(line_no, raw, res.rule, res.reason)
                continue
            key_raw = raw.rstrip("\r\n")
            if key_raw in seen_raw:
                fl.duplicates += 1  # the same bytes again: a resend after a lost acknowledgement
                continue
            try:
                row = _air_row(res, devices)
            except _Reject as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            seen_raw.add(key_raw)
            row.update(load_id=load_id, source_file=rel, line_no=line_no)
            target = hourly if row["cn"] == "2061" else realtime
            key = (row["mn"], row["cn"], row["data_time"])
            if key in target:
                # Same station and hour with different content: the later packet is the correction.
                old = target[key]
                quarantine.append({"load_id": load_id, "source_file": old["source_file"], "line_no": old["line_no"],
                                   "raw": "", "rule": "superseded",
                                   "reason": f"{rel} line {line_no} resends {row['mn']} {row['data_time']} "
                                             f"with different values; line {old['line_no']} is superseded"})
                fl.quarantined += 1
            target[key] = row
        loads.append(fl)
    for fl in loads:
        fl.loaded = sum(1 for r in (*hourly.values(), *realtime.values()) if r["source_file"] == fl.source_file)
        fl.finished_at = datetime.now()

    part = f"date={day.isoformat()}"
    name = f"{load_id.replace(':', '_')}.parquet"
    _write(home.lake / "monitoring" / "air_hourly" / part, name, hourly.values(), HOURLY_SCHEMA)
    _write(home.lake / "monitoring" / "air_realtime" / part, name, realtime.values(), HOURLY_SCHEMA)
    _write(home.quarantine / "hj212" / part, name, quarantine, QUARANTINE_SCHEMA)
    return DayResult(day, len(hourly), len(realtime), loads)


def _write(directory: Path, name: str, rows: Iterable[dict], schema: pa.Schema) -> None:
    rows = sorted(rows, key=lambda r: (r.get("data_time") or datetime.min, r.get("mn", ""), r["line_no"]))
    if not rows:
        for old in directory.glob("*.parquet") if directory.exists() else []:
            old.unlink()  # a re-load that finds nothing leaves no stale rows behind
        return
    replace_partition(directory, name, pa.Table.from_pylist(rows, schema=schema))


def landed_days(home: Home) -> list[date]:
    root = home.landing / "monitoring" / "hj212"
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name.split("=", 1)[1]) for p in root.glob("date=*") if p.is_dir())
