"""Load laboratory deliveries (soil points, noise) from their drop folders into the lake.

Input (``landing/monitoring/lab/``, kept as received):

- ``soil/planned_points.csv``: the planned soil points, one row per year and point;
- ``soil/<YYYY>/*.xlsx|*.csv``: soil results of the year's campaign;
- ``noise/<YYYY-Qn>/*.xlsx|*.csv``: quarterly function-zone noise measurements.

CSV files may be UTF-8 or GBK (GB18030 is tried after UTF-8); workbooks may have a title row
above the header (the header is the first row that has a point-code column) and several sheets.
Columns are recognised by their Chinese header; the unit written in the header (``mg/kg``,
``μg/kg``, ``g/kg``; ``dB(A)``) is converted to mg/kg / dB(A).

Output:

- ``lake/lab/soil_points/soil_points.parquet``; ``lake/lab/soil_results/year=YYYY/``;
  ``lake/lab/noise_results/quarter=YYYY-Qn/``;
- ``lake/quarantine/lab/<table>/...``: every row not loaded, with file, sheet, row, the row as
  received, rule and reason;
- one load-log row per file: received = loaded + quarantined + duplicates.

Rules (rule codes in brackets):

- a value that is not a number [non_numeric]; a negative value [negative_value];
- a pH outside 0-14 [ph_out_of_range]; a farmland sample without pH (GB 15618-2018 needs it)
  [missing_value]; a blank point code or date [missing_value]; a date that is no date [bad_date];
- a soil point code not in the planned-point list [unknown_point]; a county that is not one of
  Zhaotong's [unknown_county]; a noise zone class outside GB 3096-2008 [unknown_zone_class];
- a row equal to an earlier row of the same partition (all cells but 序号) is a duplicate; a
  sample id already loaded with other content is quarantined [conflicting_sample];
- below the detection limit — ``<0.05``, ``＜0.05``, ``未检出``, ``ND``, ``低于检出限`` — is loaded:
  the value is NULL, ``<metal>_below_dl`` is true and ``below_detection`` lists the metals with
  the limit when one was written (``hg<0.05``). Classification treats such a metal as not
  exceeding its screening value (the methods' detection limits are far below every screening
  value). A blank cell means not measured (NULL, not below detection).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa

from ingestion.common import areas
from ingestion.common.home import Home
from ingestion.common.lake import FileLoad, replace_partition
from ingestion.permits.loader import decode
from ingestion.standards import gb3096

SOURCE_POINTS = "monitoring.lab.soil_points"
SOURCE_SOIL = "monitoring.lab.soil"
SOURCE_NOISE = "monitoring.lab.noise"
METALS = ("cd", "hg", "as", "pb", "cr", "cu", "ni", "zn", "cr6")
# Header patterns, checked in order (六价铬 before 铬). Metals by Chinese name or element symbol.
METAL_PATTERNS = [
    ("cr6", r"六价铬|cr6\+|cr\(vi\)|cr\s*vi"),
    ("cd", r"镉|\bcd\b"), ("hg", r"汞|\bhg\b"), ("as", r"砷|\bas\b"), ("pb", r"铅|\bpb\b"),
    ("cr", r"铬|\bcr\b"), ("cu", r"铜|\bcu\b"), ("ni", r"镍|\bni\b"), ("zn", r"锌|\bzn\b"),
]
TEXT_PATTERNS = [
    ("seq", r"^序号$"), ("sample_id", r"样品编号|样品编码"), ("point_code", r"点位编码|点位编号|点位代码"),
    ("point_name", r"点位名称"), ("county", r"区县|县（市、区）|县\(市、区\)|行政区"),
    ("land_use", r"用地类型|土地利用类型"), ("point_type", r"点位类别|点位类型"), ("year", r"^年度$"),
    ("lon", r"经度"), ("lat", r"纬度"), ("sampled_on", r"采样日期|采样时间"), ("measured_on", r"监测日期|监测时间"),
    ("zone_class", r"功能区"), ("ph", r"^ph"), ("leq_day", r"昼间"), ("leq_night", r"夜间"),
]
METAL_NAMES = {"cd": "Cd", "hg": "Hg", "as": "As", "pb": "Pb", "cr": "Cr", "cu": "Cu", "ni": "Ni", "zn": "Zn",
               "cr6": "Cr6+"}
UNIT_FACTORS = {"mg/kg": 1.0, "μg/kg": 0.001, "µg/kg": 0.001, "ug/kg": 0.001, "g/kg": 1000.0}
BELOW_DL_WORDS = ("未检出", "nd", "n.d.", "低于检出限", "<dl", "ｎｄ")
LAND_USES = {"水田": "paddy", "果园": "orchard", "旱地": "other", "其他": "other", "其它": "other", "菜地": "other",
             "第一类用地": "type1", "一类用地": "type1", "第二类用地": "type2", "二类用地": "type2"}
POINT_TYPES = {"农用地": "farmland", "建设用地": "construction"}

POINTS_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("line_no", pa.int64()), ("year", pa.int64()),
    ("point_code", pa.string()), ("point_name", pa.string()), ("county_code", pa.string()),
    ("point_type", pa.string()), ("land_use", pa.string()), ("longitude", pa.float64()), ("latitude", pa.float64()),
])
SOIL_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("sheet", pa.string()), ("line_no", pa.int64()),
    ("sample_id", pa.string()), ("point_code", pa.string()), ("county_code", pa.string()),
    ("point_type", pa.string()), ("land_use", pa.string()), ("sampled_on", pa.date32()), ("ph", pa.float64()),
    *[(f"{m}_mg_kg", pa.float64()) for m in METALS],
    *[(f"{m}_below_dl", pa.bool_()) for m in METALS],
    ("below_detection", pa.string()),
])
NOISE_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("sheet", pa.string()), ("line_no", pa.int64()),
    ("point_code", pa.string()), ("point_name", pa.string()), ("county_code", pa.string()),
    ("zone_class", pa.string()), ("measured_on", pa.date32()), ("leq_day_db", pa.float64()),
    ("leq_night_db", pa.float64()),
])
QUARANTINE_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("sheet", pa.string()), ("line_no", pa.int64()),
    ("raw", pa.string()), ("rule", pa.string()), ("reason", pa.string()),
])


class RowError(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def norm(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFKC", str(v)).replace("\u3000", " ").strip()


def _column(label: str) -> tuple[str, float] | None:
    """(field, unit factor) of a header, or None for a column the loader does not use."""
    text = norm(label).lower()
    if not text:
        return None
    unit = re.search(r"[(\[（]([^()\[\]（）]*?/kg)[)\]）]", text)
    factor = UNIT_FACTORS.get(unit[1].replace(" ", "")) if unit else 1.0
    if factor is None:
        raise RowError("unknown_unit", f"header {label!r}: unit {unit[1]!r} is not mg/kg, μg/kg or g/kg")
    for name, pat in TEXT_PATTERNS:
        if re.search(pat, text):
            return name, 1.0
    for name, pat in METAL_PATTERNS:
        if re.search(pat, text):
            return name, factor
    return None


def parse_value(v: Any, what: str) -> tuple[float | None, bool, str]:
    """(value, below detection limit, detection-limit text); blank → (None, False, '')."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        value = float(v)
    else:
        t = norm(v)
        if not t:
            return None, False, ""
        low = t.lower().replace(" ", "")
        if low in BELOW_DL_WORDS:
            return None, True, ""
        m = re.fullmatch(r"(?:<|小于|低于)(\d+(?:\.\d+)?)", low)
        if m:
            return None, True, m[1]
        if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", low):
            raise RowError("non_numeric", f"{what} {t!r} is not a number")
        value = float(low)
    if value < 0:
        raise RowError("negative_value", f"{what} {value:g} is negative")
    return value, False, ""


