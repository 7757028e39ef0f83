"""Surface-water loaders on crafted landing files: lab results (bad rows, below detection limit,
units in the header) and automatic-station packets (faults, duplicates, unknown devices)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingestion.common.home import Home
from ingestion.monitoring.simulator import frame
from ingestion.water import loader

CATALOGUE = """section_code,section_name_zh,river_zh,water_body,county_code,level,is_assessment_section,is_county_boundary,is_out_of_province,is_drinking_source,target_class,auto_since,longitude,latitude
S1,甲断面,甲河,river,530602,省考,true,false,false,false,3,2020-01-01,103.5,27.3
S2,乙水库,乙水库,lake,530621,县级,false,false,false,true,2,,103.5,27.2
S3,丙断面,丙河,river,999999,省考,true,false,false,false,3,,103.5,27.2
"""
REGISTRY = """station_code,station_name_zh,section_code,county_code,mn,pw,commissioned_on,longitude,latitude
WS1,甲自动站,S1,530602,MN0000000000000000000001,123456,2020-01-01,103.5,27.3
WS9,幽灵站,S9,530602,MN0000000000000000000009,123456,2020-01-01,103.5,27.3
"""
HEADER = ("断面编码,断面名称,采样日期,水温(℃),pH(无量纲),溶解氧(mg/L),氨氮(mg/L),总磷(mg/L),汞(μg/L),"
          "六价铬(mg/L),铅(mg/L)")


@pytest.fixture
def home(tmp_path: Path) -> Home:
    h = Home(tmp_path).ensure()
    cat = h.landing / "monitoring" / "water" / "water_sections.csv"
    cat.parent.mkdir(parents=True)
    cat.write_text(CATALOGUE, encoding="utf-8")
    reg = h.landing / "monitoring" / "registry" / "water_stations.csv"
    reg.parent.mkdir(parents=True)
    reg.write_text(REGISTRY, encoding="utf-8")
    return h


def write_lab(home: Home, month: str, rows: list[str], name: str = "lab.csv") -> Path:
    path = home.landing / "monitoring" / "lab" / "water" / month / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return path


def test_catalogue_rejects_a_foreign_county_and_a_station_of_no_section(home: Home):
    cat = loader.load_catalogue(home, "L1")
    assert set(cat.sections) == {"S1", "S2"}
    assert set(cat.stations) == {"MN0000000000000000000001"}
    rules = sorted((q["rule"], q["line_no"]) for q in cat.quarantine)
    assert rules == [("bad_catalogue_row", 4), ("unknown_section", 3)]
    assert all(f.balanced for f in cat.files)
    lake = pq.read_table(home.lake / "monitoring" / "water_stations" / "water_stations.parquet")
    assert "pw" not in lake.column_names  # the credential stays in landing


@pytest.mark.parametrize(("text", "parameter", "factor", "expected"), [
    ("未检出", "hg", 0.001, (0.00002, True, 0.00004)),   # method DL of Hg 0.00004 mg/L, half of it
    ("ND", "cr6", 1.0, (0.002, True, 0.004)),
    ("<0.01", "tp", 1.0, (0.005, True, 0.01)),           # the limit as written, half of it
    ("0.04L", "hg", 0.001, (0.00002, True, 0.00004)),    # "0.04L" µg/L = below 0.04 µg/L
    ("0.06", "hg", 0.001, (0.00006, False, None)),       # µg/L header → mg/L
    ("1.25", "nh3n", 1.0, (1.25, False, None)),
])
def test_lab_value(text, parameter, factor, expected):
    v, below, dl = loader.parse_lab_value(text, parameter, factor)
    assert v == pytest.approx(expected[0]) and below is expected[1]
    assert dl == (pytest.approx(expected[2]) if expected[2] else None)


@pytest.mark.parametrize("text", ["1.2.3", "--", "见备注", "-0.5"])
def test_lab_value_rejects(text):
    with pytest.raises(ValueError):
        loader.parse_lab_value(text, "nh3n", 1.0)


def test_lab_file_bad_rows_quarantined_and_counts_balance(home: Home):
    sections = loader.read_catalogue(home, "L1").sections
    write_lab(home, "2021-07", [
        "S1,甲断面,2021-07-08,22.1,7.6,6.8,0.42,0.12,未检出,<0.004,0.0031",   # line 2: good
        "S2,乙水库,2021-07-08,22.0,7.9,8.1,0.21,0.018,0.06,未检出,未检出",    # line 3: good
        "S1,甲断面,2021-07-08,22.1,7.6,6.8,0.42,0.12,未检出,<0.004,0.0031",   # line 4: the same row again
        "S9,试验断面,2021-07-08,22.1,7.6,6.8,0.42,0.12,未检出,<0.004,0.0031",  # line 5: unknown section
        "S2,乙水库,2021-07-32,22.0,7.9,8.1,0.21,0.018,0.06,未检出,未检出",    # line 6: bad date
        "S2,乙水库,2021-07-09,22.0,7.9,8.1,1.2.3,0.018,0.06,未检出,未检出",   # line 7: bad number
        "S1,甲断面,2021-07-08,22.1,7.6,6.9,0.42,0.12,未检出,<0.004,0.0031",   # line 8: same sample, other DO
    ])
    (f,) = loader.load_lab(home, "L1", sections)
    fl = f.file_load
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (7, 2, 4, 1)
    assert sorted((q["line_no"], q["rule"]) for q in f.quarantine) == [
        (5, "unknown_section"), (6, "bad_date"), (7, "bad_number"), (8, "conflicting_sample")]
    assert "氨氮(mg/L) = '1.2.3'" in next(q["reason"] for q in f.quarantine if q["line_no"] == 7)
    lake = pq.read_table(home.lake / "monitoring" / "water_lab" / "month=2021-07").to_pylist()
    by = {(r["section_code"], r["parameter"]): r for r in lake}
    assert len(lake) == 2 * 7  # 7 parameter columns per good row (water temperature is not a GB 3838 item)
    assert by[("S1", "hg")]["value"] == pytest.approx(0.00002) and by[("S1", "hg")]["below_detection_limit"]
    assert by[("S1", "cr6")]["value"] == pytest.approx(0.002) and by[("S1", "cr6")]["value_text"] == "<0.004"
    assert by[("S2", "hg")]["value"] == pytest.approx(0.00006)  # 0.06 µg/L
    assert by[("S2", "pb")]["value"] == pytest.approx(0.00125)  # 未检出, DL 0.0025
    assert by[("S1", "pb")]["value"] == pytest.approx(0.0031) and not by[("S1", "pb")]["below_detection_limit"]
    q = pq.read_table(home.quarantine / "water_lab" / "month=2021-07").to_pylist()
    assert len(q) == 4 and all(r["source_file"].endswith("2021-07/lab.csv") for r in q)


def test_lab_file_with_unknown_unit_is_quarantined_whole(home: Home):
    sections = loader.read_catalogue(home, "L1").sections
    path = write_lab(home, "2021-08", ["S1,甲断面,2021-08-08,22.1,7.6,6.8,0.42,0.12,未检出,<0.004,0.0031"])
    path.write_bytes(path.read_bytes().replace("铅(mg/L)".encode(), "铅(g/L)".encode()))
    (f,) = loader.load_lab(home, "L1", sections)
    assert (f.file_load.loaded, f.file_load.quarantined) == (0, 1)
    assert f.quarantine[0]["rule"] == "unknown_unit"


def seg(mn: str, pw: str, stamp: str, nh3n: str = "0.420", flag: str = "N", st: str = "21") -> str:
    items = ";".join(f"{c}-Avg={v},{c}-Flag={flag}" for c, v in
                     [("w01001", "7.60"), ("w01009", "6.80"), ("w01019", "3.10"), ("w21003", nh3n),
                      ("w21011", "0.120"), ("w21001", "1.50")])
    return f"QN={stamp}000;ST={st};CN=2061;PW={pw};MN={mn};Flag=4;CP=&&DataTime={stamp};{items}&&"


def test_auto_packets(home: Home):
    mn = "MN0000000000000000000001"
    good = frame([seg(mn, "123456", "20210708000000"), seg(mn, "123456", "20210708040000", flag="M")])
    bad_crc = good[0].replace("w21003-Avg=0.420", "w21003-Avg=0.920")
    lines = [
        good[0],                                                          # 1 loaded
        good[0],                                                          # 2 duplicate (same content)
        good[1],                                                          # 3 loaded (flag M kept)
        bad_crc,                                                          # 4 crc_mismatch
        *frame([seg("MN0000000000000000000777", "123456", "20210708080000"),   # 5 unknown MN
                seg(mn, "999999", "20210708080000"),                           # 6 wrong PW
                seg(mn, "123456", "20210708000000", nh3n="0.500"),             # 7 same time, other values
                seg(mn, "123456", "20210708120000", nh3n="abc"),               # 8 not a number
                seg(mn, "123456", "20210709000000")]),                         # 9 another day
    ]
    folder = home.landing / "monitoring" / "water" / "hj212" / "date=2021-07-08"
    folder.mkdir(parents=True)
    (folder / "water-20210708.hj212").write_bytes("".join(lines).encode())
    stations = loader.read_catalogue(home, "L1").stations
    res = loader.load_auto(home, date(2021, 7, 1), date(2021, 7, 31), "L2", stations)
    (fl,) = res.files
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (9, 2, 6, 1)
    rows = pq.read_table(home.lake / "monitoring" / "water_auto" / "date=2021-07-08").to_pylist()
    assert [(r["data_time"], r["nh3n"], r["nh3n_flag"], r["section_code"]) for r in rows] == [
        (datetime(2021, 7, 8, 0), 0.42, "N", "S1"), (datetime(2021, 7, 8, 4), 0.42, "M", "S1")]
    q = pq.read_table(home.quarantine / "water_hj212" / "date=2021-07-08").to_pylist()
    assert sorted((r["line_no"], r["rule"]) for r in q) == [
        (4, "crc_mismatch"), (5, "unknown_mn"), (6, "bad_password"), (7, "conflicting_packet"), (8, "bad_value"),
        (9, "wrong_partition")]
    assert all(r["reason"].startswith("landing/monitoring/water/hj212/date=2021-07-08/water-20210708.hj212 line ")
               for r in q)
