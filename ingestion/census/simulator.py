"""The second national pollution-source census (第二次全国污染源普查) delivery, as the city receives it.

The census (base year 2017) reached the city as a one-off bulk delivery of xlsx workbooks exported
from the census software and reworked by the county census offices. This simulator writes that
delivery to ``landing/census/delivery-2019/`` from the world's enterprises that existed on
2017-12-31:

- ``工业污染源.xlsx``: the industrial sources, in two batches (sheets 工业企业（一）/（二）) whose
  column order, bracket style and units differ (VOCs in 吨 or 千克, wastewater in 万立方米 or
  立方米, heavy metals in 千克 or 克, general solid waste in 万吨 or 吨), and a 填表说明 sheet;
- ``集中式污染治理设施.xlsx``: sewage plants and hazardous-waste disposal plants (the world's
  enterprises of classes 4620 and 7724), with a three-row header (group / pollutant / unit);
- ``农业污染源.xlsx`` and ``生活污染源.xlsx``: county-level tables.

Every sheet has a title, a two- or three-row header with merged cells, a column-number row
(甲 乙 … 1 2 …), a 合计 row and a signature footer. Cells carry the faults of real deliveries:
numbers stored as text (some with thousands separators or full-width digits), county names in
variant spellings (昭阳, 昭阳区, Zhaoyang, 530602, 水富县 …), industry codes that lost their
leading zero, duplicated enterprises, malformed credit codes (wrong check character, 17 characters,
letter O for zero), a value that is not a number and a county nobody can resolve.

The truth goes to ``world/``: ``census_defects.csv`` (workbook, sheet, row, kind, what the reader
must do, true_id) and ``census_truth.csv`` (every record → true_id and its values in the schema's
units), so tests can score the reader and the matching.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.styles import Alignment, Font

from ingestion.common import uscc
from ingestion.common.home import Home
from ingestion.simulate.enterprises import Enterprise, enterprises, load_industries
from ingestion.simulate.world import County, WorldConfig, load_counties, rng

DELIVERY = "delivery-2019"
BASE_DAY = date(2017, 12, 31)           # census base year: enterprises that existed at its end
FIELD_DAY = date(2018, 6, 30)           # permit numbers the census takers could see
EXPORTED = datetime(2019, 3, 28, 9, 30)  # docProps and zip entry times: the same bytes on every run
CENTRALIZED_INDUSTRIES = {"4620": "污水处理厂", "7724": "危险废物集中处置厂"}
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
DEFECT_COLUMNS = ["workbook", "sheet", "row", "kind", "expected", "true_id", "detail"]
TRUTH_COLUMNS = ["source_record_id", "table", "workbook", "sheet", "row", "true_id", "county_code", "expected",
                 "values"]


@dataclass(frozen=True)
class Col:
    """One column of a sheet layout: header levels, the record field and the cell's unit factor."""

    levels: tuple[str, ...]
    field: str
    factor: float = 1.0     # schema value = cell value x factor
    decimals: int = 3


def _c(levels: str, fld: str, factor: float = 1.0, decimals: int = 3) -> Col:
    return Col(tuple(levels.split("|")), fld, factor, decimals)