def parse_date(v: Any, what: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    t = norm(v)
    if not t:
        raise RowError("missing_value", f"{what} is blank")
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", t)
    if not m:
        raise RowError("bad_date", f"{what} {t!r} is not a date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise RowError("bad_date", f"{what} {t!r} is not a date of the calendar") from None


@dataclass
class Block:
    """The data rows of one sheet (or one CSV): header labels and (row number, cells)."""

    sheet: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]


@dataclass
class FileResult:
    file_load: FileLoad
    encoding: str = ""
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)


def read_blocks(path: Path, anchor: str = "点位编码") -> tuple[list[Block], str]:
    """Blocks of a CSV or workbook; raises RowError('bad_encoding'|'unreadable_file') for a file that can't be read."""
    if path.suffix.lower() == ".xlsx":
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - any unreadable workbook is quarantined whole
            raise RowError("unreadable_file", f"not a readable xlsx workbook ({type(e).__name__}: {e})") from None
        blocks = []
        for ws in wb.worksheets:
            grid = [list(r) for r in ws.iter_rows(values_only=True)]
            head_at = next((i for i, r in enumerate(grid) if any(anchor in norm(c) for c in r)), None)
            if head_at is None:
                continue
            blocks.append(Block(ws.title, [norm(c) for c in grid[head_at]],
                                [(head_at + 2 + k, r) for k, r in enumerate(grid[head_at + 1:])]))
        wb.close()
        return blocks, "xlsx"
    text, enc = decode(path.read_bytes())
    if text is None:
        raise RowError("bad_encoding", enc)
    lines = list(csv.reader(text.splitlines()))
    head_at = next((i for i, r in enumerate(lines) if any(anchor in norm(c) for c in r)), 0)
    header = [norm(c) for c in lines[head_at]] if lines else []
    return [Block("", header, [(head_at + 2 + k, r) for k, r in enumerate(lines[head_at + 1:])])], enc


