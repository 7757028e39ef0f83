"""Surface-water monitoring into the Parquet lake: catalogue, automatic-station packets, lab files.

Inputs (see README.md in this folder):

* ``landing/monitoring/water/water_sections.csv`` — the section catalogue;
* ``landing/monitoring/registry/water_stations.csv`` — automatic stations (mn, pw, section);
* ``landing/monitoring/water/hj212/date=YYYY-MM-DD/*.hj212`` — HJ 212-2017 packets, one per line;
* ``landing/monitoring/lab/water/YYYY-MM/*.csv`` — monthly lab result files (Chinese headers,
  units in the header).

Outputs: ``lake/monitoring/water_sections``, ``lake/monitoring/water_stations`` (no PW: it is a
credential), ``lake/monitoring/water_auto/date=…`` (one row per station × 4-hour value set),
``lake/monitoring/water_lab/month=…`` (one row per sample × parameter), the quarantines
``lake/quarantine/water_hj212/date=…``, ``lake/quarantine/water_lab/month=…``,
``lake/quarantine/water_catalogue`` (file, line, rule, reason) and one load-log row per landing file:
received = loaded + quarantined + duplicates.

Below the detection limit (未检出, ND, ``<0.01``, ``0.01L``): the value used is **half the
detection limit** (地表水环境质量评价办法（试行）, 环办〔2011〕22号: results below the detection limit
take part in statistics at half the limit); the row keeps the text as received, the flag
``below_detection_limit`` and the limit. 未检出/ND without a number take the method detection
limit of ``DETECTION_LIMITS`` (the monitoring station's methods).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition
from ingestion.hj212.codec import Hj212Error, parse_datatime, parse_many

SOURCE_AUTO = "monitoring.hj212.water"
SOURCE_LAB = "monitoring.lab.water"
SOURCE_CATALOGUE = "monitoring.water.catalogue"

AUTO_CODES = {"w01001": "ph", "w01009": "dissolved_oxygen", "w01019": "codmn", "w21003": "nh3n", "w21011": "tp",
              "w21001": "tn"}
VALID_FLAGS = set("NFMSDCTB")
COUNTIES = {"530602", "530621", "530622", "530623", "530624", "530625", "530626", "530627", "530628",
            "530629", "530681"}

# Lab header names → parameter (GB 3838-2002 basic items); unit → factor to mg/L.
LAB_NAMES = {"pH": "ph", "溶解氧": "do", "高锰酸盐指数": "codmn", "化学需氧量": "cod", "五日生化需氧量": "bod5",
             "氨氮": "nh3n", "总磷": "tp", "总氮": "tn", "铜": "cu", "锌": "zn", "砷": "as", "汞": "hg",
             "镉": "cd", "六价铬": "cr6", "铅": "pb"}
UNITS = {"mg/l": 1.0, "μg/l": 0.001, "µg/l": 0.001, "ug/l": 0.001, "无量纲": 1.0, "": 1.0}
# Method detection limits (mg/L) used when a result says 未检出/ND without a number.
DETECTION_LIMITS = {"codmn": 0.5, "cod": 4.0, "bod5": 0.5, "nh3n": 0.025, "tp": 0.01, "tn": 0.05, "cu": 0.006,
                    "zn": 0.05, "as": 0.0003, "hg": 0.00004, "cd": 0.0005, "cr6": 0.004, "pb": 0.0025}
NOT_DETECTED = {"未检出", "nd", "n.d.", "<dl", "低于检出限"}

AUTO_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("line_no", pa.int64()), ("qn", pa.string()),
    ("mn", pa.string()), ("station_code", pa.string()), ("section_code", pa.string()),
    ("data_time", pa.timestamp("us")),
    *[f for p in AUTO_CODES.values() for f in ((p, pa.float64()), (f"{p}_flag", pa.string()))],
])
LAB_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("line_no", pa.int64()),
    ("section_code", pa.string()), ("sample_date", pa.date32()), ("parameter", pa.string()),
    ("value", pa.float64()), ("value_text", pa.string()), ("unit", pa.string()),
    ("below_detection_limit", pa.bool_()), ("detection_limit", pa.float64()),
])
SECTION_SCHEMA = pa.schema([
    ("section_code", pa.string()), ("section_name_zh", pa.string()), ("river_zh", pa.string()),
    ("water_body", pa.string()), ("county_code", pa.string()), ("level", pa.string()),
    ("is_assessment_section", pa.bool_()), ("is_county_boundary", pa.bool_()), ("is_out_of_province", pa.bool_()),
    ("is_drinking_source", pa.bool_()), ("target_class", pa.int32()), ("longitude", pa.float64()),
    ("latitude", pa.float64()),
])
STATION_SCHEMA = pa.schema([
    ("station_code", pa.string()), ("station_name_zh", pa.string()), ("section_code", pa.string()),
    ("county_code", pa.string()), ("mn", pa.string()), ("commissioned_on", pa.date32()),
])


def _safe(load_id: str) -> str:
    return load_id.replace(":", "_")


def _q(load_id: str, rel: str, line_no: int, raw: str, rule: str, reason: str) -> dict:
    return {"load_id": load_id, "source_file": rel, "line_no": line_no, "raw": raw.rstrip("\r\n"), "rule": rule,
            "reason": f"{rel} line {line_no}: {reason}"}


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str], str]]]:
    """Header and (line number, cells, raw line) of a UTF-8 (BOM optional) or GBK CSV."""
    if not path.exists():
        return [], []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    lines = text.splitlines()
    if not lines:
        return [], []
    header = [h.strip() for h in next(csv.reader([lines[0]]))]
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        if line.strip():
            rows.append((i, next(csv.reader([line])), line))
    return header, rows


# -- catalogue and registry ------------------------------------------------------------------------

@dataclass
class CatalogueLoad:
    files: list[FileLoad]
    sections: dict[str, dict]
    stations: dict[str, dict]      # by MN, with pw (not written to the lake)
    quarantine: list[dict] = field(default_factory=list)


def catalogue_path(home: Home) -> Path:
    return home.landing / "monitoring" / "water" / "water_sections.csv"


def registry_path(home: Home) -> Path:
    return home.landing / "monitoring" / "registry" / "water_stations.csv"


def _bool(s: str) -> bool:
    v = s.strip().lower()
    if v in ("true", "1", "是", "y"):
        return True
    if v in ("false", "0", "否", "n", ""):
        return False
    raise ValueError(f"{s!r} is not a yes/no value")


def read_catalogue(home: Home, load_id: str) -> CatalogueLoad:
    """Parse the section catalogue and the station registry (nothing written)."""
    out = CatalogueLoad([], {}, {})
    path = catalogue_path(home)
    rel = str(path.relative_to(home.root))
    header, rows = _read_csv(path)  # a missing file reads as empty: no water monitoring landed yet
    fl = FileLoad(load_id, SOURCE_CATALOGUE, "all", rel, received=len(rows))
    for line_no, cells, raw in rows:
        r = dict(zip(header, (c.strip() for c in cells), strict=False))
        try:
            code = r.get("section_code") or ""
            if not code:
                raise ValueError("section_code is empty")
            if r.get("county_code") not in COUNTIES:
                raise ValueError(f"county_code {r.get('county_code')!r} is not a county of Zhaotong")
            if r.get("water_body") not in ("river", "lake"):
                raise ValueError(f"water_body {r.get('water_body')!r} is neither river nor lake")
            target = int(r.get("target_class") or 0)
            if not 1 <= target <= 5:
                raise ValueError(f"target_class {r.get('target_class')!r} is not 1-5")
            if code in out.sections:
                fl.duplicates += 1
                continue
            out.sections[code] = {
                "section_code": code, "section_name_zh": r.get("section_name_zh"), "river_zh": r.get("river_zh"),
                "water_body": r["water_body"], "county_code": r["county_code"], "level": r.get("level"),
                **{k: _bool(r.get(k, "")) for k in ("is_assessment_section", "is_county_boundary",
                                                    "is_out_of_province", "is_drinking_source")},
                "target_class": target, "longitude": float(r.get("longitude") or "nan"),
                "latitude": float(r.get("latitude") or "nan"),
            }
            fl.loaded += 1
        except (ValueError, KeyError) as e:
            out.quarantine.append(_q(load_id, rel, line_no, raw, "bad_catalogue_row", str(e)))
            fl.quarantined += 1
    fl.finished_at = datetime.now()
    out.files.append(fl)

    path = registry_path(home)
    rel = str(path.relative_to(home.root))
    header, rows = _read_csv(path)
    fl = FileLoad(load_id, SOURCE_CATALOGUE, "all", rel, received=len(rows))
    for line_no, cells, raw in rows:
        r = dict(zip(header, (c.strip() for c in cells), strict=False))
        problem = None
        if not r.get("mn") or not r.get("pw"):
            problem = ("missing_value", "mn or pw is empty")
        elif r.get("section_code") not in out.sections:
            problem = ("unknown_section", f"section {r.get('section_code')!r} is not in the section catalogue")
        elif r["mn"] in out.stations:
            fl.duplicates += 1
            continue
        else:
            try:
                commissioned = date.fromisoformat(r.get("commissioned_on") or "")
            except ValueError:
                problem = ("bad_date", f"commissioned_on {r.get('commissioned_on')!r} is not a date")
        if problem:
            out.quarantine.append(_q(load_id, rel, line_no, raw, *problem))
            fl.quarantined += 1
            continue
        out.stations[r["mn"]] = {"station_code": r.get("station_code"), "station_name_zh": r.get("station_name_zh"),
                                 "section_code": r["section_code"],
                                 "county_code": out.sections[r["section_code"]]["county_code"],
                                 "mn": r["mn"], "pw": r["pw"], "commissioned_on": commissioned}
        fl.loaded += 1
    fl.finished_at = datetime.now()
    out.files.append(fl)
    return out


def load_catalogue(home: Home, load_id: str) -> CatalogueLoad:
    cat = read_catalogue(home, load_id)
    replace_partition(home.lake / "monitoring" / "water_sections", "water_sections.parquet",
                      pa.Table.from_pylist(list(cat.sections.values()), schema=SECTION_SCHEMA))
    stations = [{k: v for k, v in s.items() if k != "pw"} for s in cat.stations.values()]
    replace_partition(home.lake / "monitoring" / "water_stations", "water_stations.parquet",
                      pa.Table.from_pylist(stations, schema=STATION_SCHEMA))
    _write(home.quarantine / "water_catalogue", f"{_safe(load_id)}.parquet", cat.quarantine, QUARANTINE_SCHEMA)
    return cat


# -- automatic stations ----------------------------------------------------------------------------

def _number(text: str | None) -> float | None:
    if text is None:
        return None
    v = float(text)  # ValueError for text that is not a number
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def auto_days(home: Home) -> list[date]:
    root = home.landing / "monitoring" / "water" / "hj212"
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name.split("=", 1)[1]) for p in root.glob("date=*") if p.is_dir())


@dataclass
class AutoDay:
    files: list[FileLoad]
    rows: list[dict]
    quarantine: list[dict]


def parse_auto_day(home: Home, day: date, load_id: str, stations: dict[str, dict]) -> AutoDay:
    """Decode every landing file of a day. Duplicates: same MN, CN, DataTime and CP content."""
    folder = home.landing / "monitoring" / "water" / "hj212" / f"date={day.isoformat()}"
    out = AutoDay([], [], [])
    seen: dict[tuple, str] = {}
    for path in sorted(folder.glob("*.hj212")) if folder.exists() else []:
        rel = str(path.relative_to(home.root))
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines = [ln for ln in text.splitlines(keepends=True) if ln.strip()]
        fl = FileLoad(load_id, SOURCE_AUTO, day.isoformat(), rel, received=len(lines))

        def reject(line_no: int, raw: str, rule: str, reason: str, rel: str = rel, fl: FileLoad = fl) -> None:
            out.quarantine.append(_q(load_id, rel, line_no, raw, rule, reason))
            fl.quarantined += 1

        for line_no, (raw, p) in enumerate(zip(lines, parse_many(lines), strict=True), start=1):
            if isinstance(p, Hj212Error):
                reject(line_no, raw, p.rule, p.reason)
                continue
            st = stations.get(p.mn)
            if st is None:
                reject(line_no, raw, "unknown_mn", f"MN {p.mn} is not in the water station registry")
                continue
            if p.pw != st["pw"]:
                reject(line_no, raw, "bad_password", f"PW for MN {p.mn} ({st['station_code']}) does not match")
                continue
            if p.st != "21":
                reject(line_no, raw, "unexpected_st", f"ST={p.st} on a surface-water station (expected 21)")
                continue
            if p.cn != "2061":
                reject(line_no, raw, "unsupported_cn", f"CN={p.cn} is not a 4-hourly/hourly data upload (2061)")
                continue
            try:
                dt = parse_datatime(p.cp.get("DataTime", ""))
            except Hj212Error as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            if dt.date() != day:
                reject(line_no, raw, "wrong_partition", f"DataTime {dt} is not on {day} (landed in the wrong folder)")
                continue
            content = tuple(sorted((k, v) for k, v in p.cp.items()))
            key = (p.mn, p.cn, dt)
            if key in seen:
                if seen[key] == content:
                    fl.duplicates += 1
                else:
                    reject(line_no, raw, "conflicting_packet",
                           f"{p.mn} {dt} was already received with different values; the first is kept")
                continue
            row = {"load_id": load_id, "source_file": rel, "line_no": line_no, "qn": p.qn, "mn": p.mn,
                   "station_code": st["station_code"], "section_code": st["section_code"], "data_time": dt}
            try:
                for code, col in AUTO_CODES.items():
                    flag = p.cp.get(f"{code}-Flag")
                    if flag is not None and flag not in VALID_FLAGS:
                        raise _Bad("bad_flag", f"{code}-Flag={flag!r} is not an HJ 212 data flag")
                    text_v = p.cp.get(f"{code}-Avg")
                    try:
                        row[col] = _number(text_v)
                    except ValueError:
                        raise _Bad("bad_value", f"{code}-Avg={text_v!r} is not a number") from None
                    row[f"{col}_flag"] = flag if text_v is not None else None
            except _Bad as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            seen[key] = content
            out.rows.append(row)
            fl.loaded += 1
        fl.finished_at = datetime.now()
        out.files.append(fl)
    return out


class _Bad(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


@dataclass
class AutoLoad:
    files: list[FileLoad] = field(default_factory=list)
    rows: int = 0
    quarantined: int = 0


def load_auto(home: Home, first: date, last: date, load_id: str, stations: dict[str, dict]) -> AutoLoad:
    """Parse and land every landed day of ``first..last``; each day's partitions are replaced."""
    out = AutoLoad()
    name = f"{_safe(load_id)}.parquet"
    for day in auto_days(home):
        if not first <= day <= last:
            continue
        parsed = parse_auto_day(home, day, load_id, stations)
        part = f"date={day.isoformat()}"
        _write(home.lake / "monitoring" / "water_auto" / part, name, parsed.rows, AUTO_SCHEMA)
        _write(home.quarantine / "water_hj212" / part, name, parsed.quarantine, QUARANTINE_SCHEMA)
        out.files += parsed.files
        out.rows += len(parsed.rows)
        out.quarantined += len(parsed.quarantine)
    return out


