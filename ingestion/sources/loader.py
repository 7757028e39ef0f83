"""Parse the pollution-source online-monitoring landing into the Parquet lake.

Input: ``landing/monitoring/sources/hj212/date=YYYY-MM-DD/*.hj212`` (one packet per line, as
received: the simulator's ``sources-*.hj212`` and the TCP receiver's ``recv-*.hj212``), the device
registry ``landing/monitoring/registry/source_devices.csv`` and the permitted limits
``landing/monitoring/sources/source_limits.csv``.

Output (long format, one row per packet and parameter, the data flag kept on every value):
``lake/monitoring/source_hourly`` (CN=2061), ``source_daily`` (CN=2031), ``source_minute``
(CN=2051), each partitioned by the DataTime day; ``lake/monitoring/source_devices`` and
``source_limits``; quarantines ``lake/quarantine/monitoring/source_hj212`` (packet, line, rule,
reason) and ``lake/quarantine/monitoring/source_registry``. Per landing file:
received = loaded + quarantined + duplicates, where a duplicate is the same MN, CN, DataTime and
content seen again in the day's files; the same MN, CN and DataTime with *other* content is
quarantined as ``conflicting_resend`` (the first packet stands).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from ingestion.common import uscc
from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition
from ingestion.hj212.codec import Hj212Error, Packet, parse_datatime, parse_many

SOURCE = "monitoring.hj212.sources"
REGISTRY_SOURCE = "monitoring.sources_registry"
VALID_FLAGS = frozenset("NFMSDCTB")
SUFFIX = {"2061": "Avg", "2031": "Avg", "2051": "Avg"}
TABLE = {"2061": "source_hourly", "2031": "source_daily", "2051": "source_minute"}
OUTLET_TYPES = {"flue_gas": "31", "wastewater": "32"}

VALUE_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source_file", pa.string()),
    ("line_no", pa.int64()),
    ("qn", pa.string()),
    ("mn", pa.string()),
    ("st", pa.string()),
    ("cn", pa.string()),
    ("data_time", pa.timestamp("us")),
    ("pollutant_code", pa.string()),
    ("avg_value", pa.float64()),
    ("cou_value", pa.float64()),
    ("flag", pa.string()),
])

DEVICE_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("line_no", pa.int64()),
    ("mn", pa.string()),
    ("outlet_code", pa.string()),
    ("outlet_name", pa.string()),
    ("outlet_type", pa.string()),
    ("st", pa.string()),
    ("enterprise_credit_code", pa.string()),      # valid GB 32100-2015 codes only
    ("enterprise_credit_code_raw", pa.string()),  # as typed in the registry
    ("enterprise_name", pa.string()),
    ("county_code", pa.string()),
    ("industry_code", pa.string()),
    ("longitude", pa.float64()),
    ("latitude", pa.float64()),
    ("parameters", pa.string()),
    ("required_from", pa.date32()),
    ("networked", pa.bool_()),
    ("networked_on", pa.date32()),
])

LIMIT_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("line_no", pa.int64()),
    ("outlet_code", pa.string()),
    ("mn", pa.string()),
    ("pollutant_code", pa.string()),
    ("pollutant_name_zh", pa.string()),
    ("lower_limit", pa.float64()),
    ("upper_limit", pa.float64()),
    ("unit", pa.string()),
    ("standard", pa.string()),
    ("clause", pa.string()),
    ("assumed", pa.bool_()),
])


def landing_root(home: Home) -> Path:
    return home.landing / "monitoring" / "sources" / "hj212"


def registry_file(home: Home) -> Path:
    return home.landing / "monitoring" / "registry" / "source_devices.csv"


def limits_file(home: Home) -> Path:
    return home.landing / "monitoring" / "sources" / "source_limits.csv"


@dataclass(frozen=True)
class Device:
    mn: str
    pw: str
    st: str
    outlet_code: str


# -- registry and limits ---------------------------------------------------------------------------

@dataclass
class RegistryLoad:
    files: list[FileLoad]
    devices: int
    limits: int
    quarantine: list[dict]


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        out = []
        prev = reader.line_num
        for rec in reader:
            out.append((prev + 1, {k: (v or "").strip() for k, v in rec.items() if k is not None}))
            prev = reader.line_num
        return out


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _float(text: str) -> float | None:
    if not text:
        return None
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"{text!r} is not a finite number")
    return v


def load_registry(home: Home, load_id: str) -> RegistryLoad:
    """Land the device registry and the limits file; rows that fail a rule go to the quarantine."""
    quarantine: list[dict] = []
    files: list[FileLoad] = []
    devices: list[dict] = []
    limits: list[dict] = []
    for path, sink, parse in ((registry_file(home), devices, _device_row), (limits_file(home), limits, _limit_row)):
        if not path.exists():
            continue  # no online-monitoring delivery in this home: nothing to land, the lake keeps what it has
        rel = str(path.relative_to(home.root))
        rows = _read_csv(path)
        fl = FileLoad(load_id, REGISTRY_SOURCE, "all", rel, received=len(rows))
        seen: set[tuple] = set()
        for line_no, rec in rows:
            try:
                row = parse(rec)
                key = (row["mn"], row.get("pollutant_code"))
                if key in seen:
                    raise ValueError(f"{'/'.join(str(k) for k in key if k)} appears twice")
                seen.add(key)
            except (ValueError, KeyError) as e:
                quarantine.append({"load_id": load_id, "source_file": rel, "line_no": line_no,
                                   "raw": ",".join(rec.values()), "rule": "bad_registry_row",
                                   "reason": f"{rel} line {line_no}: {e}"})
                fl.quarantined += 1
                continue
            row.update(load_id=load_id, line_no=line_no)
            sink.append(row)
            fl.loaded += 1
        fl.finished_at = datetime.now()
        files.append(fl)
    if not files:
        return RegistryLoad(files, 0, 0, quarantine)
    name = f"{load_id.replace(':', '_')}.parquet"
    replace_partition(home.lake / "monitoring" / "source_devices", name,
                      pa.Table.from_pylist(devices, schema=DEVICE_SCHEMA))
    replace_partition(home.lake / "monitoring" / "source_limits", name,
                      pa.Table.from_pylist(limits, schema=LIMIT_SCHEMA))
    replace_partition(home.quarantine / "monitoring" / "source_registry", name,
                      pa.Table.from_pylist(quarantine, schema=QUARANTINE_SCHEMA))
    return RegistryLoad(files, len(devices), len(limits), quarantine)


def _device_row(rec: dict[str, str]) -> dict:
    mn, pw = rec["mn"], rec["pw"]
    if len(mn) != 24 or not mn.isalnum():
        raise ValueError(f"MN {mn!r} is not 24 letters or digits")
    if not pw:
        raise ValueError(f"MN {mn} has no password")
    if rec["outlet_type"] not in OUTLET_TYPES:
        raise ValueError(f"outlet_type {rec['outlet_type']!r} is not flue_gas or wastewater")
    if rec["st"] != OUTLET_TYPES[rec["outlet_type"]]:
        raise ValueError(f"ST {rec['st']} does not fit outlet_type {rec['outlet_type']}")
    if not rec["outlet_code"] or not rec["county_code"]:
        raise ValueError("outlet_code and county_code are required")
    raw_code = rec.get("enterprise_credit_code") or None
    networked = {"true": True, "false": False}.get(rec["networked"].lower())
    if networked is None:
        raise ValueError(f"networked {rec['networked']!r} is not true/false")
    return {
        "mn": mn, "outlet_code": rec["outlet_code"], "outlet_name": rec.get("outlet_name"),
        "outlet_type": rec["outlet_type"], "st": rec["st"],
        "enterprise_credit_code": raw_code if uscc.is_valid(raw_code) else None,
        "enterprise_credit_code_raw": raw_code,
        "enterprise_name": rec.get("enterprise_name") or None, "county_code": rec["county_code"],
        "industry_code": rec.get("industry_code") or None, "longitude": _float(rec.get("longitude", "")),
        "latitude": _float(rec.get("latitude", "")), "parameters": rec.get("parameters"),
        "required_from": _date(rec.get("required_from", "")), "networked": networked,
        "networked_on": _date(rec.get("networked_on", "")), "_pw": pw,
    }


def _limit_row(rec: dict[str, str]) -> dict:
    upper = _float(rec["upper_limit"])
    if upper is None:
        raise ValueError(f"{rec['pollutant_code']} of {rec['outlet_code']} has no upper limit")
    lower = _float(rec.get("lower_limit", ""))
    if lower is not None and lower >= upper:
        raise ValueError(f"lower limit {lower:g} is not below the upper limit {upper:g}")
    return {
        "outlet_code": rec["outlet_code"], "mn": rec["mn"], "pollutant_code": rec["pollutant_code"],
        "pollutant_name_zh": rec.get("pollutant_name_zh"), "lower_limit": lower, "upper_limit": upper,
        "unit": rec.get("unit"), "standard": rec.get("standard"), "clause": rec.get("clause"),
        "assumed": rec.get("assumed", "").lower() == "true",
    }


def registry_devices(home: Home) -> dict[str, Device]:
    """Devices that authenticate packets: the registry export's rows that pass the row rules."""
    out: dict[str, Device] = {}
    if not registry_file(home).exists():
        return out
    for _, rec in _read_csv(registry_file(home)):
        try:
            row = _device_row(rec)
        except (ValueError, KeyError):
            continue
        out[row["mn"]] = Device(row["mn"], row["_pw"], row["st"], row["outlet_code"])
    return out