def _mapping(header: list[str]) -> dict[int, tuple[str, float]]:
    out = {}
    for i, h in enumerate(header):
        col = _column(h)
        if col:
            out[i] = col
    return out


def _raw(cells: list[Any]) -> str:
    return ",".join(norm(c) if not isinstance(c, datetime) else c.date().isoformat() for c in cells)


class _Reader:
    """Shared bookkeeping of one file: counts, quarantine rows, duplicates within the partition."""

    def __init__(self, home: Home, path: Path, load_id: str, source: str, partition: str, seen: dict):
        self.rel = path.relative_to(home.root).as_posix() if path.is_relative_to(home.root) else path.as_posix()
        self.res = FileResult(FileLoad(load_id, source, partition, self.rel))
        self.load_id = load_id
        self.seen = seen

    def quarantine(self, sheet: str, line_no: int, raw: str, rule: str, reason: str) -> None:
        where = f"{self.rel}{' sheet ' + sheet if sheet else ''} row {line_no}"
        self.res.quarantine.append({"load_id": self.load_id, "source_file": self.rel, "sheet": sheet,
                                    "line_no": line_no, "raw": raw, "rule": rule, "reason": f"{where}: {reason}"})
        self.res.file_load.quarantined += 1

    def run(self, path: Path, anchor: str, typed, ident=None) -> FileResult:
        fl = self.res.file_load
        try:
            blocks, self.res.encoding = read_blocks(path, anchor)
        except RowError as e:
            fl.received += 1
            self.quarantine("", 0, "", e.rule, f"whole file: {e.reason}")
            fl.finished_at = datetime.now()
            return self.res
        if not blocks:
            fl.received += 1
            self.quarantine("", 0, "", "missing_column", f"whole file: no header with {anchor}")
        for b in blocks:
            try:
                cols = _mapping(b.header)
            except RowError as e:
                cols, header_error = {}, e
            else:
                header_error = None
            for line_no, cells in b.rows:
                if not any(norm(c) for c in cells):
                    continue
                fl.received += 1
                raw = _raw(cells)
                if header_error:
                    self.quarantine(b.sheet, line_no, raw, header_error.rule, header_error.reason)
                    continue
                fields: dict[str, tuple[Any, float]] = {}
                for i, (name, factor) in cols.items():
                    fields[name] = (cells[i] if i < len(cells) else None, factor)
                try:
                    row = typed(fields)
                except RowError as e:
                    self.quarantine(b.sheet, line_no, raw, e.rule, e.reason)
                    continue
                key = tuple(sorted((k, str(v)) for k, v in row.items()))
                if key in self.seen:
                    fl.duplicates += 1
                    continue
                rid = ident(row) if ident else (
                    row.get("sample_id") or f"point {row.get('point_code')} on {row.get('measured_on')}")
                if ("id", rid) in self.seen:
                    self.quarantine(b.sheet, line_no, raw, "conflicting_sample",
                                    f"{rid} already read ({self.seen[('id', rid)]}) with other content")
                    continue
                self.seen[key] = line_no
                self.seen[("id", rid)] = f"{self.rel} row {line_no}"
                self.res.rows.append({"load_id": self.load_id, "source_file": self.rel, "sheet": b.sheet,
                                      "line_no": line_no, **row})
                fl.loaded += 1
        fl.finished_at = datetime.now()
        return self.res


