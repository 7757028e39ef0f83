"""The national discharge-permit list (全国排污许可证管理信息平台, 信息公开) as the bureau exports it.

The public side of the permit platform lists every permit (重点管理 / 简化管理) and registration
(登记管理) of an area; staff export the list for the city as CSV. The simulator writes that export
for the world's last day, ``landing/permits/exports/permit-list-YYYYMMDD.csv``, the way the platform
produces it: GBK-encoded, CRLF, Chinese headers, newest permits first, the address as one text
(云南省昭通市昭阳区, sometimes with dashes or the old 水富县), and names spelled the platform's way:
有限公司 for 有限责任公司 and back, ASCII brackets for full-width ones, spaces, the place prefix written
the other way (昭通… for 昭阳…); the credit code is
blank for some rows (the permit number still embeds it: credit code + 3 digits + P for a permit,
W for a registration).

Faults it carries on purpose (``world/permits_defects.csv``): rows repeated where the export's pages
overlap, an address that names only the city, an impossible issue date, and enterprises that
re-registered after a restructuring (改制) and hold a permit under a *new* credit code — the same
enterprise (``true_id``) with two valid codes, which only a person can confirm. ``world/permits_truth.csv``
maps every row to its enterprise.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ingestion.common import uscc
from ingestion.common.home import Home
from ingestion.simulate.enterprises import Enterprise, enterprises, load_industries
from ingestion.simulate.world import WorldConfig, load_counties, rng

COLUMNS = ["序号", "单位名称", "统一社会信用代码", "许可证编号", "所在地区", "行业类别", "管理类别", "发证机关",
           "发证日期", "有效期限", "状态", "注销日期"]
AUTHORITY = "昭通市生态环境局"
DEFECT_COLUMNS = ["file", "line", "kind", "expected", "true_id", "detail"]
TRUTH_COLUMNS = ["source_record_id", "line", "true_id", "expected"]


def export_path(home: Home, day: date) -> Path:
    return home.landing / "permits" / "exports" / f"permit-list-{day:%Y%m%d}.csv"


def platform_name(r: np.random.Generator, name: str, county_short: str = "") -> tuple[str, str | None]:
    """The enterprise's name as the permit platform spells it, and how it differs (None: the same).

    Most variants vanish under the warehouse's name normalisation (company form, brackets, spaces); the
    place prefix written the other way (昭阳… for 昭通…, registered before or after a move of the
    seat) does not: only the credit code or the permit number can link such a record.
    """
    u = r.random()
    if u < 0.08 and county_short:
        if name.startswith(county_short):
            return "昭通" + name[len(county_short):], "place prefix 昭通 for " + county_short
        if name.startswith("昭通"):
            return county_short + name[2:], f"place prefix {county_short} for 昭通"
        return name, None
    if u < 0.55:
        return name, None
    if u < 0.72:
        if name.endswith("有限责任公司"):
            return name[: -len("有限责任公司")] + "有限公司", "有限责任公司 → 有限公司"
        if name.endswith("有限公司") and not name.endswith("股份有限公司"):
            return name[: -len("有限公司")] + "有限责任公司", "有限公司 → 有限责任公司"
        return name, None
    if u < 0.84:
        k = 2 + int(r.integers(0, 3))
        space = " " if r.random() < 0.5 else "\u3000"
        return name[:k] + space + name[k:], "space inside"
    if u < 0.94:
        if "（" in name:
            return name.replace("（", "(").replace("）", ")"), "ASCII brackets"
        return " " + name + " ", "padded with spaces"
    return name, None


def region_text(r: np.random.Generator, county_code: str, counties: dict) -> tuple[str, str | None]:
    c = counties[county_code]
    name = "水富县" if county_code == "530681" and r.random() < 0.3 else c.name_zh
    u = r.random()
    if u < 0.7:
        return f"云南省昭通市{name}", None if name == c.name_zh else "old name 水富县"
    if u < 0.9:
        return f"云南省-昭通市-{name}", "dashes"
    return f"昭通市{name}", "no province"


@dataclass
class Line:
    e: Enterprise
    cells: dict[str, str]
    record_id: str
    expected: str = "loaded"


def build_export(cfg: WorldConfig) -> tuple[list[Line], list[dict]]:
    """The export's rows (before numbering) and the defects injected, for the world's last day."""
    day = cfg.end
    counties = {c.county_code: c for c in load_counties()}
    industry_names = {i.code: i.name_zh for i in load_industries()}
    r = rng(cfg, 40)
    permitted = [e for e in enterprises(cfg) if e.permit_issued is not None and e.permit_issued <= day]
    permitted.sort(key=lambda e: (e.permit_issued, e.permit_no), reverse=True)  # newest first
    defects: list[dict] = []
    lines: list[Line] = []
    recoded = {int(i) for i in r.choice(len(permitted), size=min(len(permitted), 2 * cfg.size), replace=False)} \
        if permitted else set()
    for k, e in enumerate(permitted):
        notes = []
        code = e.credit_code
        permit_no = e.permit_no
        if k in recoded:  # re-registered after restructuring: a new valid code, the same enterprise
            new_base = "MA" + "".join(uscc.ALPHABET[int(i)] for i in r.integers(0, 31, 6))
            code = uscc.make(e.county_code, new_base)
            permit_no = f"{code}{permit_no[18:]}"
            notes.append(("recoded_enterprise", "loaded", f"new credit code {code}, census knows {e.credit_code}"))
        name, how = platform_name(r, e.name, counties[e.county_code].name_zh[:-1])
        if how:
            notes.append(("name_variant", "loaded", how))
        region, rhow = region_text(r, e.county_code, counties)
        if rhow:
            notes.append(("region_variant", "loaded", rhow))
        shown_code = code
        if k not in recoded and r.random() < 0.15:
            shown_code = ""
            notes.append(("blank_credit_code", "loaded", "credit code left blank: the permit number embeds it"))
        elif r.random() < 0.03:
            shown_code = code.lower()
            notes.append(("lower_case_credit_code", "loaded", "credit code in lower case"))
        industry = industry_names[e.industry_code]
        if e.permit_category == "重点管理" and r.random() < 0.4:
            industry += "，锅炉"  # the platform lists every industry a permit covers
        issued = e.permit_issued
        closed = e.closed is not None and e.closed <= day
        cells = {
            "单位名称": name, "统一社会信用代码": shown_code, "许可证编号": permit_no, "所在地区": region,
            "行业类别": industry, "管理类别": e.permit_category,
            "发证机关": AUTHORITY if e.permit_category != "登记管理" else "",
            "发证日期": issued.isoformat(),
            "有效期限": f"{issued.isoformat()}至{(issued + timedelta(days=5 * 365 - 1)).isoformat()}",
            "状态": "注销" if closed else "有效", "注销日期": e.closed.isoformat() if closed else "",
        }
        line = Line(e, cells, permit_no)
        lines.append(line)
        for kind, expected, detail in notes:
            defects.append({"line": line, "kind": kind, "expected": expected, "true_id": e.true_id,
                            "detail": detail})
    if len(lines) > 10:
        # A row whose address names only the city, and an impossible issue date: quarantined.
        for kind, cell, value in (("unknown_county", "所在地区", "云南省昭通市"),
                                  ("bad_date", "发证日期", "2020-02-30")):
            line = lines[int(r.integers(0, len(lines)))]
            while line.expected != "loaded" or any(d["line"] is line and d["kind"] == "recoded_enterprise"
                                                   for d in defects):
                line = lines[int(r.integers(0, len(lines)))]
            line.cells[cell] = value
            if cell == "发证日期":
                line.cells["有效期限"] = "2020-02-30至2025-02-28"
            line.expected = "quarantined"
            defects.append({"line": line, "kind": kind, "expected": "quarantined", "true_id": line.e.true_id,
                            "detail": f"{cell} = {value}"})
        # Page overlap: the last rows of a page repeated at the top of the next one.
        for _ in range(2 * cfg.size):
            pos = int(r.integers(1, len(lines)))
            src = lines[pos - 1]
            if src.expected != "loaded":
                continue
            dup = Line(src.e, dict(src.cells), src.record_id, "duplicate")
            lines.insert(pos, dup)
            defects.append({"line": dup, "kind": "duplicate_line", "expected": "duplicate", "true_id": src.e.true_id,
                            "detail": "page overlap in the export"})
    return lines, defects


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Write the export of the world's last day (kept if already there) and its truth."""
    lines, defects = build_export(cfg)
    path = export_path(home, cfg.end)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    line_no = {}
    for i, line in enumerate(lines, start=1):
        w.writerow([i, *(line.cells[c] for c in COLUMNS[1:])])
        line_no[id(line)] = i + 1  # the header is line 1
    written = not path.exists()
    if written:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(buf.getvalue().encode("gbk"))
        tmp.replace(path)
    rel = path.relative_to(home.root).as_posix()
    home.world.mkdir(parents=True, exist_ok=True)
    with (home.world / "permits_defects.csv").open("w", encoding="utf-8", newline="") as f:
        dw = csv.DictWriter(f, fieldnames=DEFECT_COLUMNS)
        dw.writeheader()
        for d in defects:
            dw.writerow({**{k: v for k, v in d.items() if k != "line"}, "file": rel, "line": line_no[id(d["line"])]})
    with (home.world / "permits_truth.csv").open("w", encoding="utf-8", newline="") as f:
        tw = csv.DictWriter(f, fieldnames=TRUTH_COLUMNS)
        tw.writeheader()
        for line in lines:
            tw.writerow({"source_record_id": line.record_id, "line": line_no[id(line)], "true_id": line.e.true_id,
                         "expected": line.expected})
    kinds: dict[str, int] = {}
    for d in defects:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    return {"file": rel, "rows": len(lines), "written": written, "defects": kinds}
