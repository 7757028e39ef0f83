"""Intake of the county sub-centres' drop folders: every uploaded file → accepted, rejected or duplicate.

Input: ``landing/counties/<county_code>/<file>`` (landing is immutable: nothing is moved or changed).
The arrival time of a file is its modification time (the upload time, Beijing time); each intake run
takes the files it has not seen before (by path), in order of arrival, and for each:

1. content hash (SHA-256): the same bytes as a file already received → ``duplicate`` (recorded with the
   file it repeats, not loaded again);
2. empty file / not a spreadsheet (xlsx is opened with openpyxl, anything else must decode as UTF-8 or
   GBK CSV text) / encoding detection;
3. template detection: the header (units in brackets stripped) must be exactly the column set of one
   template version of one form (seeds/county_form_templates.csv); any sheet whose header matches is read
   (a renamed sheet is a warning);
4. header mapping and unit conversion (the unit written in the header → the template's unit,
   ``catalogue.UNIT_CONVERSIONS``), 是 / 否 → 1 / 0;
5. county normalisation (seeds/county_aliases.csv) and the folder check (a file for another county is
   rejected), period parsing;
6. the rules of the quality suite ``counties/submissions`` (quality/suites/counties_submissions.py).

Output (one Parquet file per intake run, appended):

- ``lake/counties/files/intake=<run>/``: one row per file received, with received_at, hash, outcome,
  the rule and reasons (English and Chinese), template, sheet, encoding;
- ``lake/counties/figures/intake=<run>/``: one row per figure of each accepted file (canonical unit);
- ``lake/quarantine/counties/<county>/<file>`` + ``<file>.reason.txt`` for every rejected file;
- the load log: one row per file (received 1 = loaded + quarantined + duplicates);
- a Chinese feedback report per county with files in the run (ingestion/counties/feedback.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common import areas
from ingestion.common.home import Home
from ingestion.common.lake import FileLoad
from ingestion.counties import catalogue as cat
from ingestion.counties.world import drop_root, from_epoch
from ingestion.permits.loader import decode
from quality.suites.counties_submissions import REASON_ZH, SUITE

SOURCE = "counties.submissions"
FILES_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("intake_at", pa.timestamp("us")),
        ("folder_county", pa.string()),
        ("source_file", pa.string()),
        ("file_name", pa.string()),
        ("size_bytes", pa.int64()),
        ("sha256", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("outcome", pa.string()),
        ("duplicate_of", pa.string()),
        ("encoding", pa.string()),
        ("file_format", pa.string()),
        ("template_version", pa.string()),
        ("sheet", pa.string()),
        ("county_code", pa.string()),
        ("form_code", pa.string()),
        ("period_start", pa.date32()),
        ("rule", pa.string()),
        ("reason", pa.string()),
        ("reason_zh", pa.string()),
        ("warnings", pa.string()),
        ("quarantine_path", pa.string()),
    ]
)
FIGURES_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("source_file", pa.string()),
        ("sha256", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("county_code", pa.string()),
        ("form_code", pa.string()),
        ("period_start", pa.date32()),
        ("template_version", pa.string()),
        ("figure_code", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("raw_value", pa.string()),
        ("raw_unit", pa.string()),
    ]
)
YES = {"是", "已命名", "通过", "已通过", "y", "yes", "1"}
NO = {"否", "未命名", "未通过", "n", "no", "0"}


class Rejected(Exception):
    def __init__(self, rule: str, detail: str, **extra: str):
        super().__init__(f"{rule}: {detail}")
        self.rule, self.detail, self.extra = rule, detail, extra


def norm(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFKC", str(v)).replace("\u3000", " ").strip()


def split_header(label: str) -> tuple[str, str]:
    """('在用放射源数', '枚') of '在用放射源数(枚)'; the unit is the last bracketed part, if any."""
    t = norm(label)
    m = re.fullmatch(r"(.*?)\s*[(（]([^()（）]*)[)）]\s*", t)
    if m and m[1] and not re.search(r"[(（]", t[len(m[1]) : -len(m[2]) - 2]):
        return m[1], m[2].strip()
    return t, ""


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def column_name(label: str) -> tuple[str, str]:
    """(column name key, unit) of a header label: the label itself when it is a template column name
    (``县（市、区）``), else the label without its last bracketed part, which is the unit."""
    if _key(norm(label)) in _all_names():
        return _key(norm(label)), ""
    name, unit = split_header(label)
    return _key(name), unit


def _all_names() -> frozenset[str]:
    return frozenset(_key(c.header_zh) for t in cat.templates() for c in t.columns)


@dataclass
class Parsed:
    template: cat.Template
    sheet: str
    header: list[str]
    rows: list[list[Any]]
    file_format: str
    encoding: str


def _grids(path: Path, data: bytes) -> tuple[list[tuple[str, list[list[Any]]]], str, str]:
    """(sheets as grids, file format, encoding)."""
    if not data:
        raise Rejected("empty_file", "0 bytes")
    if data[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
            raise Rejected(
                "not_spreadsheet",
                f"{path.suffix or 'no extension'} file that is not a workbook ({type(e).__name__})",
            ) from None
        grids = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
        wb.close()
        return grids, "xlsx", ""
    if path.suffix.lower() not in (".csv", ".txt") or b"\x00" in data[:4096]:
        kind = "PDF" if data.startswith(b"%PDF") else f"{path.suffix or 'no extension'} file"
        raise Rejected("not_spreadsheet", kind)
    text, enc = decode(data)
    if text is None:
        raise Rejected("bad_encoding", enc)
    return [("", list(csv.reader(text.splitlines())))], "csv", "gbk" if enc == "gb18030" else "utf-8"


def parse_file(path: Path, data: bytes) -> Parsed:
    grids, fmt, enc = _grids(path, data)
    by_names: dict[frozenset, cat.Template] = {
        frozenset(_key(c.header_zh) for c in t.columns): t for t in cat.templates()
    }
    seen_headers = []
    for sheet, grid in grids:
        for i, row in enumerate(grid):
            labels = [norm(c) for c in row]
            names = frozenset(column_name(x)[0] for x in labels if x)
            if len(names) < 3:
                continue
            t = by_names.get(names)
            if t is None:
                seen_headers.append(",".join(x for x in labels if x))
                continue
            data_rows = [
                r
                for r in grid[i + 1 :]
                if any(norm(c) for c in r) and not norm(r[0]).startswith(("填报", "注", "审核"))
            ]
            return Parsed(t, sheet, labels, data_rows, fmt, enc)
    if not any(any(norm(c) for c in r) for _, g in grids for r in g):
        raise Rejected("empty_file", "no cell has content")
    raise Rejected("unknown_template", repr(seen_headers[0][:120]) if seen_headers else "(no header row)")


def _number(cell: Any, what: str) -> float:
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, (int, float)):
        v = float(cell)
    else:
        t = norm(cell).replace(",", "")
        if not t:
            raise Rejected("missing_value", what)
        low = t.lower()
        if low in YES:
            return 1.0
        if low in NO:
            return 0.0
        if not re.fullmatch(r"[-+]?\d+(?:\.\d+)?", t):
            raise Rejected("non_numeric", f"{what} {t!r}")
        v = float(t)
    if v < 0:
        raise Rejected("negative_value", f"{what} {v:g}")
    return v


@dataclass
class Submission:
    template: cat.Template
    county_code: str
    period_start: date
    figures: list[dict]
    warnings: list[str]


def read_submission(
    path: Path, data: bytes, folder_county: str | None, aliases: dict[str, str]
) -> tuple[Parsed, Submission]:
    parsed = parse_file(path, data)
    t = parsed.template
    form = cat.forms()[t.form_code]
    if not parsed.rows:
        raise Rejected("empty_file", "no data row under the header")
    if len(parsed.rows) > 1:
        raise Rejected("multiple_rows", str(len(parsed.rows)))
    cells = parsed.rows[0]
    by_name = {column_name(h)[0]: (i, column_name(h)[1]) for i, h in enumerate(parsed.header) if h}
    values: dict[str, tuple[Any, str]] = {}
    for c in t.columns:
        i, unit = by_name[_key(c.header_zh)]
        values[c.field] = (cells[i] if i < len(cells) else None, unit)
    county_text = norm(values["county"][0])
    county = areas.area_code(county_text, aliases)
    if county is None or county == areas.CITY_CODE:
        raise Rejected("unknown_county", county_text)
    if folder_county is not None and county != folder_county:
        raise Rejected("wrong_folder", county)
    period_cell = values["period"][0]
    period_text = period_cell.strftime("%Y-%m") if isinstance(period_cell, datetime) else norm(period_cell)
    start = cat.parse_period(period_text, form.period_type)
    if start is None or start not in cat.expected_periods(form, start.year):
        raise Rejected("bad_period", period_text)
    figures = []
    canonical: dict[str, float] = {}
    for c in t.figures:
        cell, unit = values[c.field]
        v = _number(cell, c.header_zh)
        if unit and c.unit and unit != c.unit:
            factor = cat.UNIT_CONVERSIONS.get((unit, c.unit))
            if factor is None:
                raise Rejected("unknown_unit", f"{unit!r} in {c.header_zh} (expected {c.unit})")
            v = round(v * factor, 6)
        canonical[c.field] = v
        figures.append(
            {"figure_code": c.field, "value": v, "unit": c.unit, "raw_value": norm(cell), "raw_unit": unit}
        )
    for c in t.figures:
        if c.not_above and canonical[c.field] > canonical[c.not_above]:
            total = next(x.header_zh for x in t.columns if x.field == c.not_above)
            raise Rejected(
                "part_exceeds_total",
                f"{c.header_zh} {canonical[c.field]:g} > {total} {canonical[c.not_above]:g}",
            )
    warnings = []
    if parsed.sheet and parsed.sheet != form.sheet_name:
        warnings.append("sheet_renamed")
    if t.valid_from < cat.current_template(t.form_code, start).valid_from:
        warnings.append("old_template")
    return parsed, Submission(t, county, start, figures, warnings)


# ---------------------------------------------------------------- the run


@dataclass
class IntakeRun:
    load_id: str
    files: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    file_loads: list[FileLoad] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    quality_results: Path | None = None  # lake/quality/results/<load id>.parquet (rule outcomes per file)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f["outcome"] == outcome)


def files_dir(home: Home) -> Path:
    return home.lake / "counties" / "files"


def figures_dir(home: Home) -> Path:
    return home.lake / "counties" / "figures"


def quarantine_dir(home: Home) -> Path:
    return home.quarantine / "counties"


def known_files(home: Home) -> tuple[set[str], dict[str, str]]:
    """(paths already received, sha256 → first accepted file with those bytes) from the earlier runs.

    Only accepted bytes make a later upload a duplicate: the same bytes re-uploaded after a rejection
    (e.g. into the right folder after the wrong one) are examined again."""
    paths: set[str] = set()
    hashes: dict[str, str] = {}
    parts = sorted(files_dir(home).glob("*/*.parquet")) if files_dir(home).exists() else []
    rows = []
    for p in parts:
        rows += pq.read_table(p, columns=["source_file", "sha256", "received_at", "outcome"]).to_pylist()
    for r in sorted(rows, key=lambda r: (r["received_at"], r["source_file"])):
        paths.add(r["source_file"])
        if r["outcome"] == "accepted":
            hashes.setdefault(r["sha256"], r["source_file"])
    return paths, hashes


def landed_files(home: Home) -> list[Path]:
    root = drop_root(home)
    if not root.exists():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith((".", "~$")) and not p.name.endswith(".part")
    )


def intake(home: Home, load_id: str, now: datetime | None = None) -> IntakeRun:
    """Take every new file of the drop folders; write the lake, quarantine, load log rows, feedback."""
    from ingestion.counties import feedback
    from quality.gate import Gate

    now = now or datetime.now()
    run = IntakeRun(load_id)
    # every file's rule outcomes also go to the quality layer's results (fct_quality_check_results): the
    # failing rule of a rejected file; every rule of an accepted file (its warnings as failed warnings)
    gate = Gate(SUITE, load_id, checked_at=now)
    seen_paths, hashes = known_files(home)
    aliases = areas.load_aliases()
    new = []
    for p in landed_files(home):
        rel = p.relative_to(home.root).as_posix()
        if rel not in seen_paths:
            new.append((from_epoch(p.stat().st_mtime), rel, p))
    for received_at, rel, p in sorted(new):
        data = p.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        folder = p.relative_to(drop_root(home)).parts[0]
        folder_county = areas.area_code(folder, aliases)
        row: dict[str, Any] = {
            "load_id": load_id,
            "intake_at": now,
            "folder_county": folder_county or folder,
            "source_file": rel,
            "file_name": p.name,
            "size_bytes": len(data),
            "sha256": digest,
            "received_at": received_at,
            "outcome": "",
            "duplicate_of": None,
            "encoding": None,
            "file_format": None,
            "template_version": None,
            "sheet": None,
            "county_code": None,
            "form_code": None,
            "period_start": None,
            "rule": None,
            "reason": None,
            "reason_zh": None,
            "warnings": None,
            "quarantine_path": None,
        }
        fl = FileLoad(load_id, SOURCE, folder, rel, received=1)
        if digest in hashes and data:
            row.update(
                outcome="duplicate",
                duplicate_of=hashes[digest],
                reason=f"same bytes as {hashes[digest]}",
                reason_zh=REASON_ZH["duplicate"],
            )
            fl.duplicates = 1
        else:
            try:
                parsed, sub = read_submission(p, data, folder_county, aliases)
            except Rejected as e:
                rule = SUITE.rule(e.rule)
                reason = rule.describe(
                    {"source_file": rel, "detail": e.detail, "folder_county": folder_county, **e.extra}, None
                )
                row.update(outcome="rejected", rule=e.rule, reason=reason, reason_zh=REASON_ZH[e.rule])
                if e.rule == "wrong_folder":
                    row["reason_zh"] += f"（文件所填区县代码 {e.detail}）"
                _attribute(row, p, data, aliases)
                row["quarantine_path"] = _quarantine(home, p, rel, reason)
                fl.quarantined = 1
                gate.record_file(e.rule, passed=False, source_file=rel, element_count=1,
                                 county_code=folder_county, partition_key=received_at.date().isoformat(),
                                 detail={"detail": e.detail, "folder_county": folder_county, **e.extra},
                                 expectation_type="county_form_file")
            else:
                row.update(
                    outcome="accepted",
                    encoding=parsed.encoding or None,
                    file_format=parsed.file_format,
                    template_version=sub.template.version,
                    sheet=parsed.sheet or None,
                    county_code=sub.county_code,
                    form_code=sub.template.form_code,
                    period_start=sub.period_start,
                    warnings=";".join(sub.warnings) or None,
                )
                if sub.warnings:
                    row["reason_zh"] = "；".join(REASON_ZH[w] for w in sub.warnings)
                for rule in SUITE.rules:
                    gate.record_file(rule.code, passed=rule.code not in sub.warnings, source_file=rel,
                                     element_count=1, county_code=sub.county_code,
                                     partition_key=received_at.date().isoformat(),
                                     expectation_type="county_form_file")
                for f in sub.figures:
                    run.figures.append(
                        {
                            "load_id": load_id,
                            "source_file": rel,
                            "sha256": digest,
                            "received_at": received_at,
                            "county_code": sub.county_code,
                            "form_code": sub.template.form_code,
                            "period_start": sub.period_start,
                            **f,
                        }
                    )
                fl.loaded = 1
                hashes.setdefault(digest, rel)
        fl.finished_at = datetime.now()
        run.files.append(row)
        run.file_loads.append(fl)
    if run.files:
        safe = load_id.replace(":", "_")
        for d, rows, schema, name in (
            (files_dir(home), run.files, FILES_SCHEMA, "files"),
            (figures_dir(home), run.figures, FIGURES_SCHEMA, "figures"),
        ):
            out = d / f"intake={safe}"
            out.mkdir(parents=True, exist_ok=True)
            pq.write_table(
                pa.Table.from_pylist(rows, schema=schema), out / f"{name}.parquet", compression="zstd"
            )
        run.reports = feedback.write_reports(home, run)
        run.quality_results = gate.write_results(home)
    return run


def _attribute(row: dict, path: Path, data: bytes, aliases: dict[str, str]) -> None:
    """For a rejected file whose header was read: the (county, form, period) it was meant for, if legible."""
    try:
        parsed = parse_file(path, data)
    except Rejected:
        return
    t = parsed.template
    form = cat.forms()[t.form_code]
    row["form_code"], row["template_version"] = t.form_code, t.version
    row["file_format"], row["encoding"], row["sheet"] = (
        parsed.file_format,
        parsed.encoding or None,
        parsed.sheet or None,
    )
    if len(parsed.rows) != 1:
        return
    by_name = {column_name(h)[0]: i for i, h in enumerate(parsed.header) if h}
    cells = parsed.rows[0]
    for c in t.columns:
        i = by_name[_key(c.header_zh)]
        v = cells[i] if i < len(cells) else None
        if c.field == "county":
            code = areas.area_code(norm(v), aliases)
            row["county_code"] = code if code != areas.CITY_CODE else None
        elif c.field == "period":
            text = v.strftime("%Y-%m") if isinstance(v, datetime) else norm(v)
            row["period_start"] = cat.parse_period(text, form.period_type)


def _quarantine(home: Home, path: Path, rel: str, reason: str) -> str:
    """Copy a rejected file (landing stays as received) with a reason file next to it."""
    target = quarantine_dir(home) / path.parent.name / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    target.with_name(target.name + ".reason.txt").write_text(f"{rel}\n{reason}\n", encoding="utf-8")
    return target.relative_to(home.root).as_posix()