INDUSTRIAL_1 = [
    _c("序号", "seq"), _c("统一社会信用代码", "credit_code"), _c("单位详细名称", "name"), _c("所在区县", "county"),
    _c("行业类别|代码", "industry_code"), _c("行业类别|名称", "industry_name"),
    _c("地理坐标|经度（度）", "longitude", 1, 5), _c("地理坐标|纬度（度）", "latitude", 1, 5),
    _c("排污许可证编号", "permit_no"),
    _c("水污染物|废水排放量（万立方米）", "wastewater_m3", 10000, 4),
    _c("水污染物|化学需氧量排放量（吨）", "cod_t"), _c("水污染物|氨氮排放量（吨）", "nh3n_t"),
    _c("大气污染物|二氧化硫排放量（吨）", "so2_t"), _c("大气污染物|氮氧化物排放量（吨）", "nox_t"),
    _c("大气污染物|颗粒物排放量（吨）", "particulates_t"), _c("大气污染物|挥发性有机物排放量（吨）", "vocs_t"),
    _c("重金属|重金属排放量（千克）", "heavy_metals_kg"),
    _c("工业固体废物|一般工业固体废物产生量（万吨）", "general_solid_waste_t", 10000, 4),
    _c("工业固体废物|危险废物产生量（吨）", "hazardous_waste_t"),
]
INDUSTRIAL_2 = [
    _c("序号", "seq"), _c("区县", "county"), _c("单位详细名称", "name"), _c("统一社会信用代码", "credit_code"),
    _c("行业类别|代码", "industry_code"), _c("行业类别|名称", "industry_name"), _c("排污许可证编号", "permit_no"),
    _c("地理坐标|经度(度)", "longitude", 1, 5), _c("地理坐标|纬度(度)", "latitude", 1, 5),
    _c("水污染物|废水排放量(立方米)", "wastewater_m3", 1, 0),
    _c("水污染物|化学需氧量排放量(吨)", "cod_t"), _c("水污染物|氨氮排放量(吨)", "nh3n_t"),
    _c("大气污染物|二氧化硫排放量(吨)", "so2_t"), _c("大气污染物|氮氧化物排放量(吨)", "nox_t"),
    _c("大气污染物|颗粒物排放量(吨)", "particulates_t"), _c("大气污染物|挥发性有机物排放量(千克)", "vocs_t", 0.001, 0),
    _c("重金属|重金属排放量(克)", "heavy_metals_kg", 0.001, 0),
    _c("工业固体废物|一般工业固体废物产生量(吨)", "general_solid_waste_t", 1, 0),
    _c("工业固体废物|危险废物产生量(吨)", "hazardous_waste_t"),
]
SEWAGE = [
    _c("序号", "seq"), _c("统一社会信用代码", "credit_code"), _c("单位名称", "name"), _c("区县", "county"),
    _c("污染物排放量|废水排放量|万立方米", "wastewater_m3", 10000, 4),
    _c("污染物排放量|化学需氧量|吨", "cod_t"), _c("污染物排放量|氨氮|吨", "nh3n_t"),
    _c("污染物排放量|总氮|吨", "tn_t"), _c("污染物排放量|总磷|吨", "tp_t"),
]
HW_PLANTS = [
    _c("序号", "seq"), _c("统一社会信用代码", "credit_code"), _c("单位名称", "name"), _c("区县", "county"),
    _c("污染物排放量|二氧化硫|吨", "so2_t"), _c("污染物排放量|氮氧化物|吨", "nox_t"),
    _c("污染物排放量|颗粒物|吨", "particulates_t"), _c("污染物排放量|重金属|千克", "heavy_metals_kg"),
]
AGRICULTURE = [
    _c("区县", "county"),
    _c("种植业|总氮（吨）", "crop_tn_t"), _c("种植业|总磷（吨）", "crop_tp_t"),
    _c("畜禽养殖业|化学需氧量（吨）", "livestock_cod_t"), _c("畜禽养殖业|氨氮（吨）", "livestock_nh3n_t"),
    _c("畜禽养殖业|总氮（吨）", "livestock_tn_t"), _c("畜禽养殖业|总磷（吨）", "livestock_tp_t"),
    _c("水产养殖业|化学需氧量（吨）", "aquaculture_cod_t"), _c("水产养殖业|氨氮（吨）", "aquaculture_nh3n_t"),
    _c("水产养殖业|总氮（吨）", "aquaculture_tn_t"), _c("水产养殖业|总磷（吨）", "aquaculture_tp_t"),
]
DOMESTIC = [
    _c("区县", "county"), _c("城镇常住人口（万人）", "urban_population", 10000, 2),
    _c("水污染物|废水排放量（万立方米）", "wastewater_m3", 10000, 2),
    _c("水污染物|化学需氧量（吨）", "cod_t", 1, 1), _c("水污染物|氨氮（吨）", "nh3n_t", 1, 1),
    _c("水污染物|总氮（吨）", "tn_t", 1, 1), _c("水污染物|总磷（吨）", "tp_t", 1, 2),
    _c("大气污染物|二氧化硫（吨）", "so2_t", 1, 1), _c("大气污染物|氮氧化物（吨）", "nox_t", 1, 1),
    _c("大气污染物|颗粒物（吨）", "particulates_t", 1, 1), _c("大气污染物|挥发性有机物（吨）", "vocs_t", 1, 1),
]
TEXT_FIELDS = {"seq", "credit_code", "name", "county", "industry_code", "industry_name", "permit_no"}
# Schema precision of each delivered quantity: the coarsest any layout writes, so every layout of a
# record reads back to the same value (万立方米 with 4 decimals is 1 m3; 万吨 with 4 decimals is 1 t).
QUANTUM = {"wastewater_m3": 0, "general_solid_waste_t": 0, "heavy_metals_kg": 3, "longitude": 5, "latitude": 5}