# -- lab files -------------------------------------------------------------------------------------

_HEADER = re.compile(r"^(?P<name>[^(（]+?)\s*[(（](?P<unit>[^)）]*)[)）]\s*$")
_BELOW = re.compile(r"^(?:[<＜]\s*(?P<a>[0-9.]+)|(?P<b>[0-9.]+)\s*L)$", re.IGNORECASE)


def parse_lab_value(text: str, parameter: str, factor: float) -> tuple[float, bool, float | None]:
    """(value in mg/L, below detection limit, detection limit in mg/L) of one lab cell.

    Raises ValueError for text that is neither a number nor a below-detection-limit result.
    """
    t = text.strip()
    if t.lower() in NOT_DETECTED:
        dl = DETECTION_LIMITS.get(parameter)
        if dl is None:
            raise ValueError(f"{t!r} for {parameter}, which has no detection limit")
        return dl / 2, True, dl
    m = _BELOW.match(t)
    if m:
        dl = float(m.group("a") or m.group("b")) * factor
        return dl / 2, True, dl
    v = float(t)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{t!r} is not a concentration")
    return v * factor, False, None


@dataclass
class LabFile:
    file_load: FileLoad
    month: str
    rows: list[dict]
    quarantine: list[dict]


def lab_files(home: Home) -> list[Path]:
    root = home.landing / "monitoring" / "lab" / "water"
    return sorted(p for p in root.glob("*/*.csv")) if root.exists() else []


