"""Soil and noise deliveries through the real pipeline (session fixture: `zteco world generate` +
`zteco run`, 2020-2021): the two indicators equal an independent recomputation from the raw landing
files for every county and year, and the quarantine holds exactly the rows the world made bad."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
NIGHT_LIMIT = {"0": 40, "1": 45, "2": 50, "3": 55, "4a": 55, "4b": 60}  # GB 3096-2008 table 1
YEARS = (2020, 2021)


def _counties() -> dict[str, str]:
    with (REPO / "ingestion" / "simulate" / "counties.csv").open(encoding="utf-8") as f:
        return {r["name_zh"]: r["county_code"] for r in csv.DictReader(f)}


def _rows(path: Path) -> list[tuple[str, int, dict]]:
    """(sheet, row, {header: cell text}) of a CSV (UTF-8 or GBK) or workbook; the header holds 点位编码."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gbk")
        sheets = [("", list(csv.reader(text.splitlines())))]
    out = []
    for sheet, grid in sheets:
        h = next(i for i, r in enumerate(grid) if "点位编码" in [str(c) for c in r])
        head = [str(c) for c in grid[h]]
        for k, r in enumerate(grid[h + 1:]):
            cells = {name: ("" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)))
                     for name, v in zip(head, r, strict=False)}
            out.append((sheet, h + 2 + k, cells))
    return out


def _number(text: str) -> float | None | str:
    """A float, None for below detection / blank, 'bad' otherwise."""
    t = text.strip()
    if t == "" or t in ("未检出", "ND") or re.fullmatch(r"<\d+(\.\d+)?", t):
        return None
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    return "bad"


