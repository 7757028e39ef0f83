"""Read the pollution-source census delivery (第二次全国污染源普查, xlsx) into typed lake tables.

Input: ``landing/census/<delivery>/*.xlsx`` as delivered — Chinese multi-row headers with merged
group cells and the unit in the header text, a title above, a column-number row (甲 乙 1 2 …) under
the header, a 合计 row and a signature footer, numbers sometimes stored as text, county names in any
spelling. What each workbook/sheet/column means is data: ``headers.yaml`` (header patterns →
column, unit → factor).

Output, per table of headers.yaml (``industrial_sources``, ``centralized_facilities``,
``agricultural_sources``, ``domestic_sources``):

- ``lake/census/<table>/delivery=<delivery>/<table>.parquet``: one row per record read, with
  ``source_record_id`` (``<delivery>/<workbook stem>/<sheet>/<row>``), quantities converted to the
  schema's unit (t, kg, m3, person), ``county_code`` normalised through the alias seed, and
  ``dq_flags`` (comma-separated) for what was kept but is doubtful;
- ``lake/quarantine/census/<table>/delivery=<delivery>/quarantine.parquet``: every record that could
  not be read, with workbook (source_file), sheet, row (line_no), the cells as received (raw), rule
  and reason;
- one load-log row per workbook sheet (source_file ``<workbook path>#<sheet>``):
  received = loaded + quarantined + duplicates.

What is kept, flagged or quarantined (nothing is dropped silently):

- a malformed credit code (wrong check character, wrong length, a letter outside the GB 32100
  alphabet such as O) or a blank one: the row is **kept** — the enterprise is real and is still
  found by permit number or name + county — with ``credit_code`` NULL, ``credit_code_raw`` as
  received, ``credit_code_problem`` saying why and the flag ``invalid_credit_code`` /
  ``missing_credit_code``;
- a number stored as text (also with thousands separators or full-width digits) is read;
  "—", "/", "无" and empty cells are NULL; an industry code that lost its leading zero (610) is
  padded (0610, flag ``industry_code_padded``);
- a value that is not a number, a negative quantity, a county the alias table does not know, or a
  missing name: the row is **quarantined** (rules ``bad_number``, ``negative_quantity``,
  ``unknown_county``, ``missing_value``) — fix the cell or add the alias to the seed and reload;
- a sheet whose header cannot be mapped (anchor not found, a required column missing, a column
  matched twice, a unit that is missing, unknown or of the wrong dimension): **every** record of the
  sheet is quarantined with that reason;
- a record identical to an earlier one of the same table (every typed column equal) is counted as a
  duplicate; in a table with a ``key`` (county-level tables) a second record with the same key and
  other values is quarantined (``conflicting_key``).
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import yaml

from ingestion.common import areas, uscc
from ingestion.common.home import Home
from ingestion.common.lake import FileLoad, replace_partition

HERE = Path(__file__).resolve().parent
SPEC_FILE = HERE / "headers.yaml"
SOURCE = "census"
NULL_TEXTS = {"", "—", "--", "-", "－", "/", "无", "／", "——", "n/a", "na"}

CENSUS_QUARANTINE_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source_file", pa.string()),   # the workbook, relative to $ZTECO_HOME
    ("sheet", pa.string()),
    ("line_no", pa.int64()),        # 1-based row of the sheet
    ("raw", pa.string()),           # the row's cells as received (JSON list of texts)
    ("rule", pa.string()),
    ("reason", pa.string()),
])

_TYPES = {
    "text": pa.string(), "credit_code": pa.string(), "county": pa.string(), "industry_code": pa.string(),
    "permit_no": pa.string(), "number": pa.float64(), "quantity": pa.float64(),
}
_RECORD_FIELDS = [
    ("load_id", pa.string()),
    ("source_file", pa.string()),
    ("sheet", pa.string()),
    ("row_no", pa.int64()),
    ("source_record_id", pa.string()),
]


# -- the spec (headers.yaml) ------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    dimension: str
    factor: float


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    header: str
    type: str
    unit: str | None = None
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    table: str
    title_zh: str
    workbook: str
    sheets: tuple[str, ...]
    anchor: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()

    def schema(self) -> pa.Schema:
        fields = list(_RECORD_FIELDS)
        for c in self.columns:
            fields.append((c.name, _TYPES[c.type]))
            if c.type == "credit_code":
                fields += [("credit_code_raw", pa.string()), ("credit_code_problem", pa.string())]
            if c.type == "county":
                fields.append(("county_raw", pa.string()))
        fields.append(("dq_flags", pa.string()))
        return pa.schema(fields)

    def matches_sheet(self, sheet: str) -> bool:
        return any(fnmatch.fnmatchcase(sheet, p) for p in self.sheets)


@dataclass(frozen=True)
class Spec:
    units: dict[str, Unit]
    targets: dict[str, Unit]
    tables: dict[str, TableSpec]
    total_row: re.Pattern
    footer_row: re.Pattern
    column_number_row: re.Pattern

    def table_for(self, workbook_name: str) -> TableSpec | None:
        return next((t for t in self.tables.values() if fnmatch.fnmatchcase(workbook_name, t.workbook)), None)


def load_spec(path: Path = SPEC_FILE) -> Spec:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = {}
    for name, t in doc["tables"].items():
        cols = tuple(ColumnSpec(c["name"], c["header"], c["type"], c.get("unit"), bool(c.get("required")))
                     for c in t["columns"])
        for c in cols:
            if c.type not in _TYPES:
                raise ValueError(f"{path}: column {name}.{c.name} has unknown type {c.type!r}")
            if c.type == "quantity" and c.unit not in doc["targets"]:
                raise ValueError(f"{path}: column {name}.{c.name} needs a unit among {sorted(doc['targets'])}")
        tables[name] = TableSpec(name, t["title_zh"], t["workbook"], tuple(t["sheets"]), t["anchor"], cols,
                                 tuple(t.get("key", ())))
    return Spec(
        units={k: Unit(**v) for k, v in doc["units"].items()},
        targets={k: Unit(**v) for k, v in doc["targets"].items()},
        tables=tables,
        total_row=re.compile(doc["total_row"]),
        footer_row=re.compile(doc["footer_row"]),
        column_number_row=re.compile(doc["column_number_row"]),
    )


# -- cells -----------------------------------------------------------------------------------------

class CellError(Exception):
    def __init__(self, rule: str, reason: str, column: str = ""):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason
        self.column = column


def norm_text(value: Any) -> str:
    """A cell as comparable text: NFKC (full-width → ASCII), no white space at all."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def cell_text(value: Any) -> str:
    """A cell as the text a person reads (for raw/quarantine)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(value: Any) -> tuple[float | None, bool]:
    """(number or None, was stored as text). Raises CellError when the text is not a number."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise CellError("bad_number", f"{value!r} is not a number")
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None, False
        return float(value), False
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.lower() in NULL_TEXTS:
        return None, True
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.replace("，", ",")).replace(" ", "")
    if re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cleaned):
        return float(cleaned), True
    raise CellError("bad_number", f"{text!r} is not a number")