def parse_lab_file(home: Home, path: Path, load_id: str, sections: dict[str, dict],
                   seen: dict[tuple[str, date], tuple]) -> LabFile:
    rel = str(path.relative_to(home.root))
    month = path.parent.name
    header, rows = _read_csv(path)
    fl = FileLoad(load_id, SOURCE_LAB, month, rel, received=len(rows))
    out = LabFile(fl, month, [], [])

    def reject(line_no: int, raw: str, rule: str, reason: str) -> None:
        out.quarantine.append(_q(load_id, rel, line_no, raw, rule, reason))
        fl.quarantined += 1

    columns: dict[int, tuple[str, str, float]] = {}
    problem = None
    for i, h in enumerate(header):
        m = _HEADER.match(h)
        name, unit = (m.group("name").strip(), m.group("unit").strip()) if m else (h, "")
        if name in LAB_NAMES:
            if unit.lower() not in UNITS:
                problem = ("unknown_unit", f"column {h!r}: unit {unit!r} is not mg/L, μg/L or 无量纲")
            columns[i] = (LAB_NAMES[name], unit, UNITS.get(unit.lower(), 1.0))
    idx = {h: i for i, h in enumerate(header)}
    missing = [c for c in ("断面编码", "采样日期") if c not in idx]
    if missing:
        problem = ("missing_column", f"no column {', '.join(missing)} in the header")
    elif not columns:
        problem = ("missing_column", "no GB 3838 parameter column in the header")
    if problem:
        for line_no, _, raw in rows:
            reject(line_no, raw, problem[0], f"(whole file) {problem[1]}")
        fl.finished_at = datetime.now()
        return out
    for line_no, cells, raw in rows:
        cells = [c.strip() for c in cells] + [""] * max(0, len(header) - len(cells))
        code = cells[idx["断面编码"]]
        if code not in sections:
            reject(line_no, raw, "unknown_section", f"section {code!r} is not in the section catalogue")
            continue
        try:
            sampled = date.fromisoformat(cells[idx["采样日期"]].replace("/", "-"))
        except ValueError:
            reject(line_no, raw, "bad_date", f"采样日期 {cells[idx['采样日期']]!r} is not a date (YYYY-MM-DD)")
            continue
        values = []
        bad = None
        for i, (param, unit, factor) in columns.items():
            text = cells[i]
            if text in ("", "—", "/"):
                continue  # not measured this time
            try:
                v, below, dl = parse_lab_value(text, param, factor)
            except ValueError:
                bad = f"{header[i]} = {text!r} is neither a number nor a below-detection-limit result"
                break
            values.append({"parameter": param, "value": v, "value_text": text, "unit": unit or "无量纲",
                           "below_detection_limit": below, "detection_limit": dl})
        if bad:
            reject(line_no, raw, "bad_number", bad)
            continue
        if not values:
            reject(line_no, raw, "missing_value", "no result in the row")
            continue
        content = tuple((x["parameter"], x["value"]) for x in values)
        key = (code, sampled)
        if key in seen:
            if seen[key] == content:
                fl.duplicates += 1
            else:
                reject(line_no, raw, "conflicting_sample",
                       f"{code} sampled {sampled} was already reported with other values; the first is kept")
            continue
        seen[key] = content
        for x in values:
            out.rows.append({"load_id": load_id, "source_file": rel, "line_no": line_no, "section_code": code,
                             "sample_date": sampled, **x})
        fl.loaded += 1
    fl.finished_at = datetime.now()
    return out