# ---------------------------------------------------------------- planned points

@dataclass
class PlannedPoints:
    result: FileResult | None
    points: dict[str, dict]  # point_code -> latest attributes


def read_planned_points(home: Home, path: Path, load_id: str) -> PlannedPoints:
    aliases = areas.load_aliases()

    def typed(f: dict) -> dict:
        code = norm(f.get("point_code", (None, 1))[0]).upper()
        if not code:
            raise RowError("missing_value", "the point code is blank")
        year_text = norm(f.get("year", (None, 1))[0])
        if not re.fullmatch(r"\d{4}", year_text):
            raise RowError("bad_date", f"year {year_text!r} is not a year")
        county = areas.county_code(norm(f.get("county", (None, 1))[0]), aliases)
        if county is None:
            raise RowError("unknown_county", f"county {norm(f.get('county', (None, 1))[0])!r} is not one of Zhaotong's")
        ptype = POINT_TYPES.get(norm(f.get("point_type", (None, 1))[0]))
        use = LAND_USES.get(norm(f.get("land_use", (None, 1))[0]))
        if ptype is None or use is None or (ptype == "farmland") != (use in ("paddy", "orchard", "other")):
            raise RowError("unknown_land_use", f"point type / land use {norm(f.get('point_type', (None, 1))[0])!r} / "
                                               f"{norm(f.get('land_use', (None, 1))[0])!r} is not a known pair")
        lon, _, _ = parse_value(f.get("lon", (None, 1))[0], "longitude")
        lat, _, _ = parse_value(f.get("lat", (None, 1))[0], "latitude")
        return {"year": int(year_text), "point_code": code, "point_name": norm(f.get("point_name", (None, 1))[0]),
                "county_code": county, "point_type": ptype, "land_use": use, "longitude": lon, "latitude": lat}

    if not path.exists():
        return PlannedPoints(None, {})
    res = _Reader(home, path, load_id, SOURCE_POINTS, "all", {}).run(
        path, "点位编码", typed, lambda r: f"point {r['point_code']} of {r['year']}")
    points: dict[str, dict] = {}
    for row in sorted(res.rows, key=lambda r: r["year"]):
        points[row["point_code"]] = row
    return PlannedPoints(res, points)


# ---------------------------------------------------------------- soil results

def soil_typed(points: dict[str, dict]):
    def typed(f: dict) -> dict:
        code = norm(f.get("point_code", (None, 1))[0]).upper()
        if not code:
            raise RowError("missing_value", "the point code is blank")
        point = points.get(code)
        if point is None:
            raise RowError("unknown_point", f"point {code} is not in the planned-point list")
        sampled = parse_date(f.get("sampled_on", (None, 1))[0], "sampling date")
        ph, ph_bdl, _ = parse_value(f.get("ph", (None, 1))[0], "pH")
        if ph is not None and not 0 <= ph <= 14:
            raise RowError("ph_out_of_range", f"pH {ph:g} is outside 0-14")
        if (ph is None or ph_bdl) and point["point_type"] == "farmland":
            raise RowError("missing_value", "pH is blank: GB 15618-2018 needs it for a farmland point")
        row: dict[str, Any] = {"sample_id": norm(f.get("sample_id", (None, 1))[0]) or f"{code}-{sampled.isoformat()}",
                               "point_code": code, "county_code": point["county_code"],
                               "point_type": point["point_type"], "land_use": point["land_use"],
                               "sampled_on": sampled, "ph": ph}
        below = []
        for m in METALS:
            cell, factor = f.get(m, (None, 1.0))
            value, bdl, dl = parse_value(cell, METAL_NAMES[m])
            row[f"{m}_mg_kg"] = None if value is None else round(value * factor, 6)
            row[f"{m}_below_dl"] = bdl
            if bdl:
                below.append(f"{m}<{float(dl) * factor:g}" if dl else m)
        row["below_detection"] = ",".join(below) or None
        return row
    return typed


