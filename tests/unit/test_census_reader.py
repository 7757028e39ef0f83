"""The census reader on workbooks built here by hand, with every kind of defect a delivery carries.

Nothing comes from the simulator: the workbooks are written cell by cell below, so a fault shared by
the simulator and the reader cannot hide. Unit conversions are checked against numbers worked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from ingestion.census import reader
from ingestion.common.home import Home

VALID = "91530602MA6K5Q8X5M"  # built with uscc.make('530602', 'MA6K5Q8X'), checked below
O_CODE = VALID.replace("0", "O", 1)


def _header(ws, top: int, cols: list[tuple[str, ...]]) -> None:
    """Two-row header: a 1-tuple is merged down both rows; equal first parts are merged across."""
    i = 0
    while i < len(cols):
        c = cols[i]
        if len(c) == 1:
            ws.cell(top, i + 1, c[0])
            ws.merge_cells(start_row=top, start_column=i + 1, end_row=top + 1, end_column=i + 1)
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and len(cols[j + 1]) == 2 and cols[j + 1][0] == c[0]:
            j += 1
        ws.cell(top, i + 1, c[0])
        if j > i:
            ws.merge_cells(start_row=top, start_column=i + 1, end_row=top, end_column=j + 1)
        for k in range(i, j + 1):
            ws.cell(top + 1, k + 1, cols[k][1])
        i = j + 1


INDUSTRIAL = [("序号",), ("统一社会信用代码",), ("单位详细名称",), ("所在区县",), ("行业类别", "代码"),
              ("行业类别", "名称"), ("排污许可证编号",), ("水污染物", "废水排放量（万立方米）"),
              ("水污染物", "化学需氧量排放量（吨）"), ("水污染物", "氨氮排放量(吨)"),
              ("大气污染物", "挥发性有机物排放量（千克）"), ("重金属排放量（克）",),
              ("一般工业固体废物产生量（万吨）",)]
#        seq code  name  county  ind   indname  permit  ww      cod   nh3n        vocs  hm   isw
GOOD = [1, VALID, "昭通鑫源煤业有限公司", "昭阳", 610, "烟煤和无烟煤开采洗选", f"{VALID}001P",
        1.2345, 12.5, "1,234.5", 2500, 350, 0.0123]


def _row(seq, code=VALID, name="昭通鑫源煤业有限公司", county="昭阳", cod=12.5, nh3n="1,234.5"):
    return [seq, code, name, county, 610, "烟煤和无烟煤开采洗选", f"{VALID}001P", 1.2345, cod, nh3n, 2500, 350,
            0.0123]


def build_delivery(root: Path) -> Path:
    d = root / "landing" / "census" / "delivery-test"
    d.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "本表为测试用"

    ws = wb.create_sheet("工业企业（一）")
    ws["A1"] = "第二次全国污染源普查工业污染源汇总表"
    ws.merge_cells("A1:M1")
    ws["A2"] = "普查年度：2017年"
    _header(ws, 3, INDUSTRIAL)
    for j, v in enumerate(["甲", "乙", "丙", "丁", "戊", "己", "庚", 1, 2, 3, 4, 5, 6], start=1):
        ws.cell(5, j, v)
    rows = {
        6: _row(1),
        7: _row(2, county="Zhaoyang", cod="12.5"),                       # the same record: duplicate
        8: _row(3, code=VALID[:17] + "A", name="乙公司"),                 # wrong check character
        9: _row(4, code=VALID[:17], name="丙公司"),                       # 17 characters
        10: _row(5, code=O_CODE, name="丁公司"),                          # letter O
        11: _row(6, name="戊公司", cod="见附表"),                          # not a number
        12: _row(7, name="己公司", county="昭扬区"),                       # unknown county
        # 13 blank
        14: _row(8, name="庚公司", county=530681, cod="１２.５"),          # number county, full-width digits
        15: _row(9, name="辛公司", county="水富县", nh3n=-1),              # negative quantity
        16: ["合计", None, None, None, None, None, None, 9.9, 99.0],
        18: ["单位负责人：张三　　填表人：李四　　报出日期：2019年3月28日"],
    }
    for r, values in rows.items():
        for j, v in enumerate(values, start=1):
            ws.cell(r, j, v)

    ws2 = wb.create_sheet("工业企业（二）")  # the county column is missing: the whole sheet is unreadable
    _header(ws2, 1, [c for c in INDUSTRIAL if c != ("所在区县",)])
    for r in (3, 4):
        for j, v in enumerate([r - 2, VALID, "壬公司", 610], start=1):
            ws2.cell(r, j, v)

    ws3 = wb.create_sheet("工业企业（三）")  # a unit nobody declared: the whole sheet is unreadable
    _header(ws3, 1, [("序号",), ("统一社会信用代码",), ("单位名称",), ("区县",), ("化学需氧量排放量（升）",)])
    for j, v in enumerate([1, VALID, "癸公司", "巧家县", 5], start=1):
        ws3.cell(3, j, v)
    wb.save(d / "工业污染源.xlsx")

    # Three-row header: group / pollutant / unit, as the centralised-facility tables have it.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "污水处理厂"
    for col, text in enumerate(["序号", "统一社会信用代码", "单位名称", "区县"], start=1):
        ws.cell(3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=5, end_column=col)
    ws.cell(3, 5, "污染物排放量")
    ws.merge_cells("E3:G3")
    for col, (item, unit) in enumerate([("废水排放量", "万立方米"), ("化学需氧量", "吨"), ("重金属", "千克")], start=5):
        ws.cell(4, col, item)
        ws.cell(5, col, unit)
    for j, v in enumerate([1, VALID, "昭通水务有限公司", "Zhaoyang District", "2.5", 40.25, 0.5], start=1):
        ws.cell(6, j, v)
    wb.save(d / "集中式污染治理设施.xlsx")

    # A county-level table: the same county twice with other values.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "农业源"
    _header(ws, 3, [("区县",), ("畜禽养殖业", "化学需氧量（吨）"), ("畜禽养殖业", "氨氮（千克）")])
    for r, values in {5: ["昭阳区", 100, 2000], 6: ["鲁甸", 50, 500], 7: ["530602", 101, 2000],
                      8: ["合计", 150, 2500]}.items():
        for j, v in enumerate(values, start=1):
            ws.cell(r, j, v)
    wb.save(d / "农业污染源.xlsx")
    (d / "说明.xlsx").write_bytes((d / "农业污染源.xlsx").read_bytes())  # a workbook no table claims
    return d


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Home:
    h = Home(tmp_path_factory.mktemp("census")).ensure()
    build_delivery(h.root)
    return h


@pytest.fixture(scope="module")
def result(home: Home) -> reader.ReadResult:
    return reader.read_delivery(home, home.landing / "census" / "delivery-test", "load-1")


def issues_at(result: reader.ReadResult, sheet: str, row: int) -> list[reader.Issue]:
    return [i for i in result.issues if i.sheet == sheet and i.row == row]


def test_fixture_codes():
    from ingestion.common import uscc

    assert uscc.make("530602", "MA6K5Q8X") == VALID and uscc.is_valid(VALID)
    assert not uscc.is_valid(O_CODE)


def test_header_mapping_and_units_from_merged_headers(result):
    (sheet,) = [s for s in result.sheets if s.sheet == "工业企业（一）"]
    assert sheet.labels["cod_t"] == "水污染物/化学需氧量排放量(吨)"
    assert sheet.labels["credit_code"] == "统一社会信用代码"
    assert sheet.units == {"wastewater_m3": "万立方米", "cod_t": "吨", "nh3n_t": "吨", "vocs_t": "千克",
                           "heavy_metals_kg": "克", "general_solid_waste_t": "万吨"}
    assert sheet.unmapped_labels == ["序号"]
    (plant,) = [s for s in result.sheets if s.sheet == "污水处理厂"]
    assert plant.labels["cod_t"] == "污染物排放量/化学需氧量/吨" and plant.units["heavy_metals_kg"] == "千克"


def test_unit_conversions_worked_by_hand(result):
    first = next(r for r in result.records("industrial_sources") if r["row_no"] == 6)
    assert first["wastewater_m3"] == pytest.approx(12345.0)       # 1.2345 万立方米 x 10 000
    assert first["cod_t"] == pytest.approx(12.5)                   # 吨
    assert first["nh3n_t"] == pytest.approx(1234.5)                # "1,234.5" as text, 吨
    assert first["vocs_t"] == pytest.approx(2.5)                   # 2 500 千克 / 1 000
    assert first["heavy_metals_kg"] == pytest.approx(0.35)         # 350 克 / 1 000
    assert first["general_solid_waste_t"] == pytest.approx(123.0)  # 0.0123 万吨 x 10 000
    assert first["industry_code"] == "0610" and first["county_code"] == "530602"
    assert first["dq_flags"] == "industry_code_padded"
    assert first["source_record_id"] == "delivery-test/工业污染源/工业企业（一）/6"
    fullwidth = next(r for r in result.records("industrial_sources") if r["row_no"] == 14)
    assert fullwidth["cod_t"] == pytest.approx(12.5) and fullwidth["county_code"] == "530681"
    (plant,) = result.records("centralized_facilities")
    assert plant["wastewater_m3"] == pytest.approx(25000.0)        # "2.5" 万立方米 as text
    assert plant["cod_t"] == pytest.approx(40.25) and plant["heavy_metals_kg"] == pytest.approx(0.5)
    assert plant["county_code"] == "530602"
    lu = next(r for r in result.records("agricultural_sources") if r["county_code"] == "530621")
    assert lu["livestock_nh3n_t"] == pytest.approx(0.5)            # 500 千克


@pytest.mark.parametrize("row, raw, words", [
    (8, VALID[:17] + "A", "check character"),
    (9, VALID[:17], "17 characters"),
    (10, O_CODE, "'O'"),
])
def test_malformed_credit_codes_are_kept_with_a_flag(result, row, raw, words):
    (issue,) = [i for i in issues_at(result, "工业企业（一）", row) if i.rule == "invalid_credit_code"]
    assert issue.disposition == "flagged" and words in issue.reason
    rec = next(r for r in result.records("industrial_sources") if r["row_no"] == row)
    assert rec["credit_code"] is None and rec["credit_code_raw"] == raw
    assert words in rec["credit_code_problem"] and "invalid_credit_code" in rec["dq_flags"]


@pytest.mark.parametrize("row, rule, words", [
    (11, "bad_number", "化学需氧量排放量(吨): '见附表' is not a number"),
    (12, "unknown_county", "'昭扬区' is not a county"),
    (15, "negative_quantity", "氨氮排放量(吨) '-1' is negative"),
])
def test_unreadable_rows_are_quarantined_with_sheet_row_and_reason(result, row, rule, words):
    (issue,) = issues_at(result, "工业企业（一）", row)
    assert (issue.disposition, issue.rule) == ("quarantined", rule)
    assert words in issue.reason
    q = next(q for q in result.quarantine("industrial_sources") if q["line_no"] == row)
    assert q["sheet"] == "工业企业（一）" and q["source_file"].endswith("工业污染源.xlsx")
    assert q["reason"].startswith(f"{q['source_file']} sheet 工业企业（一） row {row}: ")
    assert json.loads(q["raw"])[0] == str(row - 5 if row < 13 else row - 6)  # 序号 as received


def test_duplicate_record_is_counted_not_loaded(result):
    (issue,) = issues_at(result, "工业企业（一）", 7)
    assert issue.disposition == "duplicate" and "row 6" in issue.reason
    assert 7 not in [r["row_no"] for r in result.records("industrial_sources")]


def test_sheet_level_faults_quarantine_every_record(result):
    (two,) = [s for s in result.sheets if s.sheet == "工业企业（二）"]
    assert {i.rule for i in two.issues} == {"missing_column"} and len(two.quarantine) == 2
    assert "required column county_code" in two.quarantine[0]["reason"]
    (three,) = [s for s in result.sheets if s.sheet == "工业企业（三）"]
    assert [i.rule for i in three.issues] == ["unknown_unit"] and "'升'" in three.issues[0].reason


def test_county_table_key_conflict(result):
    (issue,) = issues_at(result, "农业源", 7)
    assert issue.rule == "conflicting_key" and "row 5" in issue.reason


def test_every_record_is_accounted_for(result):
    counts = {s.sheet: (s.file_load.received, s.file_load.loaded, s.file_load.quarantined,
                        s.file_load.duplicates) for s in result.sheets}
    # sheet one: 9 records (rows 6-12, 14, 15): 5 loaded, 3 quarantined, 1 duplicate; 合计, footer,
    # blank and the column-number row are not records
    assert counts == {"工业企业（一）": (9, 5, 3, 1), "工业企业（二）": (2, 0, 2, 0), "工业企业（三）": (1, 0, 1, 0),
                      "污水处理厂": (1, 1, 0, 0), "农业源": (3, 2, 1, 0)}
    assert all(s.file_load.balanced for s in result.sheets)
    assert result.ignored_sheets == ["landing/census/delivery-test/工业污染源.xlsx#填表说明"]
    assert result.unrecognised_workbooks == ["landing/census/delivery-test/说明.xlsx"]
    assert result.missing_tables == ["domestic_sources"]


def test_load_writes_lake_and_quarantine_partitions(home: Home):
    load = reader.load_census(home, "load-2")
    lake = pq.read_table(home.lake / "census" / "industrial_sources" / "delivery=delivery-test").to_pylist()
    assert sorted(r["row_no"] for r in lake) == [6, 8, 9, 10, 14]
    q = pq.read_table(home.quarantine / "census" / "industrial_sources" / "delivery=delivery-test").to_pylist()
    assert sorted((r["sheet"], r["line_no"], r["rule"]) for r in q) == [
        ("工业企业（一）", 11, "bad_number"), ("工业企业（一）", 12, "unknown_county"),
        ("工业企业（一）", 15, "negative_quantity"), ("工业企业（三）", 3, "unknown_unit"),
        ("工业企业（二）", 3, "missing_column"), ("工业企业（二）", 4, "missing_column")]
    # a table the delivery lacks still gets its (empty) partition; a re-load replaces, never appends
    assert pq.read_table(home.lake / "census" / "domestic_sources" / "delivery=delivery-test").num_rows == 0
    reader.load_census(home, "load-3")
    again = pq.read_table(home.lake / "census" / "industrial_sources" / "delivery=delivery-test")
    assert again.num_rows == 5 and set(again.column("load_id").to_pylist()) == {"load-3"}
    assert load.counts("industrial_sources") == {"received": 12, "loaded": 5, "quarantined": 6, "duplicates": 1}


def test_spec_rejects_a_quantity_without_a_target_unit(tmp_path: Path):
    bad = tmp_path / "h.yaml"
    text = reader.SPEC_FILE.read_text(encoding="utf-8").replace("type: quantity, unit: t}", "type: quantity}", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="needs a unit"):
        reader.load_spec(bad)