def unit_of(label: str, units: dict[str, Unit]) -> str | None:
    """The unit written in a column label: in its last brackets, or its last '/' segment."""
    found = re.findall(r"\(([^()]*)\)", label)
    if found:
        return found[-1]
    last = label.rsplit("/", 1)[-1]
    return last if last in units else None


# -- sheets ----------------------------------------------------------------------------------------

@dataclass
class Issue:
    """One thing the reader did about a record: flagged, quarantined or counted as a duplicate."""

    workbook: str
    sheet: str
    row: int
    disposition: str   # flagged | quarantined | duplicate
    rule: str
    reason: str
    column: str = ""


@dataclass
class SheetResult:
    table: str
    workbook: str          # path relative to $ZTECO_HOME
    sheet: str
    file_load: FileLoad
    records: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)     # column → header label it was read from
    units: dict[str, str] = field(default_factory=dict)      # column → unit in the header
    unmapped_labels: list[str] = field(default_factory=list)
    text_numbers: int = 0
    total_rows: int = 0


@dataclass
class ReadResult:
    delivery: str
    load_id: str
    sheets: list[SheetResult] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)      # "<workbook>#<sheet>"
    unrecognised_workbooks: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)

    def records(self, table: str) -> list[dict]:
        return [r for s in self.sheets if s.table == table for r in s.records]

    def quarantine(self, table: str) -> list[dict]:
        return [q for s in self.sheets if s.table == table for q in s.quarantine]

    @property
    def issues(self) -> list[Issue]:
        return [i for s in self.sheets for i in s.issues]

    @property
    def file_loads(self) -> list[FileLoad]:
        return [s.file_load for s in self.sheets]


def _grid(ws) -> list[list[Any]]:
    """Cell values, merged ranges filled with their top-left value."""
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in grid), default=0)
    for r in grid:
        r.extend([None] * (width - len(r)))
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for row in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
            for col in range(rng.min_col, min(rng.max_col, width) + 1):
                grid[row - 1][col - 1] = top
    return grid