@dataclass
class Row:
    """A row to write: its record (schema values) or raw cells, and what the truth says about it."""

    record: dict[str, Any]
    table: str = ""
    true_id: str = ""
    county_code: str = ""
    expected: str = "loaded"
    defects: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, expected, detail)
    overrides: dict[str, Any] = field(default_factory=dict)             # field → cell value as written
    blank: bool = False


@dataclass
class Sheet:
    title: str
    subtitle: str
    columns: list[Col]
    rows: list[Row]


def census_population(cfg: WorldConfig) -> list[Enterprise]:
    """The enterprises the census covered: those that existed on 2017-12-31."""
    return [e for e in enterprises(cfg) if e.existed_on(BASE_DAY)]


def _q(fld: str, v: float) -> float:
    return round(float(v), QUANTUM.get(fld, 3))


def enterprise_record(e: Enterprise, industry_names: dict[str, str]) -> dict[str, Any]:
    """The census's values of an enterprise, in the schema's units (t, kg, m3)."""
    em = e.emissions_2017
    rec: dict[str, Any] = {
        "credit_code": e.credit_code, "name": e.name, "county_code": e.county_code,
        "industry_code": e.industry_code, "industry_name": industry_names[e.industry_code],
        "longitude": e.longitude, "latitude": e.latitude,
        "permit_no": e.permit_no if e.permit_issued is not None and e.permit_issued <= FIELD_DAY else None,
    }
    if e.industry_code == "4620":  # sewage plant: treated water at ~30 mg/L COD
        rec.update(wastewater_m3=em["cod_t"] / 30e-6, cod_t=em["cod_t"], nh3n_t=em["nh3n_t"],
                   tn_t=em["nh3n_t"] * 1.8, tp_t=em["cod_t"] * 0.01)
    elif e.industry_code == "7724":
        rec.update(so2_t=em["so2_t"], nox_t=em["nox_t"], particulates_t=em["pm_t"], heavy_metals_kg=em["hm_kg"])
    else:  # industrial effluent at ~80 mg/L COD
        rec.update(wastewater_m3=em["cod_t"] / 80e-6, cod_t=em["cod_t"], nh3n_t=em["nh3n_t"], so2_t=em["so2_t"],
                   nox_t=em["nox_t"], particulates_t=em["pm_t"], vocs_t=em["vocs_t"], heavy_metals_kg=em["hm_kg"],
                   general_solid_waste_t=em["isw_t"], hazardous_waste_t=em["hw_t"])
    return {k: (_q(k, v) if isinstance(v, float) else v) for k, v in rec.items()}


def _blank_zeros(r: np.random.Generator, rec: dict[str, Any]) -> dict[str, Any]:
    """Census offices leave half of the zero quantities empty (or "—"): those read back as NULL."""
    for k, v in rec.items():
        if k not in IDENTITY_FIELDS and v == 0 and r.random() < 0.5:
            rec[k] = None
    return rec


def _county_variant(r: np.random.Generator, c: County) -> tuple[Any, bool]:
    """A spelling of the county as a census office wrote it; True when it is not the official name."""
    u = r.random()
    if c.county_code == "530681" and u < 0.25:
        return "水富县", True  # a county until 2018: older forms still say so
    if u < 0.55:
        return c.name_zh, False
    if u < 0.7:
        return c.name_zh[:-1], True
    if u < 0.8:
        return c.name_en, True
    if u < 0.85:
        suffix = {"区": "District", "县": "County", "市": "City"}[c.name_zh[-1]]
        return f"{c.name_en} {suffix}", True
    if u < 0.95:
        return int(c.county_code), True   # a number cell
    return c.county_code, True


