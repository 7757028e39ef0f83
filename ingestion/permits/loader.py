"""Load the permit platform's list exports (CSV, GBK) into the lake.

Input: ``landing/permits/exports/permit-list-YYYYMMDD.csv`` — every export kept as received (the
date in the name is the day it was exported; each export is a full snapshot of the city's list).
Output, one partition per export:

- ``lake/permits/permit_list/export_date=YYYY-MM-DD/permit_list.parquet``: one row per permit or
  registration (``source_record_id`` = the permit number), credit code validated (GB 32100-2015),
  ``permit_credit_code`` = the credit code embedded in the permit number when it is valid,
  ``county_code`` from the address through ``dbt_project/seeds/county_aliases.csv``;
- ``lake/quarantine/permits/permit_list/export_date=YYYY-MM-DD/quarantine.parquet``: every row not
  loaded, with its line, the line as received, rule and reason;
- a load-log row per export: received = loaded + quarantined + duplicates.

Bad input: a blank or malformed credit code keeps the row (credit_code NULL, flag
``missing_credit_code`` / ``invalid_credit_code``; the permit number still identifies the unit); an
address that resolves to no county (``unknown_county``), a date that is not a date (``bad_date``), a
blank permit number or name (``missing_value``), a management category outside 重点管理/简化管理/
登记管理 (``unknown_category``) and a second row with the same permit number but other content
(``conflicting_permit_no``) are quarantined; a row equal to an earlier one (page overlap) is a
duplicate. A file that is neither UTF-8 nor GBK/GB18030, or lacks a required column, is quarantined
whole (every line, with the reason).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from ingestion.common import areas, uscc
from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition

SOURCE = "permits.permit_list"
EXPORT_NAME = re.compile(r"permit-list-(\d{4})(\d{2})(\d{2})\.csv$")
CATEGORIES = ("重点管理", "简化管理", "登记管理")
STATUSES = {"有效": "有效", "注销": "注销", "撤销": "注销", "吊销": "注销", "已注销": "注销"}
# Header text as the platform writes it → column. Alternatives are the platform's other export forms.
HEADERS = {
    "单位名称": "name", "企业名称": "name",
    "统一社会信用代码": "credit_code",
    "许可证编号": "permit_no", "登记编号": "permit_no", "许可证/登记编号": "permit_no",
    "所在地区": "region", "行政区划": "region",
    "行业类别": "industry_name",
    "管理类别": "management_category",
    "发证机关": "issuing_authority",
    "发证日期": "issued_on",
    "有效期限": "validity",
    "状态": "status", "许可证状态": "status",
    "注销日期": "revoked_on",
}
REQUIRED = ("name", "permit_no", "region", "management_category", "issued_on")

SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source_file", pa.string()),
    ("line_no", pa.int64()),
    ("source_record_id", pa.string()),
    ("permit_no", pa.string()),
    ("credit_code", pa.string()),
    ("credit_code_raw", pa.string()),
    ("credit_code_problem", pa.string()),
    ("permit_credit_code", pa.string()),
    ("name", pa.string()),
    ("county_code", pa.string()),
    ("county_raw", pa.string()),
    ("industry_name", pa.string()),
    ("management_category", pa.string()),
    ("issuing_authority", pa.string()),
    ("issued_on", pa.date32()),
    ("valid_from", pa.date32()),
    ("valid_to", pa.date32()),
    ("status", pa.string()),
    ("revoked_on", pa.date32()),
    ("dq_flags", pa.string()),
])


class RowError(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def parse_date(text: str | None, what: str) -> date | None:
    t = unicodedata.normalize("NFKC", text or "").strip()
    if not t or t in ("—", "-", "/"):
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t)
    if not m:
        raise RowError("bad_date", f"{what} {t!r} is not a date")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise RowError("bad_date", f"{what} {t!r} is not a date of the calendar") from None


def decode(data: bytes) -> tuple[str | None, str]:
    """(text, encoding) — UTF-8 when it is, else GBK's superset GB18030; (None, reason) otherwise."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as e:
            err = e
    return None, f"neither UTF-8 nor GBK/GB18030 (byte 0x{data[err.start]:02X} at offset {err.start})"


@dataclass
class ExportLoad:
    file_load: FileLoad
    export_date: date
    encoding: str
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    duplicate_lines: list[int] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)


def _clean(v: str | None) -> str:
    return unicodedata.normalize("NFKC", v or "").replace("\u3000", " ").strip()