# -- packets -------------------------------------------------------------------------------------

class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _number(key: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        raise _Reject("bad_value", f"{key}={text!r} is not a number") from None
    if not math.isfinite(v):
        raise _Reject("bad_value", f"{key}={text!r} is not a finite number")
    return v


def packet_values(p: Packet, devices: dict[str, Device]) -> tuple[datetime, list[tuple[str, float | None,
                                                                                     float | None, str | None]]]:
    """(DataTime, [(pollutant code, Avg, Cou, Flag)]) of one packet, or raise _Reject."""
    dev = devices.get(p.mn)
    if dev is None:
        raise _Reject("unknown_mn", f"MN {p.mn} is not in the source device registry")
    if p.pw != dev.pw:
        raise _Reject("bad_password", f"PW for MN {p.mn} ({dev.outlet_code}) does not match the registry")
    if p.st != dev.st:
        raise _Reject("unexpected_st", f"ST={p.st} on outlet {dev.outlet_code} (registered ST={dev.st})")
    if p.cn not in SUFFIX:
        raise _Reject("unsupported_cn", f"CN={p.cn} is not a data upload this loader handles (2051, 2061, 2031)")
    if "DataTime" not in p.cp:
        raise _Reject("missing_field", "CP has no DataTime")
    try:
        dt = parse_datatime(p.cp["DataTime"])
    except Hj212Error as e:
        raise _Reject(e.rule, e.reason) from None
    values = []
    for code, items in p.pollutants().items():
        flag = items.get("Flag")
        if flag is not None and flag not in VALID_FLAGS:
            raise _Reject("bad_flag", f"{code}-Flag={flag!r} is not an HJ 212 data flag")
        avg = _number(f"{code}-Avg", items.get(SUFFIX[p.cn]))
        cou = _number(f"{code}-Cou", items.get("Cou"))
        values.append((code, avg, cou, flag))
    if not values:
        raise _Reject("missing_field", "CP has no pollutant values")
    return dt, values


@dataclass
class DayLoad:
    day: date
    files: list[FileLoad]
    rows: dict[str, int] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)