def _number_cell(r: np.random.Generator, v: float, decimals: int) -> tuple[Any, str | None]:
    """The cell for a number; sometimes text the way spreadsheets end up with it."""
    x = round(v, decimals)
    if decimals == 0:
        x = int(x)
    u = r.random()
    if u >= 0.08:
        return x, None
    text = f"{x:.{decimals}f}" if decimals else str(x)
    k = r.random()
    if k < 0.15 and abs(x) >= 1000:
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
        return text, "thousands separator"
    if k < 0.25:
        return text.translate(FULLWIDTH), "full-width digits"
    if k < 0.4:
        return f" {text} ", "padded text"
    return text, "text"


def _render(r: np.random.Generator, cols: list[Col], row: Row, seq: int, counties: dict[str, County]) -> list[Any]:
    cells: list[Any] = []
    texts: list[str] = []
    for col in cols:
        if col.field in row.overrides:
            cells.append(row.overrides[col.field])
            continue
        if col.field == "seq":
            cells.append(seq)
        elif col.field == "county":
            v, variant = _county_variant(r, counties[row.record["county_code"]])
            cells.append(v)
            if variant:
                row.defects.append(("county_variant", "loaded", f"{v!r} for {row.record['county_code']}"))
        elif col.field == "industry_code":
            code = row.record.get("industry_code")
            if code and code.startswith("0") and r.random() < 0.5:
                cells.append(int(code))
                row.defects.append(("industry_code_as_number", "loaded", f"{int(code)} for {code}"))
            else:
                cells.append(code)
        elif col.field in TEXT_FIELDS:
            cells.append(row.record.get(col.field))
        else:
            v = row.record.get(col.field)
            if v is None:
                cells.append(None if r.random() < 0.5 else "—")
            else:
                cell, how = _number_cell(r, v / col.factor, col.decimals)
                cells.append(cell)
                if how:
                    texts.append(f"{col.levels[-1]} as {how}")
    if texts:
        row.defects.append(("number_as_text", "loaded", "; ".join(texts)))
    return cells


# -- workbook writing -------------------------------------------------------------------------------

def _write_header(ws, cols: list[Col], top: int) -> int:
    """Multi-row header with merged cells; returns the last header row."""
    depth = max(len(c.levels) for c in cols)
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for level in range(depth):
        i = 0
        while i < len(cols):
            c = cols[i]
            if len(c.levels) <= level:
                i += 1
                continue
            j = i
            while (j + 1 < len(cols) and len(cols[j + 1].levels) > level
                   and cols[j + 1].levels[: level + 1] == c.levels[: level + 1] and len(c.levels) > level + 1):
                j += 1
            cell = ws.cell(top + level, i + 1, c.levels[level])
            cell.font, cell.alignment = bold, centre
            if j > i:
                ws.merge_cells(start_row=top + level, start_column=i + 1, end_row=top + level, end_column=j + 1)
            elif len(c.levels) == level + 1 and level + 1 < depth:
                ws.merge_cells(start_row=top + level, start_column=i + 1, end_row=top + depth - 1, end_column=i + 1)
            i = j + 1
    return top + depth - 1


def _column_numbers(cols: list[Col]) -> list[str | int]:
    stems = "甲乙丙丁戊己庚辛壬癸"
    out: list[str | int] = []
    k = n = 0
    for c in cols:
        if c.field in TEXT_FIELDS:
            out.append(stems[k] if k < len(stems) else "")
            k += 1
        else:
            n += 1
            out.append(n)
    return out


def _save(wb: openpyxl.Workbook, path: Path) -> None:
    """Save with fixed timestamps so the same world writes the same bytes."""
    wb.properties.created = EXPORTED
    buf = io.BytesIO()
    wb.save(buf)
    stamp = EXPORTED.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\2", data)
            zi = zipfile.ZipInfo(info.filename, date_time=EXPORTED.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)


