"""Parse the HJ 212 landing log of the air stations into the Parquet lake.

Input: ``landing/monitoring/hj212/date=YYYY-MM-DD/*.hj212`` (one packet per line, as received)
and the station registry ``landing/monitoring/registry/air_stations.csv``.
Output: ``lake/monitoring/air_hourly`` (CN=2061), ``lake/monitoring/air_realtime`` (CN=2011),
``lake/quarantine/hj212`` (every packet that could not be decoded or attributed, with rule and
reason), ``lake/quarantine/monitoring/air_hourly`` (decoded rows that fail a blocking expectation of
the quality suite) and a load-log row per landing file. For every file:
received = loaded + quarantined + duplicates.

Order of work for a range of days (one Dagster run): parse a chunk of days → validate the batch as
received with the ``monitoring/air_hourly`` suite (quality/) → write each day's partitions with the
rows blocking rules reject moved to the quality quarantine. The registry goes the same way through
the ``monitoring/air_stations`` suite (``load_registry``).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition
from ingestion.hj212.codec import Hj212Error, Packet, parse_datatime, parse_many
from ingestion.simulate.world import AIR_CODES
from quality.gate import Blocked, Gate
from quality.rules import ROWS, STATION_DAYS
from quality.suites import AIR_STATIONS as STATIONS_SUITE

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

# The batch as received (what the monitoring/air_hourly suite validates): the lake columns plus,
# per pollutant, the value's text where it did not convert to a number.
RECEIVED_SCHEMA = pa.schema([*HOURLY_SCHEMA, *((f"{c}_text", pa.string()) for c in AIR_CODES)])


@dataclass(frozen=True)
class Device:
    mn: str
    pw: str
    station_code: str
    county_code: str = ""
    commissioned_on: date | None = None


# -- the station registry ------------------------------------------------------------------------

REGISTRY_DATASET = STATIONS_SUITE.dataset
REGISTRY_FILE = STATIONS_SUITE.landing_file


def registry_path(home: Home) -> Path:
    return home.root / REGISTRY_FILE


@dataclass
class RegistryFile:
    """The registry export as received: bytes, and (when it decodes) its rows as text."""

    rel: str
    data: bytes
    lines: list[str]                  # decoded lines (keepends), or bytes shown with backslash escapes
    encoding_error: str | None = None
    encoding_guess: str = ""
    header: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None  # one row per CSV record, every cell as text (NULL when empty)


def read_registry_file(home: Home) -> RegistryFile:
    """Read the registry export without judging it: the quality suite does that."""
    path = registry_path(home)
    if not path.exists():
        raise FileNotFoundError(f"station registry not found: {path} (run `zteco world generate` "
                                "or point the monitoring connector at the real registry export)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        guess = next((enc for enc in ("GBK", "GB18030", "Big5") if _decodes(data, enc)), "")
        lines = data.decode("utf-8", errors="backslashreplace").splitlines(keepends=True)
        return RegistryFile(REGISTRY_FILE, data, lines,
                            encoding_error=f"byte 0x{data[e.start]:02X} at offset {e.start} is not UTF-8",
                            encoding_guess=guess)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader, [])]
    records: list[dict] = []
    prev = reader.line_num
    for rec in reader:
        line_no = prev + 1
        prev = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        row = {h: (rec[i].strip() or None) if i < len(rec) else None for i, h in enumerate(header)}
        row.update(line_no=line_no, line_end=reader.line_num)
        records.append(row)
    frame = pd.DataFrame.from_records(records, columns=[*header, "line_no", "line_end"])
    for col in header:
        frame[col] = frame[col].astype(object)
    frame["source_file"] = REGISTRY_FILE
    frame["partition_key"] = "all"
    for col in ("longitude", "latitude"):
        if col in frame.columns:
            frame[f"{col}_deg"] = pd.to_numeric(frame[col], errors="coerce")
    return RegistryFile(REGISTRY_FILE, data, lines, header=header, frame=frame)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _station_rows(frame: pd.DataFrame) -> list[dict]:
    return [
        {
            "station_code": r["station_code"], "station_name_zh": r["station_name_zh"],
            "county_code": r["county_code"], "mn": r["mn"], "longitude": float(r["longitude"]),
            "latitude": float(r["latitude"]), "is_city_assessment": r["is_city_assessment"] == "true",
            "commissioned_on": datetime.strptime(r["commissioned_on"].strip(), "%Y-%m-%d").date(),
        }
        for r in frame.to_dict("records")
    ]


@dataclass
class RegistryLoad:
    file_load: FileLoad
    lake_path: Path | None      # None: the lake kept its previous registry
    stations: int
    quarantined: int
    quarantine_path: Path | None


def load_registry(home: Home, load_id: str, gate: Gate) -> RegistryLoad:
    """Land the station registry in the lake, validated by ``gate`` (PW stays out of the lake:
    it is a credential).

    Rows failing a blocking rule go to ``quarantine/monitoring/air_stations``; when the file as a
    whole is unusable (not UTF-8, a required column missing) the whole file is quarantined — a
    copy of its bytes is kept beside the quarantine rows — and the lake keeps the previous registry.
    """
    rf = read_registry_file(home)
    data_lines = [ln for ln in rf.lines[1:] if ln.strip()]
    fl = FileLoad(load_id, "monitoring.registry", "all", rf.rel, received=len(data_lines))
    qdir = home.quarantine / REGISTRY_DATASET
    quarantine: list[dict] = []

    def whole_file(rule: str, reason: str) -> None:
        keep = qdir / "files" / _safe(load_id) / Path(rf.rel).name
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_bytes(rf.data)
        for line_no, raw in enumerate(rf.lines[1:], start=2):
            if raw.strip():
                quarantine.append({"load_id": load_id, "source_file": rf.rel, "line_no": line_no,
                                   "raw": raw.rstrip("\r\n"), "rule": rule,
                                   "reason": f"{rf.rel} (whole file, copy kept as "
                                             f"{keep.relative_to(home.root)}): {reason}"})
        fl.quarantined = len(quarantine)

    lake_path = None
    if rf.encoding_error is not None:
        enc = rf.encoding_guess
        reason = gate.record_file("bad_encoding", passed=False, source_file=rf.rel, element_count=len(data_lines),
                                  detail={"detail": rf.encoding_error,
                                          "guess": f"; the export looks {enc}-encoded" if enc else "",
                                          "convert": f" (or convert it: iconv -f {enc} -t UTF-8)" if enc else ""})
        whole_file("bad_encoding", reason)
    else:
        gate.record_file("bad_encoding", passed=True, source_file=rf.rel, element_count=len(data_lines))
        frame = rf.frame
        blocked = gate.validate(ROWS, frame)
        if blocked.count and set(blocked.rule[blocked.mask]) == {"missing_column"}:
            whole_file("missing_column", str(blocked.reason[0]))
        else:
            for pos in np.flatnonzero(blocked.mask):
                row = frame.iloc[pos]
                raw = "".join(rf.lines[int(row["line_no"]) - 1:int(row["line_end"])])
                quarantine.append({"load_id": load_id, "source_file": rf.rel, "line_no": int(row["line_no"]),
                                   "raw": raw.rstrip("\r\n"), "rule": blocked.rule[pos],
                                   "reason": f"{rf.rel} line {int(row['line_no'])}: {blocked.reason[pos]}"})
            good = frame[~blocked.mask]
            table = pa.Table.from_pylist(_station_rows(good), schema=STATION_SCHEMA)
            lake_path = replace_partition(home.lake / "monitoring" / "air_stations", "air_stations.parquet",
                                          table)
            fl.loaded = len(good)
            fl.quarantined = len(quarantine)
    qpath = None
    if quarantine:
        qpath = replace_partition(qdir, f"{_safe(load_id)}.parquet",
                                  pa.Table.from_pylist(quarantine, schema=QUARANTINE_SCHEMA), keep_others=True)
    fl.finished_at = datetime.now()
    return RegistryLoad(fl, lake_path, fl.loaded, fl.quarantined, qpath)


def registry_devices(home: Home) -> tuple[dict[str, Device], dict[str, str]]:
    """Devices whose packets may land: the registry export's rows that are in the lake registry.

    Returns (devices by MN, reason by MN for devices of the export that are *not* usable). The
    lake registry holds the rows that passed the registry's blocking rules (PW stays in landing).
    """
    rf = read_registry_file(home)
    if rf.encoding_error is not None or rf.frame is None:
        raise RegistryUnusable(f"{rf.rel} cannot be read ({rf.encoding_error}); the check "
                               f"{REGISTRY_DATASET}:quality_bad_encoding says what to do. Hourly packets are "
                               "not loaded without a registry to authenticate them")
    missing = [c for c in ("mn", "pw", "station_code") if c not in rf.frame.columns]
    if missing:
        raise RegistryUnusable(f"{rf.rel} lacks column(s) {', '.join(missing)}: see the check "
                               f"{REGISTRY_DATASET}:quality_missing_column")
    lake = home.lake / "monitoring" / "air_stations" / "air_stations.parquet"
    if not lake.exists():
        raise RegistryUnusable(f"no station registry in the lake ({lake}): materialize "
                               f"{REGISTRY_DATASET} first")
    landed = {r["mn"]: r for r in pq.read_table(lake).to_pylist()}
    devices, excluded = {}, {}
    for r in rf.frame.to_dict("records"):
        mn = r["mn"]
        if mn is None:
            continue
        if mn in landed and r["pw"] is not None:
            s = landed[mn]
            devices[mn] = Device(mn, r["pw"], s["station_code"], s["county_code"], s["commissioned_on"])
        else:
            excluded[mn] = (f"MN {mn} ({r.get('station_code')}) is in the registry export but its row is "
                            f"quarantined (lake/quarantine/{REGISTRY_DATASET}); fix the registry row")
    return devices, excluded


class RegistryUnusable(RuntimeError):
    """The registry export cannot be used to authenticate packets."""


def _safe(load_id: str) -> str:
    return load_id.replace(":", "_")


# -- hourly packets ------------------------------------------------------------------------------

class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _number(text: str | None) -> tuple[float | None, str | None]:
    """(value, None) when ``text`` is a finite number, (None, text) when it is not, (None, None) if absent."""
    if text is None:
        return None, None
    try:
        v = float(text)
    except ValueError:
        return None, text
    return (v, None) if math.isfinite(v) else (None, text)


def _air_row(p: Packet, devices: dict[str, Device], excluded: dict[str, str]) -> dict:
    """Turn one decoded packet into a row, or raise _Reject when it cannot be attributed at all.

    Hourly values are kept as received (a value that is not a number, a flag outside HJ 212): the
    quality suite judges them. Real-time rows (not validated by a suite yet) are rejected here.
    """
    dev = devices.get(p.mn)
    if dev is None:
        raise _Reject("unknown_mn", excluded.get(p.mn) or f"MN {p.mn} is not in the station registry; "
                      "register the device or check its configuration")
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
    strict = p.cn != "2061"
    row: dict = {"qn": p.qn, "mn": p.mn, "cn": p.cn, "data_time": dt}
    for code, col in CODE_TO_COLUMN.items():
        v = p.cp.get(f"{code}-{suffix}")
        flag = p.cp.get(f"{code}-Flag")
        if strict and flag is not None and flag not in VALID_FLAGS:
            raise _Reject("bad_flag", f"{code}-Flag={flag!r} is not an HJ 212 data flag")
        value, text = _number(v)
        if text is not None:
            if strict:
                raise _Reject("bad_value", f"{code}-{suffix}={text!r} is not a number")
            row[f"{col}_text"] = text  # absent keys are NULL in the Arrow table
        row[col] = value
        row[f"{col}_flag"] = flag if v is not None else None
    return row


def _split_lines(data: bytes) -> list[str]:
    # Packets end with CRLF; a receiver may also see bare LF. Keep each line's own bytes.
    text = data.decode("utf-8", errors="replace")
    return [ln for ln in text.splitlines(keepends=True) if ln.strip()]


@dataclass
class ParsedDay:
    day: date
    files: list[FileLoad]
    received: pa.Table              # hourly rows as received (RECEIVED_SCHEMA), in file and line order
    realtime: list[dict]
    quarantine: list[dict]          # packets that did not decode into a row (quarantine/hj212)


def parse_day(home: Home, day: date, load_id: str, devices: dict[str, Device],
              excluded: dict[str, str] | None = None) -> ParsedDay:
    """Decode every landing file of one day. Nothing is written and nothing is judged for quality."""
    excluded = excluded or {}
    landing_dir = home.landing / "monitoring" / "hj212" / f"date={day.isoformat()}"
    hourly: list[dict] = []
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
                row = _air_row(res, devices, excluded)
            except _Reject as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            seen_raw.add(key_raw)
            row.update(load_id=load_id, source_file=rel, line_no=line_no)
            if row["cn"] == "2061":
                hourly.append(row)  # same station-hour twice with other values: the suite's duplicate_key
                continue
            key = (row["mn"], row["cn"], row["data_time"])
            if key in realtime:
                # Real-time values: the later packet is the correction; the earlier one is set aside.
                old = realtime[key]
                quarantine.append({"load_id": load_id, "source_file": old["source_file"], "line_no": old["line_no"],
                                   "raw": old.pop("_raw"), "rule": "superseded",
                                   "reason": f"{rel} line {line_no} resends {row['mn']} {row['data_time']} "
                                             f"with different values; line {old['line_no']} is superseded"})
                next(f for f in loads + [fl] if f.source_file == old["source_file"]).quarantined += 1
            row["_raw"] = key_raw
            realtime[key] = row
        loads.append(fl)
    rt = [{k: v for k, v in r.items() if k != "_raw"} for r in realtime.values()]
    return ParsedDay(day, loads, pa.Table.from_pylist(hourly, schema=RECEIVED_SCHEMA), rt, quarantine)


@dataclass
class HourlyLoad:
    files: list[FileLoad]
    days_with_data: int = 0
    hourly_rows: int = 0
    realtime_rows: int = 0
    quality_quarantined: int = 0
    parse_seconds: float = 0.0
    write_seconds: float = 0.0


# Rows validated together: a run over years is validated as a few large DataFrames, not per day.
CHUNK_ROWS = 500_000


def load_hourly(home: Home, first: date, last: date, load_id: str, devices: dict[str, Device],
                gate: Gate, excluded: dict[str, str] | None = None,
                log: Callable[[str], None] | None = None) -> HourlyLoad:
    """Parse, validate (``gate``) and land every day of ``first..last``; replace each landed day's
    partitions of air_hourly, air_realtime and both quarantines."""
    import time

    landed = {d for d in landed_days(home) if first <= d <= last}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    per_chunk = max(1, CHUNK_ROWS // max(24 * len(devices), 1))
    out = HourlyLoad(files=[], days_with_data=len(landed))
    for start in range(0, len(days), per_chunk):
        chunk = days[start:start + per_chunk]
        t0 = time.perf_counter()
        parsed = [parse_day(home, d, load_id, devices, excluded) for d in chunk if d in landed]
        frame = received_frame(parsed, devices)
        out.parse_seconds += time.perf_counter() - t0
        blocked = gate.validate(ROWS, frame)
        gate.validate(STATION_DAYS, station_days(frame, chunk, devices, home))
        t0 = time.perf_counter()
        offset = 0
        for pday in parsed:
            n = pday.received.num_rows
            day_blocked = Blocked(blocked.mask[offset:offset + n], blocked.rule[offset:offset + n],
                                  blocked.reason[offset:offset + n])
            offset += n
            _write_day(home, load_id, pday, day_blocked, out)
        out.write_seconds += time.perf_counter() - t0
        if log:
            log(f"air_hourly: {min(start + per_chunk, len(days))}/{len(days)} days parsed and validated "
                f"({out.hourly_rows} station-hours landed, {out.quality_quarantined} quarantined for quality)")
    return out


def received_frame(parsed: list[ParsedDay], devices: dict[str, Device]) -> pd.DataFrame:
    """The batch as received, for the suite: lake columns + partition, station and county helpers."""
    table = pa.concat_tables([p.received for p in parsed]) if parsed else RECEIVED_SCHEMA.empty_table()
    frame = table.to_pandas()
    counts = [p.received.num_rows for p in parsed]
    frame["partition_key"] = np.repeat([p.day.isoformat() for p in parsed], counts).astype(object)
    frame["partition_date"] = np.repeat(np.array([p.day for p in parsed], dtype="datetime64[D]"),
                                        counts).astype("datetime64[ns]")
    # nanoseconds: GE compares datetime64[ns] columns vectorised, other units value by value
    data_time = frame["data_time"] = frame["data_time"].astype("datetime64[ns]")
    frame["data_date"] = data_time.dt.floor("D")
    frame["seconds_past_hour"] = (data_time - data_time.dt.floor("h")).dt.total_seconds()
    frame["station_code"] = frame["mn"].map({m: d.station_code for m, d in devices.items()}).astype(object)
    frame["county_code"] = frame["mn"].map({m: d.county_code for m, d in devices.items()}).astype(object)
    return frame


def station_days(frame: pd.DataFrame, days: list[date], devices: dict[str, Device], home: Home) -> pd.DataFrame:
    """One row per registered station and day of the run: hourly packets received that day."""
    counts = frame.groupby(["partition_key", "mn"]).size().to_dict() if len(frame) else {}
    rows = []
    for d in days:
        key = d.isoformat()
        folder = f"landing/monitoring/hj212/date={key}/"
        for dev in devices.values():
            if dev.commissioned_on is not None and d < dev.commissioned_on:
                continue
            rows.append({"partition_key": key, "mn": dev.mn, "station_code": dev.station_code,
                         "county_code": dev.county_code, "packets": counts.get((key, dev.mn), 0),
                         "source_file": folder, "line_no": None})
    return pd.DataFrame(rows, columns=["partition_key", "mn", "station_code", "county_code", "packets",
                                       "source_file", "line_no"])


def _write_day(home: Home, load_id: str, pday: ParsedDay, blocked: Blocked, out: HourlyLoad) -> None:
    part = f"date={pday.day.isoformat()}"
    name = f"{_safe(load_id)}.parquet"
    received = pday.received
    keep = received.filter(pa.array(~blocked.mask)) if blocked.count else received
    keep = keep.select(HOURLY_SCHEMA.names).cast(HOURLY_SCHEMA)  # in landing file and line order
    quality: list[dict] = []
    if blocked.count:
        positions = np.flatnonzero(blocked.mask)
        files = received.column("source_file").take(pa.array(positions)).to_pylist()
        line_nos = received.column("line_no").take(pa.array(positions)).to_pylist()
        raw_lines: dict[str, list[str]] = {}
        for pos, rel, line_no in zip(positions, files, line_nos, strict=True):
            if rel not in raw_lines:
                raw_lines[rel] = _split_lines((home.root / rel).read_bytes())
            quality.append({"load_id": load_id, "source_file": rel, "line_no": line_no,
                            "raw": raw_lines[rel][line_no - 1].rstrip("\r\n"), "rule": blocked.rule[pos],
                            "reason": f"{rel} line {line_no}: {blocked.reason[pos]}"})
    loaded = Counter(keep.column("source_file").to_pylist())
    loaded.update(r["source_file"] for r in pday.realtime)
    held = Counter(q["source_file"] for q in quality)
    for fl in pday.files:
        fl.quarantined += held[fl.source_file]
        fl.loaded = loaded[fl.source_file]
        fl.finished_at = datetime.now()
    _write_table(home.lake / "monitoring" / "air_hourly" / part, name, keep)
    _write(home.lake / "monitoring" / "air_realtime" / part, name, pday.realtime, HOURLY_SCHEMA)
    _write(home.quarantine / "hj212" / part, name, pday.quarantine, QUARANTINE_SCHEMA)
    _write(home.quarantine / "monitoring" / "air_hourly" / part, name, quality, QUARANTINE_SCHEMA)
    out.files += pday.files
    out.hourly_rows += keep.num_rows
    out.realtime_rows += len(pday.realtime)
    out.quality_quarantined += len(quality)


def _write(directory: Path, name: str, rows: Iterable[dict], schema: pa.Schema) -> None:
    rows = sorted(rows, key=lambda r: (r.get("data_time") or datetime.min, r.get("mn", ""), r["line_no"]))
    _write_table(directory, name, pa.Table.from_pylist(rows, schema=schema))


def _write_table(directory: Path, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        for old in directory.glob("*.parquet") if directory.exists() else []:
            old.unlink()  # a re-load that finds nothing leaves no stale rows behind
        return
    replace_partition(directory, name, table)


def landed_days(home: Home) -> list[date]:
    root = home.landing / "monitoring" / "hj212"
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name.split("=", 1)[1]) for p in root.glob("date=*") if p.is_dir())