def noise_typed(aliases: dict[str, str]):
    def typed(f: dict) -> dict:
        code = norm(f.get("point_code", (None, 1))[0]).upper()
        if not code:
            raise RowError("missing_value", "the point code is blank")
        county_text = norm(f.get("county", (None, 1))[0])
        county = areas.county_code(county_text, aliases)
        if county is None:
            raise RowError("unknown_county", f"county {county_text!r} is not one of Zhaotong's")
        try:
            zone = gb3096.zone_class(norm(f.get("zone_class", (None, 1))[0]))
        except ValueError as e:
            raise RowError("unknown_zone_class", str(e)) from None
        measured = parse_date(f.get("measured_on", (None, 1))[0], "measurement date")
        day, bdl_d, _ = parse_value(f.get("leq_day", (None, 1))[0], "day Leq")
        night, bdl_n, _ = parse_value(f.get("leq_night", (None, 1))[0], "night Leq")
        if bdl_d or bdl_n:
            raise RowError("non_numeric", "a sound level cannot be below a detection limit")
        if day is None and night is None:
            raise RowError("missing_value", "neither a day nor a night level")
        for what, v in (("day Leq", day), ("night Leq", night)):
            if v is not None and not 20 <= v <= 130:
                raise RowError("out_of_range", f"{what} {v:g} dB(A) is outside 20-130")
        return {"point_code": code, "point_name": norm(f.get("point_name", (None, 1))[0]), "county_code": county,
                "zone_class": zone, "measured_on": measured, "leq_day_db": day, "leq_night_db": night}
    return typed


DATA_SUFFIXES = (".csv", ".xlsx")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
                  and not p.name.startswith((".", "~$")))


def lab_root(home: Home) -> Path:
    return home.landing / "monitoring" / "lab"


@dataclass
class LabLoad:
    results: list[FileResult] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)

    @property
    def file_loads(self) -> list[FileLoad]:
        return [r.file_load for r in self.results]


def load_soil(home: Home, load_id: str) -> LabLoad:
    """Planned points, then every year folder of soil results (each replaces its own partition)."""
    root = lab_root(home) / "soil"
    out = LabLoad()
    planned = read_planned_points(home, root / "planned_points.csv", load_id)
    if planned.result is not None:
        out.results.append(planned.result)
        replace_partition(home.lake / "lab" / "soil_points", "soil_points.parquet",
                          pa.Table.from_pylist(planned.result.rows, schema=POINTS_SCHEMA))
        replace_partition(home.quarantine / "lab" / "soil_points", "quarantine.parquet",
                          pa.Table.from_pylist(planned.result.quarantine, schema=QUARANTINE_SCHEMA))
    folders = sorted(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)) if root.exists() else []
    typed = soil_typed(planned.points)
    for folder in folders:
        seen: dict = {}
        part = f"year={folder.name}"
        results = [_Reader(home, p, load_id, SOURCE_SOIL, folder.name, seen).run(p, "点位编码", typed)
                   for p in _files(folder)]
        _write(home, "soil_results", part, results, SOIL_SCHEMA)
        out.results += results
        out.partitions.append(folder.name)
    return out


def load_noise(home: Home, load_id: str) -> LabLoad:
    root = lab_root(home) / "noise"
    out = LabLoad()
    folders = sorted(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-Q[1-4]", p.name)) \
        if root.exists() else []
    typed = noise_typed(areas.load_aliases())
    for folder in folders:
        seen: dict = {}
        results = [_Reader(home, p, load_id, SOURCE_NOISE, folder.name, seen).run(p, "点位编码", typed)
                   for p in _files(folder)]
        _write(home, "noise_results", f"quarter={folder.name}", results, NOISE_SCHEMA)
        out.results += results
        out.partitions.append(folder.name)
    return out


def _write(home: Home, table: str, part: str, results: list[FileResult], schema: pa.Schema) -> None:
    rows = [r for x in results for r in x.rows]
    quarantine = [q for x in results for q in x.quarantine]
    replace_partition(home.lake / "lab" / table / part, f"{table}.parquet", pa.Table.from_pylist(rows, schema=schema))
    replace_partition(home.quarantine / "lab" / table / part, "quarantine.parquet",
                      pa.Table.from_pylist(quarantine, schema=QUARANTINE_SCHEMA))
