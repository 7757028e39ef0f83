"""Pollution-source online monitoring on crafted input, against hand-worked values.

The loader is tested on crafted HJ 212 packets (duplicates, conflicting resends, wrong password,
unknown MN, bad flag, bad value, damaged CRC). The dbt models (transmission rate, hours over the
limit, the suspicious patterns, annual emission) are built by dbt on a crafted lake: three outlets,
four days (2020-03-02..05), every number below worked out by hand from the series written here.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.common.home import Home
from ingestion.monitoring.simulator import frame
from ingestion.sources import loader

REPO = Path(__file__).resolve().parents[2]
COUNTY = "530602"
MN_W = f"{COUNTY}003200000000000091"   # wastewater outlet
MN_G = f"{COUNTY}003100000000000092"   # flue-gas outlet
MN_M = f"{COUNTY}003200000000000093"   # wastewater outlet under endless "maintenance"
MN_N = f"{COUNTY}003200000000000094"   # required, never networked
DAY1 = datetime(2020, 3, 2)
DAYS = 4


def write_registry(home: Home) -> None:
    rows = [
        (MN_W, "111111", "W-DW001", "wastewater", "32", "w01018;w21003;w01001;w00000"),
        (MN_G, "222222", "G-FQ001", "flue_gas", "31", "a21026;a21002;a34013;a00000"),
        (MN_M, "333333", "M-DW001", "wastewater", "32", "w01018;w21003;w01001;w00000"),
        (MN_N, "444444", "N-DW001", "wastewater", "32", "w01018;w21003;w01001;w00000"),
    ]
    path = loader.registry_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mn", "pw", "outlet_code", "outlet_name", "outlet_type", "st", "enterprise_credit_code",
                    "enterprise_name", "county_code", "industry_code", "longitude", "latitude", "parameters",
                    "required_from", "networked", "networked_on"])
        for mn, pw, code, kind, st, params in rows:
            never = mn == MN_N
            w.writerow([mn, pw, code, f"{code}排放口", kind, st, "", f"企业{code[0]}", COUNTY, "2614", "103.7",
                        "27.3", params, "2019-01-01", "false" if never else "true", "" if never else "2020-03-02"])
    limits = [("W-DW001", MN_W, "w01018", "", "100"), ("W-DW001", MN_W, "w21003", "", "15"),
              ("W-DW001", MN_W, "w01001", "6", "9"), ("G-FQ001", MN_G, "a21026", "", "200"),
              ("G-FQ001", MN_G, "a21002", "", "100"), ("G-FQ001", MN_G, "a34013", "", "30"),
              ("M-DW001", MN_M, "w01018", "", "100"), ("M-DW001", MN_M, "w21003", "", "15"),
              ("M-DW001", MN_M, "w01001", "6", "9"), ("N-DW001", MN_N, "w01018", "", "100")]
    path = loader.limits_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["outlet_code", "mn", "pollutant_code", "pollutant_name_zh", "lower_limit", "upper_limit", "unit",
                    "standard", "clause", "assumed"])
        for outlet, mn, code, lo, hi in limits:
            w.writerow([outlet, mn, code, code, lo, hi, "mg/L", "GB 8978-1996", "", "false"])


def segment(mn: str, pw: str, st: str, t: datetime, items: list[tuple[str, str, str | None, str]],
            cn: str = "2061") -> str:
    cp = ";".join(f"{c}-Avg={v}," + (f"{c}-Cou={cou}," if cou is not None else "") + f"{c}-Flag={fl}"
                  for c, v, cou, fl in items)
    return f"QN={t:%Y%m%d%H%M%S}000;ST={st};CN={cn};PW={pw};MN={mn};Flag=4;CP=&&DataTime={t:%Y%m%d%H%M%S};{cp}&&"


def outlet_w(i: int) -> list[tuple[str, str, str | None, str]] | None:
    """Day 1 only. COD 50.00 for hours 0-13 (a 14-hour flatline), hour 14 not sent, COD 120 at hour 16
    (over 100), pH 5.5 at hour 17 (under 6), COD flagged M at hour 20. COD -Cou always 2.000 kg."""
    if i >= 24 or i == 14:
        return None
    cod = "50.00" if i <= 13 else ("120.00" if i == 16 else f"{40 + i * 0.37:.2f}")
    ph = "5.50" if i == 17 else f"{7 + i * 0.01:.2f}"
    return [("w01018", cod, "2.000", "M" if i == 20 else "N"), ("w21003", f"{5 + i * 0.01:.2f}", "0.200", "N"),
            ("w01001", ph, None, "N"), ("w00000", "10.00", "36.0", "N")]


def outlet_g(i: int) -> list[tuple[str, str, str | None, str]]:
    """SO2 0 for hours 0-5 (6 hours, flow 50: stuck at zero); NOx 0 for hours 10-14 (5 hours: too short),
    NOx 95-99.9 for hours 24-73 (50 hours piled under the limit 100); smoke 10.00 for hours 15-25
    (11 hours: too short for a flatline), 28.5-29.9 for hours 76-95 and 40-55 but 77 (35 hours: too few
    to be clipping), and 35 at hour 77 (over 30)."""
    so2 = "0.00" if i < 6 else f"{100 + (i * 0.37) % 20:.2f}"
    if 10 <= i <= 14:
        nox = "0.00"
    elif 24 <= i <= 73:
        nox = f"{95 + ((i - 24) * 0.097) % 4.9:.2f}"
    else:
        nox = f"{40 + (i * 0.53) % 10:.2f}"
    if 15 <= i <= 25:
        smoke = "10.00"
    elif i == 77:
        smoke = "35.00"
    elif 76 <= i <= 95 or 40 <= i <= 55:
        smoke = f"{28.5 + (i * 0.071) % 1.4:.2f}"
    else:
        smoke = f"{12 + (i * 0.29) % 5:.2f}"
    return [("a21026", so2, "1.000", "N"), ("a21002", nox, "1.000", "N"), ("a34013", smoke, "0.100", "N"),
            ("a00000", "50.00", "180000.0", "N")]


def outlet_m(i: int) -> list[tuple[str, str, str | None, str]]:
    """COD flagged M for the first 75 of 96 hours (normal: about one calibration hour a week)."""
    return [("w01018", f"{30 + (i * 0.41) % 9:.2f}", "1.000", "M" if i < 75 else "N"),
            ("w21003", f"{3 + (i * 0.013) % 1:.3f}", "0.100", "N"), ("w01001", f"{7.2 + (i * 0.007) % 0.5:.2f}", None, "N"),
            ("w00000", "5.00", "18.0", "N")]


def land_crafted(home: Home) -> None:
    for d in range(DAYS):
        day = DAY1 + timedelta(days=d)
        segs = []
        for h in range(24):
            i, t = d * 24 + h, day + timedelta(hours=h)
            w = outlet_w(i)
            if w is not None:
                segs.append(segment(MN_W, "111111", "32", t, w))
            segs.append(segment(MN_G, "222222", "31", t, outlet_g(i)))
            segs.append(segment(MN_M, "333333", "32", t, outlet_m(i)))
        folder = loader.landing_root(home) / f"date={day:%Y-%m-%d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"sources-{day:%Y%m%d}.hj212").write_bytes("".join(frame(segs)).encode())


# -- loader on crafted packets -------------------------------------------------------------------------

def test_loader_counts_duplicates_quarantines_and_keeps_flags_per_value(tmp_path: Path):
    home = Home(tmp_path).ensure()
    write_registry(home)
    t = datetime(2020, 3, 2, 5)
    good = segment(MN_G, "222222", "31", t, outlet_g(5))
    other = segment(MN_G, "222222", "31", t, [("a21026", "1.00", "1.000", "N")])       # same hour, other values
    resent = good.replace("QN=20200302050000000", "QN=20200302050100000")            # same content, new QN
    lines = frame([
        good,
        resent,                                                                        # duplicate
        other,                                                                         # conflicting_resend
        segment(MN_G, "999999", "31", t + timedelta(hours=1), outlet_g(6)),            # bad_password
        segment(f"{COUNTY}003100000000000099", "1", "31", t, outlet_g(6)),             # unknown_mn
        segment(MN_W, "111111", "32", t, [("w01018", "5.00", "1.000", "X")]),           # bad_flag
        segment(MN_W, "111111", "32", t, [("w01018", "abc", "1.000", "N")]),            # bad_value
        segment(MN_W, "111111", "31", t, [("w01018", "5.00", "1.000", "N")]),           # unexpected_st
        segment(MN_W, "111111", "32", t + timedelta(hours=2), outlet_w(7), cn="2031"),  # a daily packet
    ])
    damaged = frame([segment(MN_G, "222222", "31", t + timedelta(hours=3), outlet_g(8))])[0]
    damaged = damaged[:-6] + ("0000" if damaged[-6:-2] != "0000" else "1111") + "\r\n"  # CRC no longer matches
    folder = loader.landing_root(home) / "date=2020-03-02"
    folder.mkdir(parents=True)
    (folder / "sources-20200302.hj212").write_bytes("".join([*lines, damaged]).encode())
    loader.load_registry(home, "r:all:1")
    res = loader.load_day(home, date(2020, 3, 2), "t:1", loader.registry_devices(home))
    (fl,) = res.files
    assert (fl.received, fl.loaded, fl.quarantined, fl.duplicates) == (10, 2, 7, 1)
    assert fl.balanced
    rules = sorted(q["rule"] for q in res.quarantine)
    assert rules == sorted(["conflicting_resend", "bad_password", "unknown_mn", "bad_flag", "bad_value",
                            "unexpected_st", "crc_mismatch"])
    by_rule = {q["rule"]: q for q in res.quarantine}
    assert by_rule["conflicting_resend"]["line_no"] == 3
    assert "line 3" in by_rule["conflicting_resend"]["reason"]
    assert by_rule["crc_mismatch"]["line_no"] == 10
    assert res.rows == {"source_hourly": 4, "source_daily": 4, "source_minute": 0}
    con = duckdb.connect()
    rows = con.execute(f"select pollutant_code, avg_value, cou_value, flag from read_parquet("
                       f"'{tmp_path}/lake/monitoring/source_hourly/**/*.parquet') order by pollutant_code").fetchall()
    assert [(r[0], round(r[1], 2), r[2], r[3]) for r in rows] == [
        ("a00000", 50.0, 180000.0, "N"), ("a21002", 42.65, 1.0, "N"), ("a21026", 0.0, 1.0, "N"),
        ("a34013", 13.45, 0.1, "N")]


def test_registry_rows_that_break_a_rule_are_quarantined_with_line(tmp_path: Path):
    home = Home(tmp_path).ensure()
    write_registry(home)
    path = loader.registry_file(home)
    text = path.read_text(encoding="utf-8").splitlines()
    text.append(text[1].replace(MN_W, "SHORTMN"))          # line 6: MN not 24 characters
    text.append(text[2].replace(",flue_gas,31,", ",flue_gas,32,"))  # line 7: ST does not fit the type
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    res = loader.load_registry(home, "r:all:1")
    assert res.devices == 4
    assert sorted(q["line_no"] for q in res.quarantine) == [6, 7]
    assert all(f.balanced for f in res.files)


# -- the dbt models on a crafted lake ----------------------------------------------------------------

@pytest.fixture(scope="module")
def crafted_warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("src-crafted")
    home = Home(root).ensure()
    write_registry(home)
    land_crafted(home)
    loader.load_registry(home, "monitoring.sources_registry:all:t")
    devices = loader.registry_devices(home)
    for d in range(DAYS):
        res = loader.load_day(home, (DAY1 + timedelta(days=d)).date(), "monitoring.hj212.sources:t", devices)
        assert all(f.balanced and f.quarantined == 0 for f in res.files)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_"))}
    env.update(ZTECO_HOME=str(root), ZTECO_DUCKDB_MEMORY="1GB")
    dbt = str(Path(sys.executable).parent / "dbt")
    select = ["+fct_source_transmission", "+fct_source_hours_over_limit", "+fct_source_suspicious_patterns",
              "+fct_source_emissions_annual", "+int_indicator_values__sources"]
    proc = subprocess.run([dbt, "build", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
                           "--target-path", str(root / "dbt-target"), "--indirect-selection", "cautious",
                           "--exclude", "resource_type:test", "--select", *select],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    con = duckdb.connect(str(home.warehouse), read_only=True)
    yield con
    con.close()


def test_transmission_rate_per_day_and_year(crafted_warehouse):
    q = crafted_warehouse.execute
    # W, day 1: 4 parameters x 24 hours = 96 expected; hour 14 missing -> 92 received; COD flagged M
    # at hour 20 -> 91 valid. 92/96 = 95.83 %, 91/96 = 94.79 %.
    day1 = q("select expected_values, received_values, valid_values, transmission_rate, valid_transmission_rate "
             "from main.fct_source_transmission where entity_code = 'W-DW001' and period_type = 'day' "
             "and period_start = date '2020-03-02'").fetchone()
    assert day1 == (96, 92, 91, 95.8, 94.8)
    # W sends nothing on days 2-4: those days count as expected, 0 received.
    day2 = q("select expected_values, received_values, valid_transmission_rate from main.fct_source_transmission "
             "where entity_code = 'W-DW001' and period_type = 'day' and period_start = date '2020-03-03'").fetchone()
    assert day2 == (96, 0, 0.0)
    # M over the 4 days: 384 expected, all received, 75 COD values flagged M -> 309 valid = 80.47 %.
    year_m = q("select expected_values, received_values, valid_values, valid_transmission_rate "
               "from main.fct_source_transmission where entity_code = 'M-DW001' and period_type = 'year'").fetchone()
    assert year_m == (384, 384, 309, 80.5)


def test_hours_over_limit(crafted_warehouse):
    rows = crafted_warehouse.execute(
        "select outlet_code, pollutant_code, data_date, hours_over_limit from main.fct_source_hours_over_limit "
        "where hours_over_limit > 0 order by 1, 2").fetchall()
    # W: COD 120 > 100 at hour 16 (the flagged hour 20 is not valid); pH 5.5 < 6 at hour 17.
    # G: smoke 35 > 30 at hour 77 (day 4). NOx at 95-99.9 never exceeds 100.
    assert rows == [("G-FQ001", "a34013", date(2020, 3, 5), 1), ("W-DW001", "w01001", date(2020, 3, 2), 1),
                    ("W-DW001", "w01018", date(2020, 3, 2), 1)]


def test_suspicious_patterns_found_and_near_misses_not(crafted_warehouse):
    rows = crafted_warehouse.execute(
        "select outlet_code, coalesce(pollutant_code, '-'), pattern_code, start_time, end_time, evidence_hours, "
        "pattern_name_zh, evidence from main.fct_source_suspicious_patterns order by 1, 2, 3").fetchall()
    found = [r[:6] for r in rows]
    assert found == [
        # 50 of 96 valid NOx hours in [95, 100]: >= 48 hours and >= 20 %
        ("G-FQ001", "a21002", "clipped_below_limit", datetime(2020, 3, 3, 0), datetime(2020, 3, 5, 1), 50),
        # SO2 0 for hours 0-5 while the flow is 50 m³/s
        ("G-FQ001", "a21026", "stuck_at_zero", datetime(2020, 3, 2, 0), datetime(2020, 3, 2, 5), 6),
        # COD flagged M in 75 of 96 received hours
        ("M-DW001", "-", "excessive_maintenance_flags", datetime(2020, 3, 2, 0), datetime(2020, 3, 5, 2), 75),
        # COD 50.00 for hours 0-13
        ("W-DW001", "w01018", "flatline", datetime(2020, 3, 2, 0), datetime(2020, 3, 2, 13), 14),
    ]
    assert all(r[6] for r in rows)  # every finding has its Chinese label
    flat = next(r for r in rows if r[2] == "flatline")
    assert "50" in flat[7] and "14" in flat[7]


def test_annual_emission_mean_substitution(crafted_warehouse):
    # W's COD: 22 valid hours, each -Cou 2.000 kg -> 2 kg/h x 8784 hours (2020 is a leap year) = 17.568 t.
    row = crafted_warehouse.execute(
        "select valid_hours, valid_emission_kg, annual_emission_t, is_comparable from main.fct_source_emissions_annual "
        "where outlet_code = 'W-DW001' and pollutant_code = 'w01018' and year = 2020").fetchone()
    assert row[0] == 22 and row[1] == pytest.approx(44.0)
    assert row[2] == pytest.approx(17.568)
    assert row[3] is False  # 22 of 96 expected hours valid: not comparable


def test_indicators_networked_and_valid_transmission(crafted_warehouse):
    rows = dict(crafted_warehouse.execute(
        "select indicator_code, value from intermediate.int_indicator_values__sources "
        "where area_code = '530602' and period_start = date '2020-01-01'").fetchall())
    # 3 of the 4 required outlets sent valid data (N never networked).
    assert rows["ONLINE_MONITORING_NETWORKED_RATE"] == 75.0
    # valid values: W 91 + G 384 + M 309 = 784 of 3 x 384 = 1152 expected -> 68.06 %
    assert rows["ONLINE_DATA_VALID_TRANSMISSION_RATE"] == 68.1
    reasons = dict(crafted_warehouse.execute(
        "select indicator_code, missing_reason_code from intermediate.int_indicator_values__sources "
        "where area_code = '530602' and period_start = date '2020-01-01' and value is null").fetchall())
    assert reasons["EMISSION_COD_CHANGE"] == "no_comparable_outlets"
    assert reasons["EMISSION_VOCS_CHANGE"] == "no_monitored_outlets"


def test_a_home_without_online_monitoring_lands_nothing_and_fails_nothing(tmp_path: Path):
    home = Home(tmp_path).ensure()
    res = loader.load_registry(home, "r:all:1")
    assert (res.files, res.devices, res.limits) == ([], 0, 0)
    assert loader.registry_devices(home) == {}
    assert loader.landed_days(home) == []
    assert not (home.lake / "monitoring" / "source_devices").exists()


def test_simulator_is_prefix_stable_and_deterministic(tmp_path: Path):
    from ingestion.simulate.world import WorldConfig
    from ingestion.sources import simulator

    short, long_ = Home(tmp_path / "short").ensure(), Home(tmp_path / "long").ensure()
    simulator.generate(WorldConfig(end=date(2020, 1, 20)), short)
    simulator.generate(WorldConfig(end=date(2020, 2, 10)), long_)
    days = [date(2020, 1, 1) + timedelta(days=i) for i in range(18)]  # the short world's last 2 days add minutes
    for d in days:
        rel = Path("landing/monitoring/sources/hj212") / f"date={d}" / f"sources-{d:%Y%m%d}.hj212"
        assert (short.root / rel).read_bytes() == (long_.root / rel).read_bytes(), d
    # minute packets (CN=2051) only on the last two days of the world
    text = {d: (long_.landing / "monitoring/sources/hj212" / f"date={d}" / f"sources-{d:%Y%m%d}.hj212").read_text()
            for d in (date(2020, 2, 8), date(2020, 2, 9), date(2020, 2, 10))}
    assert "CN=2051" not in text[date(2020, 2, 8)]
    assert "CN=2051" in text[date(2020, 2, 9)] and "CN=2051" in text[date(2020, 2, 10)]
    assert (short.root / "landing/monitoring/registry/source_devices.csv").read_bytes() == \
        (long_.root / "landing/monitoring/registry/source_devices.csv").read_bytes()