def write_workbook(path: Path, sheets: list[Sheet], r: np.random.Generator, counties: dict[str, County],
                   notes: list[str] | None = None) -> list[tuple[Sheet, Row, int]]:
    """Write the sheets; returns every data row with its sheet and row number."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if notes:
        ws = wb.create_sheet("填表说明")
        for i, line in enumerate(notes, start=1):
            ws.cell(i, 1, line)
        ws.column_dimensions["A"].width = 100
    written = []
    for sh in sheets:
        ws = wb.create_sheet(sh.title)
        width = len(sh.columns)
        ws.cell(1, 1, f"第二次全国污染源普查{sh.title}汇总表").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(2, 1, sh.subtitle)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        last = _write_header(ws, sh.columns, 3)
        for j, v in enumerate(_column_numbers(sh.columns), start=1):
            ws.cell(last + 1, j, v)
        row_no = last + 2
        seq = 0
        totals = [0.0] * width
        for row in sh.rows:
            if row.blank:
                row_no += 1
                continue
            seq += 1
            cells = _render(r, sh.columns, row, seq, counties)
            for j, v in enumerate(cells, start=1):
                ws.cell(row_no, j, v)
                if isinstance(v, int | float) and sh.columns[j - 1].field not in TEXT_FIELDS and \
                        sh.columns[j - 1].field not in ("longitude", "latitude"):
                    totals[j - 1] += v
            written.append((sh, row, row_no))
            row_no += 1
        ws.cell(row_no, 1, "合计")
        for j, t in enumerate(totals, start=1):
            if t:
                ws.cell(row_no, j, round(t, sh.columns[j - 1].decimals))
        ws.cell(row_no + 2, 1, "单位负责人：　　　　统计负责人：　　　　填表人：　　　　报出日期：2019年3月28日")
        for j in range(1, width + 1):
            ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width = 14
    _save(wb, path)
    return written


# -- the delivery -----------------------------------------------------------------------------------

@dataclass
class Delivery:
    files: list[Path]
    records: int
    defects: list[dict]
    truth: list[dict]


def _pick(r: np.random.Generator, pool: list[int], taken: set[int], cond: Callable[[int], bool] | None = None) -> int | None:
    choices = [i for i in pool if i not in taken and (cond is None or cond(i))]
    if not choices:
        return None
    k = choices[int(r.integers(len(choices)))]
    taken.add(k)
    return k


def _malformed(kind: str, code: str) -> str:
    if kind == "credit_code_check_char":
        wrong = uscc.ALPHABET[(uscc.VALUE[code[17]] + 7) % 31]
        return code[:17] + wrong
    if kind == "credit_code_17_chars":
        return code[:10] + code[11:]
    # letter O typed for a zero (O is not in the GB 32100 alphabet)
    pos = code.find("0", 8)
    pos = pos if pos >= 0 else code.find("0")
    return code[:pos] + "O" + code[pos + 1:]


def build_delivery(cfg: WorldConfig, home: Home) -> Delivery:
    counties_list = load_counties()
    counties = {c.county_code: c for c in counties_list}
    order = {c.county_code: i for i, c in enumerate(counties_list)}
    industry_names = {i.code: i.name_zh for i in load_industries()}
    pop = census_population(cfg)
    r = rng(cfg, 30)
    root = home.landing / "census" / DELIVERY

    industrial = sorted((e for e in pop if e.industry_code not in CENTRALIZED_INDUSTRIES),
                        key=lambda e: (order[e.county_code], e.credit_code))
    rows = {e.true_id: Row(_blank_zeros(r, enterprise_record(e, industry_names)), "industrial_sources", e.true_id,
                           e.county_code)
            for e in industrial}
    batch1 = [rows[e.true_id] for e in industrial if order[e.county_code] < 5]
    batch2 = [rows[e.true_id] for e in industrial if order[e.county_code] >= 5]

    # Identity defects on distinct enterprises.
    idx = list(range(len(industrial)))
    taken: set[int] = set()
    for kind in ("credit_code_check_char", "credit_code_17_chars", "credit_code_letter_o") * cfg.size * 2:
        k = _pick(r, idx, taken, (lambda i: "0" in industrial[i].credit_code) if kind.endswith("_o") else None)
        if k is None:
            continue
        row = rows[industrial[k].true_id]
        bad = _malformed(kind, row.record["credit_code"])
        row.overrides["credit_code"] = bad
        row.expected = "loaded_flagged"
        row.defects.append((kind, "loaded_flagged", f"{bad!r} for {row.record['credit_code']}"))
    k = _pick(r, idx, taken)
    if k is not None:
        row = rows[industrial[k].true_id]
        row.overrides["cod_t"] = "见附表"
        row.expected = "quarantined"
        row.defects.append(("unreadable_number", "quarantined", "COD cell says 见附表 (see the annex)"))
    k = _pick(r, idx, taken, lambda i: industrial[i].county_code == "530602")
    if k is not None:
        row = rows[industrial[k].true_id]
        row.overrides["county"] = "昭扬区"
        row.expected = "quarantined"
        row.defects.append(("unknown_county", "quarantined", "昭扬区 is a typo of 昭阳区"))
    with_permit = [i for i in idx if rows[industrial[i].true_id].record["permit_no"]]
    k = _pick(r, idx, taken, lambda i: not rows[industrial[i].true_id].record["permit_no"])
    other = _pick(r, with_permit, set(taken))
    if k is not None and other is not None:
        row = rows[industrial[k].true_id]
        wrong = rows[industrial[other].true_id].record["permit_no"]
        row.overrides["permit_no"] = wrong
        row.defects.append(("wrong_permit_no", "loaded", f"carries {wrong}, the permit of {industrial[other].true_id}"))

    # Duplicates: a copied row right below the original, a record re-entered in the other batch,
    # and a near-duplicate (the same enterprise re-entered with a space in its name).
    extra1: list[tuple[int, Row]] = []
    extra2: list[Row] = []
    for _ in range(cfg.size):
        k = _pick(r, idx, taken, lambda i: order[industrial[i].county_code] < 5)
        if k is not None:
            src = rows[industrial[k].true_id]
            dup = Row(dict(src.record), src.table, src.true_id, src.county_code, "duplicate")
            dup.defects.append(("duplicate_row", "duplicate", "copied right below the original"))
            extra1.append((batch1.index(src), dup))
        k = _pick(r, idx, taken)
        if k is not None:
            src = rows[industrial[k].true_id]
            dup = Row(dict(src.record), src.table, src.true_id, src.county_code, "duplicate")
            dup.defects.append(("duplicate_row", "duplicate", "the same record again in the other batch"))
            (extra2.append(dup) if order[src.county_code] < 5 else extra1.append((len(batch1) - 1, dup)))
        k = _pick(r, idx, taken)
        if k is not None:
            src = rows[industrial[k].true_id]
            name = src.record["name"]
            near = Row({**src.record, "name": name[:4] + "　" + name[4:]}, src.table, src.true_id, src.county_code)
            near.defects.append(("near_duplicate", "loaded", "re-entered with a space in the name: same credit code"))
            extra2.append(near)
    for pos, dup in sorted(extra1, key=lambda t: -t[0]):
        batch1.insert(pos + 1, dup)
    batch2 = batch2[: len(batch2) // 2] + [Row({}, blank=True)] + batch2[len(batch2) // 2:] + extra2

    subtitle = "普查年度：2017年　　　行政区划：云南省昭通市　　　计量单位：见表头"
    notes = ["填表说明", "1. 本表由昭通市第二次全国污染源普查领导小组办公室汇总。",
             "2. 排放量为2017年全年数据，计量单位见各栏表头。", "3. “—”表示该项不适用或无数据。"]
    files, written = [], []
    for workbook, sheets, note in [
        ("工业污染源.xlsx", [Sheet("工业企业（一）", subtitle, INDUSTRIAL_1, batch1),
                            Sheet("工业企业（二）", subtitle, INDUSTRIAL_2, batch2)], notes),
        ("集中式污染治理设施.xlsx", _centralized_sheets(r, pop, industry_names, order, subtitle), None),
        ("农业污染源.xlsx", [_county_sheet(cfg, "农业源", AGRICULTURE, counties_list, subtitle, 32)], None),
        ("生活污染源.xlsx", [_county_sheet(cfg, "生活源", DOMESTIC, counties_list, subtitle, 33)], None),
    ]:
        path = root / workbook
        files.append(path)
        written += [(workbook, sheet, row, row_no) for sheet, row, row_no in write_workbook(path, sheets, r, counties,
                                                                                             note)]

    defects, truth = [], []
    for workbook, sh, row, row_no in written:
        sheet = sh.title
        stem = Path(workbook).stem
        rec_id = f"{DELIVERY}/{stem}/{sheet}/{row_no}"
        for kind, expected, detail in row.defects:
            if row.expected in ("quarantined", "duplicate"):  # the row's fate decides for all its cells
                expected = row.expected
            defects.append({"workbook": workbook, "sheet": sheet, "row": row_no, "kind": kind, "expected": expected,
                            "true_id": row.true_id, "detail": detail})
        fields = {c.field for c in sh.columns}
        values = {k: v for k, v in row.record.items() if k not in IDENTITY_FIELDS and k in fields}
        truth.append({"source_record_id": rec_id, "table": row.table, "workbook": workbook, "sheet": sheet,
                      "row": row_no, "true_id": row.true_id, "county_code": row.county_code,
                      "expected": row.expected, "values": json.dumps(values, ensure_ascii=False, sort_keys=True)})
    return Delivery(files, len(truth), defects, truth)


IDENTITY_FIELDS = ("credit_code", "name", "county_code", "industry_code", "industry_name", "permit_no")


def _centralized_sheets(r: np.random.Generator, pop: list[Enterprise], industry_names: dict[str, str],
                        order: dict[str, int], subtitle: str) -> list[Sheet]:
    sheets = []
    for code, title in CENTRALIZED_INDUSTRIES.items():
        members = sorted((e for e in pop if e.industry_code == code), key=lambda e: (order[e.county_code], e.credit_code))
        rows = [Row(_blank_zeros(r, enterprise_record(e, industry_names)), "centralized_facilities", e.true_id,
                    e.county_code)
                for e in members]
        sheets.append(Sheet(title, subtitle, SEWAGE if code == "4620" else HW_PLANTS, rows))
    return sheets


# County-level 2017 loads of a typical county (t/yr; population in persons), scaled per county.
AGRI_BASE = {"crop_tn_t": 900, "crop_tp_t": 110, "livestock_cod_t": 9000, "livestock_nh3n_t": 180,
             "livestock_tn_t": 700, "livestock_tp_t": 120, "aquaculture_cod_t": 150, "aquaculture_nh3n_t": 8,
             "aquaculture_tn_t": 25, "aquaculture_tp_t": 4}
DOMESTIC_BASE = {"urban_population": 180000, "wastewater_m3": 9_000_000, "cod_t": 3200, "nh3n_t": 420,
                 "tn_t": 560, "tp_t": 48, "so2_t": 900, "nox_t": 160, "particulates_t": 1300, "vocs_t": 700}
COUNTY_WEIGHT = [2.6, 1.1, 1.2, 0.9, 0.7, 1.0, 0.4, 2.8, 1.4, 0.9, 0.6]


def _county_sheet(cfg: WorldConfig, title: str, cols: list[Col], counties: list[County], subtitle: str,
                  stream: int) -> Sheet:
    base = AGRI_BASE if cols is AGRICULTURE else DOMESTIC_BASE
    table = "agricultural_sources" if cols is AGRICULTURE else "domestic_sources"
    rows = []
    for i, c in enumerate(counties):
        r = rng(cfg, stream, i)
        rec: dict[str, Any] = {"county_code": c.county_code}
        for col in cols[1:]:
            v = base[col.field] * COUNTY_WEIGHT[i] * float(r.lognormal(0, 0.15))
            rec[col.field] = round(round(v / col.factor, col.decimals) * col.factor, 6)
        rows.append(Row(rec, table, "", c.county_code))
    return Sheet(title, subtitle, cols, rows)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Write the census delivery (unless it is already there: landing is immutable) and its truth."""
    root = home.landing / "census" / DELIVERY
    existed = root.exists() and any(root.glob("*.xlsx"))
    scratch = home.root / "tmp" / "census-delivery" if existed else None
    target = Home(scratch) if scratch else home
    d = build_delivery(cfg, target)
    if scratch:  # the delivery exists: keep it, only refresh the truth (the same world writes the same)
        import shutil
        shutil.rmtree(scratch, ignore_errors=True)
    _write_csv(home.world / "census_defects.csv", DEFECT_COLUMNS, d.defects)
    _write_csv(home.world / "census_truth.csv", TRUTH_COLUMNS, d.truth)
    kinds: dict[str, int] = {}
    for x in d.defects:
        kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
    return {"workbooks": len(d.files), "records": d.records, "written": not existed, "defects": kinds}