def _header(ws, grid: list[list[Any]], anchor: re.Pattern) -> tuple[int, int] | None:
    """(first header row, last header row), 1-based, or None when the anchor is nowhere."""
    for i, row in enumerate(grid, start=1):
        if any(anchor.search(norm_text(v)) for v in row if v is not None):
            depth_end = i
            for rng in ws.merged_cells.ranges:
                if rng.min_row == i and rng.max_row > depth_end:
                    depth_end = rng.max_row
            return i, depth_end
    return None


def _labels(grid: list[list[Any]], first: int, last: int) -> list[str]:
    width = len(grid[0]) if grid else 0
    labels = []
    for col in range(width):
        parts: list[str] = []
        for row in range(first, last + 1):
            t = norm_text(grid[row - 1][col])
            if t and (not parts or parts[-1] != t):
                parts.append(t)
        labels.append("/".join(parts))
    return labels


class SheetError(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def _map_columns(spec: Spec, table: TableSpec, labels: list[str]) -> tuple[dict[str, int], dict[str, float], dict[str, str]]:
    """column name → 0-based index, → conversion factor, → unit text. Raises SheetError."""
    index: dict[str, int] = {}
    factors: dict[str, float] = {}
    unit_text: dict[str, str] = {}
    for c in table.columns:
        hits = [i for i, lab in enumerate(labels) if lab and re.search(c.header, lab)]
        if not hits:
            if c.required:
                raise SheetError("missing_column", f"no header matches the required column {c.name} "
                                                   f"(pattern {c.header!r}); headers found: {[x for x in labels if x]}")
            continue
        if len(hits) > 1:
            raise SheetError("ambiguous_column", f"column {c.name} (pattern {c.header!r}) matches several "
                                                 f"headers: {[labels[i] for i in hits]}")
        i = hits[0]
        index[c.name] = i
        if c.type == "quantity":
            u = unit_of(labels[i], spec.units)
            target = spec.targets[c.unit]
            if u is None:
                raise SheetError("missing_unit", f"header {labels[i]!r} (column {c.name}) gives no unit")
            if u not in spec.units:
                raise SheetError("unknown_unit", f"header {labels[i]!r} (column {c.name}): unit {u!r} is not in "
                                                 "ingestion/census/headers.yaml")
            if spec.units[u].dimension != target.dimension:
                raise SheetError("unit_mismatch", f"header {labels[i]!r} (column {c.name}): {u!r} is a "
                                                  f"{spec.units[u].dimension}, the schema wants {c.unit}")
            factors[c.name] = spec.units[u].factor / target.factor
            unit_text[c.name] = u
    return index, factors, unit_text


def _first_text(row: list[Any]) -> str:
    return next((norm_text(v) for v in row if norm_text(v)), "")


def _typed(c: ColumnSpec, value: Any, factor: float, label: str, aliases: dict[str, str],
           out: dict, flags: list[str], issues: list[tuple[str, str, str]]) -> bool:
    """Type one cell into ``out``; returns whether the cell was a number stored as text."""
    text_number = False
    if c.type == "text":
        v = re.sub(r"^\s+|\s+$", "", unicodedata.normalize("NFKC", cell_text(value)).replace("\u3000", " "))
        if c.required and not v:
            raise CellError("missing_value", f"{label} is empty")
        out[c.name] = v or None
    elif c.type == "credit_code":
        raw = cell_text(value).strip()
        out["credit_code_raw"] = raw or None
        code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()
        problem = uscc.problem(code)
        out[c.name] = None if problem else code
        out["credit_code_problem"] = problem
        if problem:
            flag = "missing_credit_code" if not code else "invalid_credit_code"
            flags.append(flag)
            issues.append((flag, f"{label}: {problem}; row kept with credit_code NULL", c.name))
    elif c.type == "county":
        raw = cell_text(value).strip()
        out["county_raw"] = raw or None
        code = areas.county_code(value, aliases)
        if code is None:
            raise CellError("unknown_county", f"{label} {raw!r} is not a county of Zhaotong in "
                                              "dbt_project/seeds/county_aliases.csv (add the spelling there)")
        out[c.name] = code
    elif c.type == "industry_code":
        raw = norm_text(value)
        if not raw:
            out[c.name] = None
        elif re.fullmatch(r"\d{4}", raw):
            out[c.name] = raw
        elif re.fullmatch(r"\d{3}", raw):
            out[c.name] = raw.zfill(4)
            flags.append("industry_code_padded")
            issues.append(("industry_code_padded", f"{label} {raw!r} lost its leading zero: read as "
                                                   f"{raw.zfill(4)}", c.name))
        else:
            out[c.name] = None
            flags.append("invalid_industry_code")
            issues.append(("invalid_industry_code", f"{label} {raw!r} is not a GB/T 4754 class code; kept NULL",
                           c.name))
    elif c.type == "permit_no":
        out[c.name] = norm_text(value).upper() or None
    else:
        try:
            number, text_number = parse_number(value)
        except CellError as e:
            raise CellError(e.rule, f"{label}: {e.reason}") from None
        if number is not None and c.type == "quantity":
            if number < 0 and c.unit != "degree":
                raise CellError("negative_quantity", f"{label} {cell_text(value)!r} is negative")
            number = round(number * factor, 6)
        out[c.name] = number
    return text_number


def read_sheet(spec: Spec, table: TableSpec, ws, workbook_rel: str, delivery: str, load_id: str,
               aliases: dict[str, str], seen: dict[tuple, tuple[str, int]],
               keys: dict[tuple, tuple[tuple, str, int]]) -> SheetResult:
    """Read one sheet. ``seen`` (typed record → where first read) and ``keys`` are shared across the
    sheets of a table, so duplicates are found across sheets and workbooks."""
    sheet = ws.title
    fl = FileLoad(load_id, f"{SOURCE}.{table.table}", delivery, f"{workbook_rel}#{sheet}")
    res = SheetResult(table.table, workbook_rel, sheet, fl)
    grid = _grid(ws)
    stem = Path(workbook_rel).stem

    def quarantine(row_no: int, row: list[Any], rule: str, reason: str, column: str = "") -> None:
        where = f"{workbook_rel} sheet {sheet} row {row_no}"
        res.quarantine.append({"load_id": load_id, "source_file": workbook_rel, "sheet": sheet, "line_no": row_no,
                               "raw": json.dumps([cell_text(v) for v in row], ensure_ascii=False),
                               "rule": rule, "reason": f"{where}: {reason}"})
        res.issues.append(Issue(workbook_rel, sheet, row_no, "quarantined", rule, reason, column))

    header = _header(ws, grid, re.compile(table.anchor))
    sheet_error: SheetError | None = None
    start = 1
    if header is None:
        sheet_error = SheetError("header_not_found", f"no cell matches the header anchor {table.anchor!r} of "
                                                     f"table {table.table}")
    else:
        first, last = header
        labels = _labels(grid, first, last)
        start = last + 1
        try:
            index, factors, unit_text = _map_columns(spec, table, labels)
            res.labels = {c: labels[i] for c, i in index.items()}
            res.units = unit_text
            used = set(index.values())
            res.unmapped_labels = [lab for i, lab in enumerate(labels) if lab and i not in used]
        except SheetError as e:
            sheet_error = e
    if start <= len(grid) and spec.column_number_row.match(_first_text(grid[start - 1])):
        start += 1

    for row_no in range(start, len(grid) + 1):
        row = grid[row_no - 1]
        first_text = _first_text(row)
        if not first_text:
            continue
        if spec.total_row.match(first_text) or any(spec.total_row.match(norm_text(v)) for v in row[:3]):
            res.total_rows += 1
            continue
        if spec.footer_row.match(first_text):
            continue
        fl.received += 1
        if sheet_error is not None:
            quarantine(row_no, row, sheet_error.rule, sheet_error.reason)
            continue
        out: dict[str, Any] = {}
        flags: list[str] = []
        flagged: list[tuple[str, str, str]] = []
        text_numbers = 0
        try:
            for c in table.columns:
                if c.name not in index:
                    out[c.name] = None
                    if c.type == "credit_code":
                        out["credit_code_raw"] = out["credit_code_problem"] = None
                    if c.type == "county":
                        out["county_raw"] = None
                    continue
                label = f"column {res.labels[c.name]}"
                try:
                    text_numbers += _typed(c, row[index[c.name]], factors.get(c.name, 1.0), label, aliases, out,
                                           flags, flagged)
                except CellError as e:
                    e.column = c.name
                    raise
        except CellError as e:
            quarantine(row_no, row, e.rule, e.reason, e.column)
            continue
        res.text_numbers += text_numbers
        business = tuple((k, out[k]) for k in sorted(out) if k not in ("county_raw",))
        if business in seen:
            w, r = seen[business]
            fl.duplicates += 1
            res.issues.append(Issue(workbook_rel, sheet, row_no, "duplicate", "duplicate_record",
                                    f"same record as {w} sheet {r[0]} row {r[1]}"))
            continue
        if table.key:
            key = tuple(out[k] for k in table.key)
            if key in keys:
                _, kw, kr = keys[key]
                quarantine(row_no, row, "conflicting_key",
                           f"{dict(zip(table.key, key, strict=True))} was already read from {kw} row {kr} with other "
                           "values; which one is right needs a person")
                continue
            keys[key] = (business, f"{workbook_rel} sheet {sheet}", row_no)
        seen[business] = (workbook_rel, (sheet, row_no))
        for flag, reason, column in flagged:
            res.issues.append(Issue(workbook_rel, sheet, row_no, "flagged", flag, reason, column))
        res.records.append({"load_id": load_id, "source_file": workbook_rel, "sheet": sheet, "row_no": row_no,
                            "source_record_id": f"{delivery}/{stem}/{sheet}/{row_no}", **out,
                            "dq_flags": ",".join(dict.fromkeys(flags)) or None})
        fl.loaded += 1
    fl.quarantined = len(res.quarantine)
    fl.finished_at = datetime.now()
    return res


def read_delivery(home: Home, delivery_dir: Path, load_id: str, spec: Spec | None = None) -> ReadResult:
    """Read every workbook of one delivery folder (nothing is written)."""
    spec = spec or load_spec()
    aliases = areas.load_aliases()
    delivery = delivery_dir.name
    result = ReadResult(delivery, load_id)
    seen: dict[str, dict] = {t: {} for t in spec.tables}
    keys: dict[str, dict] = {t: {} for t in spec.tables}
    found: set[str] = set()
    for path in sorted(delivery_dir.glob("*.xlsx")):
        if path.name.startswith(("~$", ".")):
            continue
        rel = path.relative_to(home.root).as_posix() if path.is_relative_to(home.root) else path.as_posix()
        table = spec.table_for(path.name)
        if table is None:
            result.unrecognised_workbooks.append(rel)
            continue
        found.add(table.table)
        wb = openpyxl.load_workbook(path, data_only=True)
        try:
            for ws in wb.worksheets:
                if not table.matches_sheet(ws.title):
                    result.ignored_sheets.append(f"{rel}#{ws.title}")
                    continue
                result.sheets.append(read_sheet(spec, table, ws, rel, delivery, load_id, aliases,
                                                seen[table.table], keys[table.table]))
        finally:
            wb.close()
    result.missing_tables = [t for t in spec.tables if t not in found]
    return result


def deliveries(home: Home) -> list[Path]:
    root = home.landing / "census"
    return sorted(p for p in root.glob("*") if p.is_dir()) if root.exists() else []


@dataclass
class CensusLoad:
    results: list[ReadResult]
    lake_paths: dict[str, list[Path]]

    @property
    def file_loads(self) -> list[FileLoad]:
        return [fl for r in self.results for fl in r.file_loads]

    def counts(self, table: str) -> dict[str, int]:
        fls = [s.file_load for r in self.results for s in r.sheets if s.table == table]
        return {k: sum(getattr(f, k) for f in fls) for k in ("received", "loaded", "quarantined", "duplicates")}


def load_census(home: Home, load_id: str, spec: Spec | None = None) -> CensusLoad:
    """Read every delivery under ``landing/census/`` and write its lake and quarantine partitions.

    Each delivery is re-read as a whole and its partitions replaced, so a re-run never doubles rows.
    A table a delivery does not contain gets an empty partition (what the delivery said about it).
    """
    spec = spec or load_spec()
    results = []
    paths: dict[str, list[Path]] = {t: [] for t in spec.tables}
    for d in deliveries(home):
        res = read_delivery(home, d, load_id, spec)
        results.append(res)
        part = f"delivery={d.name}"
        for name, table in spec.tables.items():
            rows = res.records(name)
            paths[name].append(replace_partition(home.lake / "census" / name / part, f"{name}.parquet",
                                                 pa.Table.from_pylist(rows, schema=table.schema())))
            replace_partition(home.quarantine / "census" / name / part, "quarantine.parquet",
                              pa.Table.from_pylist(res.quarantine(name), schema=CENSUS_QUARANTINE_SCHEMA))
    return CensusLoad(results, paths)


def summarise(issues: Iterable[Issue]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in issues:
        out[f"{i.disposition}:{i.rule}"] = out.get(f"{i.disposition}:{i.rule}", 0) + 1
    return dict(sorted(out.items()))