def _split_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    return [ln for ln in text.splitlines(keepends=True) if ln.strip()]


def load_day(home: Home, day: date, load_id: str, devices: dict[str, Device]) -> DayLoad:
    """Parse every landing file of one day and replace the day's lake partitions."""
    folder = landing_root(home) / f"date={day.isoformat()}"
    cols: dict[str, dict[str, list]] = {t: {n: [] for n in VALUE_SCHEMA.names} for t in TABLE.values()}
    seen_raw: set[str] = set()
    seen_key: dict[tuple[str, str, datetime], str] = {}
    out = DayLoad(day, [])
    for path in sorted(folder.glob("*.hj212")) if folder.exists() else []:
        rel = str(path.relative_to(home.root))
        lines = _split_lines(path.read_bytes())
        fl = FileLoad(load_id, SOURCE, day.isoformat(), rel, received=len(lines))

        def reject(line_no: int, raw: str, rule: str, reason: str, rel: str = rel, fl: FileLoad = fl) -> None:
            out.quarantine.append({"load_id": load_id, "source_file": rel, "line_no": line_no,
                                   "raw": raw.rstrip("\r\n"), "rule": rule,
                                   "reason": f"{rel} line {line_no}: {reason}"})
            fl.quarantined += 1

        for line_no, (raw, res) in enumerate(zip(lines, parse_many(lines), strict=True), start=1):
            if isinstance(res, Hj212Error):
                reject(line_no, raw, res.rule, res.reason)
                continue
            try:
                dt, values = packet_values(res, devices)
            except _Reject as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            content = f"{res.st};{res.cn};{res.mn};{sorted(res.cp.items())}"
            if content in seen_raw:
                fl.duplicates += 1  # same MN, CN, DataTime and content: a resend
                continue
            key = (res.mn, res.cn, dt)
            if key in seen_key:
                reject(line_no, raw, "conflicting_resend",
                       f"MN {res.mn} CN={res.cn} DataTime {dt:%Y-%m-%d %H:%M} was already received with other "
                       f"values ({seen_key[key]}); the first packet stands")
                continue
            if dt.date() != day:
                reject(line_no, raw, "wrong_day", f"DataTime {dt:%Y-%m-%d %H:%M} is not in the folder's day {day}")
                continue
            seen_raw.add(content)
            seen_key[key] = f"{rel} line {line_no}"
            c = cols[TABLE[res.cn]]
            for code, avg, cou, flag in values:
                c["load_id"].append(load_id)
                c["source_file"].append(rel)
                c["line_no"].append(line_no)
                c["qn"].append(res.qn)
                c["mn"].append(res.mn)
                c["st"].append(res.st)
                c["cn"].append(res.cn)
                c["data_time"].append(dt)
                c["pollutant_code"].append(code)
                c["avg_value"].append(avg)
                c["cou_value"].append(cou)
                c["flag"].append(flag)
            fl.loaded += 1
        fl.finished_at = datetime.now()
        out.files.append(fl)
    part = f"date={day.isoformat()}"
    name = f"{load_id.replace(':', '_')}.parquet"
    for table, c in cols.items():
        t = pa.Table.from_pydict(c, schema=VALUE_SCHEMA)
        out.rows[table] = t.num_rows
        _write(home.lake / "monitoring" / table / part, name, t)
    _write(home.quarantine / "monitoring" / "source_hj212" / part, name,
           pa.Table.from_pylist(out.quarantine, schema=QUARANTINE_SCHEMA))
    return out


def _write(directory: Path, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        for old in directory.glob("*.parquet") if directory.exists() else []:
            old.unlink()  # a re-load that finds nothing leaves no stale rows behind
        return
    replace_partition(directory, name, table)


def landed_days(home: Home) -> list[date]:
    root = landing_root(home)
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name.split("=", 1)[1]) for p in root.glob("date=*") if p.is_dir())
