"""The lab loader on crafted drop folders: GBK and UTF-8 CSV, a workbook with a title row and two
sheets, bad rows quarantined with file/sheet/row/reason, duplicates counted, units converted."""

from datetime import date

import openpyxl
import pyarrow.parquet as pq
import pytest

from ingestion.common.home import Home
from ingestion.lab import loader

PLANNED = (
    "年度,点位编码,点位名称,区县,点位类别,用地类型,经度,纬度\r\n"
    "2021,TR1,鲁甸1号,鲁甸县,农用地,水田,103.5,27.2\r\n"
    "2021,TR2,鲁甸2号,鲁甸,农用地,旱地,103.5,27.2\r\n"
    "2021,JS1,鲁甸建设1号,530621,建设用地,第一类用地,103.5,27.2\r\n"
    "2021,TR3,水富3号,水富县,农用地,果园,104.4,28.6\r\n"
)
HEAD = "序号,样品编号,点位编码,点位名称,区县,用地类型,采样日期,pH(无量纲),镉Cd(mg/kg),汞Hg(μg/kg),铅Pb(mg/kg),六价铬Cr6+(mg/kg)\r\n"


@pytest.fixture
def home(tmp_path):
    h = Home(tmp_path).ensure()
    soil = h.landing / "monitoring" / "lab" / "soil"
    (soil / "2021").mkdir(parents=True)
    (soil / "planned_points.csv").write_text(PLANNED, encoding="utf-8")
    rows = [
        "1,S1,TR1,鲁甸1号,鲁甸县,水田,2021-07-01,6.20,0.45,80,35.5,",      # line 2: loaded, Hg 80 µg/kg = 0.08
        "2,S2,TR2,鲁甸2号,鲁甸县,旱地,2021/7/2,5.80,<0.05,未检出,40.1,",    # line 3: loaded, two below DL
        "2,S2,TR2,鲁甸2号,鲁甸县,旱地,2021/7/2,5.80,<0.05,未检出,40.1,",    # line 4: duplicate of line 3
        "3,S9,TR9,不存在,鲁甸县,旱地,2021-07-03,6.00,0.2,50,30,",           # line 5: unknown point
        "4,S3,TR3,水富3号,水富市,果园,2021-07-04,62.0,0.2,50,30,",          # line 6: pH out of range
        "5,S4,JS1,鲁甸建设1号,鲁甸县,第一类用地,2021-07-05,,0.3,40,样品破损,ND",  # line 7: non-numeric Pb
        "6,S5,TR3,水富3号,水富市,果园,2021-07-06,,0.2,50,30,",              # line 8: farmland without pH
        "7,S6,JS1,鲁甸建设1号,鲁甸县,第一类用地,2021-02-30,,0.3,40,30,",      # line 9: no such date
        "8,S7,JS1,鲁甸建设1号,鲁甸县,第一类用地,2021-08-01,,0.3,-4,30,",      # line 10: negative
    ]
    (soil / "2021" / "soil-530621-2021.csv").write_bytes((HEAD + "\r\n".join(rows) + "\r\n").encode("gbk"))
    # a workbook: title row, header on row 2, two sheets; the second repeats S1 with other content
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "农用地"
    ws.append(["水富市2021年土壤环境监测结果"])
    ws.append(["序号", "样品编号", "点位编码", "点位名称", "区县", "用地类型", "采样日期", "pH(无量纲)", "镉Cd(mg/kg)",
               "锌Zn(mg/kg)"])
    ws.append([1, "S8", "TR3", "水富3号", "水富市", "果园", date(2021, 8, 2), 7.1, 0.31, 120])
    ws2 = wb.create_sheet("建设用地")
    ws2.append(["标题"])
    ws2.append(["序号", "样品编号", "点位编码", "点位名称", "区县", "用地类型", "采样日期", "pH(无量纲)", "镉Cd(mg/kg)"])
    ws2.append([1, "S1", "TR1", "x", "鲁甸县", "水田", "2021-07-01", 6.2, 0.99])
    wb.save(soil / "2021" / "soil-530681-2021.xlsx")
    noise = h.landing / "monitoring" / "lab" / "noise" / "2021-Q3"
    noise.mkdir(parents=True)
    (noise / "noise-530602-2021Q3.csv").write_text(
        "序号,点位编码,点位名称,区县,功能区类别,监测日期,昼间等效声级Leq[dB(A)],夜间等效声级Leq[dB(A)]\n"
        "1,ZS1,a,昭阳区,4a类,2021-08-10,66.2,55.0\n"
        "2,ZS2,b,昭阳区,5类,2021-08-10,66.2,55.0\n"
        "3,ZS3,c,昭阳区,2类,2021-08-10,58.0,仪器故障\n"
        "3,ZS3,c,昭阳区,2类,2021-08-10,58.0,仪器故障\n"
        "4,ZS4,d,昭通市,1类,2021-08-10,50.0,40.0\n"
        "5,ZS5,e,Zhaoyang,1类,2021-08-11,50.0,\n"
        "5,ZS5,e,Zhaoyang,1类,2021-08-11,50.0,\n",
        encoding="utf-8")
    return h


def _quarantine(home, table):
    return pq.read_table(home.quarantine / "lab" / table).to_pylist()