def _pct(num: int, den: int) -> float:
    return float((Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def raw(pipeline_home: Path):
    return recompute(pipeline_home)


def recompute(home: Path):
    """Planned and covered soil points, night compliance flags per (year, county), from the landing files."""
    lab = home / "landing" / "monitoring" / "lab"
    counties = _counties()
    planned: dict[tuple[int, str], set] = defaultdict(set)
    point_county, point_type = {}, {}
    with (lab / "soil" / "planned_points.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            planned[(int(r["年度"]), counties[r["区县"]])].add(r["点位编码"])
            point_county[r["点位编码"]] = counties[r["区县"]]
            point_type[r["点位编码"]] = r["点位类别"]
    covered: dict[tuple[int, str], set] = defaultdict(set)
    for path in sorted((lab / "soil").glob("*/*")):
        for _, _, c in _rows(path):
            code = c["点位编码"]
            if code not in point_county:
                continue
            ph = _number(c["pH(无量纲)"])
            if ph == "bad" or (ph is not None and ph > 14) or (ph is None and point_type[code] == "农用地"):
                continue
            if any(_number(v) == "bad" for k, v in c.items() if "(mg/kg)" in k):
                continue
            year = int(c["采样日期"][:4])
            if code in planned[(year, point_county[code])]:
                covered[(year, point_county[code])].add(code)
    night: dict[tuple[int, str], list] = defaultdict(list)
    for path in sorted((lab / "noise").glob("*/*")):
        seen = set()
        for _, _, c in _rows(path):
            key = tuple(sorted((k, v) for k, v in c.items() if k != "序号"))
            zone = c["功能区类别"].removesuffix("类")
            leq = _number(c["夜间等效声级Leq[dB(A)]"])
            if key in seen or zone not in NIGHT_LIMIT or not isinstance(leq, float):
                continue
            seen.add(key)
            night[(int(c["监测日期"][:4]), counties[c["区县"]])].append(leq <= NIGHT_LIMIT[zone])
    return planned, covered, night, set(counties.values())


def _indicators(home: Path, code: str) -> dict[tuple[int, str], tuple]:
    con = duckdb.connect(str(home / "serving" / "zteco.duckdb"), read_only=True)
    rows = con.execute("select cast(extract(year from period_start) as integer), area_code, value, numerator, "
                       "denominator, method_version, missing_reason_code from fct_indicator_values "
                       "where indicator_code = ?", [code]).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_soil_coverage_equals_recomputation_from_raw_files(pipeline_home: Path, raw):
    planned, covered, _, counties = raw
    got = _indicators(pipeline_home, "SOIL_MONITORING_COVERAGE")
    below_full = 0
    for year in YEARS:
        city_num = city_den = 0
        for county in counties:
            num, den = len(covered[(year, county)]), len(planned[(year, county)])
            city_num, city_den = city_num + num, city_den + den
            below_full += num < den
            assert got[(year, county)][:3] == (_pct(num, den), num, den), (year, county)
            assert got[(year, county)][3] == "zteco soil monitoring coverage-v1"
        assert got[(year, "530600")][:3] == (_pct(city_num, city_den), city_num, city_den)
    assert below_full > 0  # the world skips planned points in some county-years


def test_noise_night_compliance_equals_recomputation_from_raw_files(pipeline_home: Path, raw):
    _, _, night, counties = raw
    got = _indicators(pipeline_home, "NOISE_NIGHT_COMPLIANCE")
    for year in YEARS:
        city = []
        for county in counties:
            flags = night[(year, county)]
            city += flags
            assert got[(year, county)][:3] == (_pct(sum(flags), len(flags)), sum(flags), len(flags)), (year, county)
            assert got[(year, county)][3] == "GB 3096-2008"
        assert got[(year, "530600")][:3] == (_pct(sum(city), len(city)), sum(city), len(city))


def test_quarantine_holds_exactly_the_injected_bad_rows(pipeline_home: Path):
    with (pipeline_home / "world" / "lab_defects.csv").open(encoding="utf-8") as f:
        defects = list(csv.DictReader(f))
    expected = {(d["file"], d["sheet"], int(d["row"])) for d in defects if d["expected"] == "quarantined"}
    con = duckdb.connect(str(pipeline_home / "warehouse.duckdb"), read_only=True)
    got = {(r[0], r[1] or "", r[2]) for r in con.execute(
        "select source_file, sheet, line_no from lake_quarantine.lab_soil_results "
        "union all select source_file, sheet, line_no from lake_quarantine.lab_noise_results").fetchall()}
    assert got == expected
    assert {d["kind"] for d in defects if d["expected"] == "quarantined"} >= {
        "non_numeric", "unknown_point", "ph_out_of_range", "unknown_zone_class"}
    # duplicates counted per file in the load log, exactly the injected ones
    dup_expected = Counter(d["file"] for d in defects if d["expected"] == "duplicate")
    log = con.execute(
        "select source_file, duplicate_count, received_count, loaded_count, quarantined_count from staging.stg_ops__load_log "
        "where source_name in ('monitoring.lab.soil', 'monitoring.lab.noise') "
        "qualify row_number() over (partition by source_file order by finished_at desc) = 1").fetchall()
    assert {r[0]: r[1] for r in log if r[1]} == dict(dup_expected)
    assert all(r[2] == r[3] + r[4] + r[1] for r in log)
    assert sum(r[3] for r in log) > 0


def test_soil_classes_match_the_world_truth(pipeline_home: Path):
    with (pipeline_home / "world" / "lab_soil_truth.csv").open(encoding="utf-8") as f:
        truth = {r["sample_id"]: r["class"] for r in csv.DictReader(f)}
    con = duckdb.connect(str(pipeline_home / "serving" / "zteco.duckdb"), read_only=True)
    got = dict(con.execute("select sample_id, soil_class from fct_soil_point_results").fetchall())
    assert got == truth
    counts = Counter(truth.values())
    assert counts["safe_use"] > 0 and counts["strict_control"] > 0



def test_lab_assets_ran_in_the_warehouse_job_and_balance(pipeline_home: Path):
    from dagster import AssetKey, DagsterInstance

    instance = DagsterInstance.from_config(str(pipeline_home / "dagster"))
    for key in (["lab", "soil_points"], ["lab", "soil_results"], ["lab", "noise_results"]):
        event = instance.get_latest_materialization_event(AssetKey(key))
        assert event is not None, key
        meta = event.asset_materialization.metadata
        assert meta["loaded"].value > 0
        assert meta["received"].value == meta["loaded"].value + meta["quarantined"].value + meta["duplicates"].value
        assert instance.get_run_by_id(event.run_id).job_name == "warehouse_job"