def load_lab(home: Home, load_id: str, sections: dict[str, dict]) -> list[LabFile]:
    """Parse every lab file and replace the lake's lab table and quarantine (one folder per month)."""
    seen: dict[tuple[str, date], tuple] = {}
    parsed = [parse_lab_file(home, p, load_id, sections, seen) for p in lab_files(home)]
    by_month: dict[str, tuple[list, list]] = {}
    for f in parsed:
        rows, q = by_month.setdefault(f.month, ([], []))
        rows += f.rows
        q += f.quarantine
    name = f"{_safe(load_id)}.parquet"
    for base in (home.lake / "monitoring" / "water_lab", home.quarantine / "water_lab"):
        if base.exists():  # months no longer delivered leave no stale rows
            for d in base.glob("month=*"):
                if d.name.split("=", 1)[1] not in by_month:
                    for old in d.glob("*.parquet"):
                        old.unlink()
    for month, (rows, q) in by_month.items():
        _write(home.lake / "monitoring" / "water_lab" / f"month={month}", name, rows, LAB_SCHEMA)
        _write(home.quarantine / "water_lab" / f"month={month}", name, q, QUARANTINE_SCHEMA)
    return parsed


def _write(directory: Path, name: str, rows: list[dict], schema: pa.Schema) -> None:
    if not rows:
        for old in directory.glob("*.parquet") if directory.exists() else []:
            old.unlink()
        return
    replace_partition(directory, name, pa.Table.from_pylist(rows, schema=schema))