def test_soil_rows_loaded_quarantined_and_duplicates(home):
    res = loader.load_soil(home, "L1")
    by_file = {r.file_load.source_file.rsplit("/", 1)[-1]: r for r in res.results}
    csv_load = by_file["soil-530621-2021.csv"]
    assert csv_load.encoding == "gb18030"
    fl = csv_load.file_load
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (9, 2, 6, 1)
    assert fl.balanced and fl.partition == "2021"
    rules = {(q["line_no"], q["rule"]) for q in csv_load.quarantine}
    assert rules == {(5, "unknown_point"), (6, "ph_out_of_range"), (7, "non_numeric"), (8, "missing_value"),
                     (9, "bad_date"), (10, "negative_value")}
    reason = next(q["reason"] for q in csv_load.quarantine if q["line_no"] == 7)
    assert reason.startswith("landing/monitoring/lab/soil/2021/soil-530621-2021.csv row 7:") and "样品破损" in reason
    rows = {r["sample_id"]: r for r in csv_load.rows}
    s1, s2 = rows["S1"], rows["S2"]
    assert s1["hg_mg_kg"] == pytest.approx(0.08) and s1["cd_mg_kg"] == 0.45 and s1["county_code"] == "530621"
    assert s1["land_use"] == "paddy" and s1["point_type"] == "farmland" and s1["cr6_mg_kg"] is None
    assert s1["cr6_below_dl"] is False
    assert s2["cd_mg_kg"] is None and s2["cd_below_dl"] and s2["hg_below_dl"]
    assert s2["below_detection"] == "cd<0.05,hg" and s2["sampled_on"] == date(2021, 7, 2)
    xlsx = by_file["soil-530681-2021.xlsx"]
    assert xlsx.encoding == "xlsx"
    assert [(r["sheet"], r["line_no"], r["sample_id"], r["zn_mg_kg"]) for r in xlsx.rows] == [("农用地", 3, "S8", 120)]
    # S1 was already loaded from the CSV with other content: quarantined with its sheet and row
    assert [(q["sheet"], q["line_no"], q["rule"]) for q in xlsx.quarantine] == [("建设用地", 3, "conflicting_sample")]
    lake = pq.read_table(home.lake / "lab" / "soil_results" / "year=2021").to_pylist()
    assert sorted(r["sample_id"] for r in lake) == ["S1", "S2", "S8"]
    assert len(_quarantine(home, "soil_results")) == 7
    points = pq.read_table(home.lake / "lab" / "soil_points").to_pylist()
    assert {p["point_code"]: p["county_code"] for p in points} == {"TR1": "530621", "TR2": "530621",
                                                                   "JS1": "530621", "TR3": "530681"}


def test_noise_rows(home):
    res = loader.load_noise(home, "L2")
    (only,) = res.results
    fl = only.file_load
    assert only.encoding == "utf-8-sig"
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (7, 2, 4, 1)
    # a repeated bad row is quarantined again (only a row equal to a loaded one is a duplicate)
    assert {(q["line_no"], q["rule"]) for q in only.quarantine} == {(3, "unknown_zone_class"), (4, "non_numeric"),
                                                                   (5, "non_numeric"), (6, "unknown_county")}
    rows = {r["point_code"]: r for r in only.rows}
    assert rows["ZS1"]["zone_class"] == "4a" and rows["ZS1"]["leq_night_db"] == 55.0
    assert rows["ZS5"]["leq_night_db"] is None and rows["ZS5"]["county_code"] == "530602"


def test_unreadable_file_is_quarantined_whole(home):
    bad = home.landing / "monitoring" / "lab" / "noise" / "2021-Q3" / "noise-x.xlsx"
    bad.write_bytes(b"not a zip")
    res = loader.load_noise(home, "L3")
    q = next(r for r in res.results if r.file_load.source_file.endswith("noise-x.xlsx"))
    assert q.file_load.balanced and q.file_load.quarantined == 1 and q.quarantine[0]["rule"] == "unreadable_file"


@pytest.mark.parametrize(("text", "expected"), [
    ("0.25", (0.25, False, "")), ("<0.05", (None, True, "0.05")), ("＜0.5", (None, True, "0.5")),
    ("未检出", (None, True, "")), ("ND", (None, True, "")), ("", (None, False, "")), (12, (12.0, False, "")),
])
def test_parse_value(text, expected):
    assert loader.parse_value(text, "x") == expected


@pytest.mark.parametrize("text", ["0.3l", "样品破损", "--", "1.2.3"])
def test_parse_value_rejects(text):
    with pytest.raises(loader.RowError) as e:
        loader.parse_value(text, "x")
    assert e.value.rule == "non_numeric"


def test_drop_folder_sensor_runs_the_warehouse_job_on_a_new_file(tmp_path):
    from dagster import RunRequest, SkipReason, build_sensor_context

    from orchestration.defs.lab import lab_drop_folder_sensor
    from orchestration.resources import DataHome

    home = Home(tmp_path).ensure()
    soil = home.landing / "monitoring" / "lab" / "soil"
    soil.mkdir(parents=True)
    (soil / "planned_points.csv").write_text(PLANNED, encoding="utf-8")
    resources = {"data_home": DataHome(root=str(tmp_path))}
    first = lab_drop_folder_sensor(build_sensor_context(resources=resources))
    assert isinstance(first, SkipReason)
    ctx = build_sensor_context(cursor=None, resources=resources)
    lab_drop_folder_sensor(ctx)
    cursor = ctx.cursor
    assert isinstance(lab_drop_folder_sensor(build_sensor_context(cursor=cursor, resources=resources)), SkipReason)
    (soil / "2022").mkdir()
    (soil / "2022" / "soil-530602-2022.csv").write_text(HEAD, encoding="utf-8")
    req = lab_drop_folder_sensor(build_sensor_context(cursor=cursor, resources=resources))
    assert isinstance(req, RunRequest) and req.run_key.startswith("lab-")
    assert lab_drop_folder_sensor.job_name == "warehouse_job"