def read_export(home: Home, path: Path, load_id: str) -> ExportLoad:
    m = EXPORT_NAME.search(path.name)
    if not m:
        raise ValueError(f"{path}: a permit export must be named permit-list-YYYYMMDD.csv (the export day)")
    export_date = date(int(m[1]), int(m[2]), int(m[3]))
    rel = path.relative_to(home.root).as_posix() if path.is_relative_to(home.root) else path.as_posix()
    data = path.read_bytes()
    text, encoding = decode(data)
    fl = FileLoad(load_id, SOURCE, export_date.isoformat(), rel)
    res = ExportLoad(fl, export_date, encoding if text is not None else "")

    def quarantine(line_no: int, raw: str, rule: str, reason: str) -> None:
        res.quarantine.append({"load_id": load_id, "source_file": rel, "line_no": line_no, "raw": raw,
                               "rule": rule, "reason": f"{rel} line {line_no}: {reason}"})

    if text is None:
        raw_lines = data.decode("utf-8", errors="backslashreplace").splitlines()
        for i, ln in enumerate(raw_lines[1:], start=2):
            if ln.strip():
                fl.received += 1
                quarantine(i, ln, "bad_encoding", f"whole file: {encoding}")
        fl.quarantined = len(res.quarantine)
        return res
    lines = text.splitlines()
    reader = csv.reader(lines)
    header = [_clean(h) for h in next(reader, [])]
    columns = {i: HEADERS[h] for i, h in enumerate(header) if h in HEADERS}
    missing = [c for c in REQUIRED if c not in columns.values()]
    aliases = areas.load_aliases()
    seen: dict[tuple, int] = {}
    by_permit: dict[str, tuple[tuple, int]] = {}
    for line_no, rec in enumerate(reader, start=2):
        raw = lines[line_no - 1]
        if not any(c.strip() for c in rec):
            continue
        fl.received += 1
        if missing:
            quarantine(line_no, raw, "missing_column", f"whole file: no column for {', '.join(missing)} "
                                                       f"(headers: {header})")
            continue
        cells = {col: _clean(rec[i]) if i < len(rec) else "" for i, col in columns.items()}
        try:
            row = _typed(cells, aliases)
        except RowError as e:
            quarantine(line_no, raw, e.rule, e.reason)
            continue
        content = tuple(sorted((k, v) for k, v in row.items() if k not in ("county_raw", "credit_code_raw")))
        if content in seen:
            fl.duplicates += 1
            res.duplicate_lines.append(line_no)
            continue
        pn = row["permit_no"]
        if pn in by_permit:
            quarantine(line_no, raw, "conflicting_permit_no",
                       f"permit {pn} already read on line {by_permit[pn][1]} with other content")
            continue
        seen[content] = line_no
        by_permit[pn] = (content, line_no)
        for f in (row["dq_flags"] or "").split(","):
            if f:
                res.flags[f] = res.flags.get(f, 0) + 1
        res.rows.append({"load_id": load_id, "source_file": rel, "line_no": line_no, "source_record_id": pn, **row})
        fl.loaded += 1
    fl.quarantined = len(res.quarantine)
    fl.finished_at = datetime.now()
    return res


def _typed(cells: dict[str, str], aliases: dict[str, str]) -> dict:
    flags = []
    permit_no = re.sub(r"\s+", "", cells.get("permit_no", "")).upper()
    name = cells.get("name", "")
    if not permit_no:
        raise RowError("missing_value", "the permit number is blank")
    if not name:
        raise RowError("missing_value", "the unit name is blank")
    region = cells.get("region", "")
    county = areas.county_code(region, aliases)
    if county is None:
        raise RowError("unknown_county", f"address {region!r} names no county of Zhaotong in "
                                         "dbt_project/seeds/county_aliases.csv")
    category = cells.get("management_category", "")
    if category not in CATEGORIES:
        raise RowError("unknown_category", f"management category {category!r} is not one of {', '.join(CATEGORIES)}")
    issued = parse_date(cells.get("issued_on"), "issue date")
    if issued is None:
        raise RowError("missing_value", "the issue date is blank")
    validity = cells.get("validity", "")
    valid_from = valid_to = None
    if validity:
        parts = re.split(r"至|~|－|—", validity)
        if len(parts) != 2:
            raise RowError("bad_date", f"validity {validity!r} is not 'date至date'")
        valid_from, valid_to = parse_date(parts[0], "validity start"), parse_date(parts[1], "validity end")
    status = STATUSES.get(cells.get("status", "") or "有效")
    if status is None:
        raise RowError("unknown_status", f"status {cells.get('status')!r} is not 有效 or 注销")
    revoked = parse_date(cells.get("revoked_on"), "revocation date")
    raw_code = cells.get("credit_code", "")
    code = re.sub(r"\s+", "", raw_code).upper()
    problem = uscc.problem(code)
    if problem:
        flags.append("missing_credit_code" if not code else "invalid_credit_code")
    embedded = permit_no[:18] if len(permit_no) >= 18 and uscc.is_valid(permit_no[:18]) else None
    if embedded is None:
        flags.append("permit_no_without_credit_code")
    elif not problem and embedded != code:
        flags.append("permit_no_code_differs")
    return {
        "permit_no": permit_no, "credit_code": None if problem else code, "credit_code_raw": raw_code or None,
        "credit_code_problem": problem, "permit_credit_code": embedded, "name": name, "county_code": county,
        "county_raw": region, "industry_name": cells.get("industry_name") or None, "management_category": category,
        "issuing_authority": cells.get("issuing_authority") or None, "issued_on": issued, "valid_from": valid_from,
        "valid_to": valid_to, "status": status, "revoked_on": revoked, "dq_flags": ",".join(flags) or None,
    }


def exports(home: Home) -> list[Path]:
    root = home.landing / "permits" / "exports"
    return sorted(root.glob("*.csv")) if root.exists() else []


def load_permits(home: Home, load_id: str) -> list[ExportLoad]:
    """Load every export under landing/permits/exports/ (each replaces its own partition)."""
    out = []
    for path in exports(home):
        res = read_export(home, path, load_id)
        part = f"export_date={res.export_date.isoformat()}"
        replace_partition(home.lake / "permits" / "permit_list" / part, "permit_list.parquet",
                          pa.Table.from_pylist(res.rows, schema=SCHEMA))
        replace_partition(home.quarantine / "permits" / "permit_list" / part, "quarantine.parquet",
                          pa.Table.from_pylist(res.quarantine, schema=QUARANTINE_SCHEMA))
        out.append(res)
    return out
