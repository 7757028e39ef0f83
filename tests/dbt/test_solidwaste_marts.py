"""The solid-waste marts, findings, HW generator list and the seven solid_waste_platform indicators, built
by dbt on a hand-crafted lake (docs/CONTRACTS.md "Solid-waste platform") and checked against values worked
out by hand below (no value is taken from the code under test).

The lake: two counties, 昭阳区 530602 (A) and 鲁甸县 530621 (B); four platform generators (G1, G2 in A;
G3 and the closed G4 in B) and two units registered for general industrial solid waste only (waste_types
ISW: G5 in B, 3,000 t/yr, whose HW the census knows; G6 in A, 500 t/yr), three census industrial sources
with hazardous waste (C1 = G1, C2 unregistered, C3 = G5) and one without, three online-monitoring outlets (G3's wastewater outlet, an unregistered enterprise's
wastewater outlet, a flue-gas-only enterprise). Records change after first publication (a manifest is
received days later, a declaration is corrected, a monthly medical report is corrected, G1 gets compliant
storage): only the latest version may count. Every table is as the connector writes it: append-only, with
record_key, updated_at, fetched_at, load_id, page_file.

Hand-worked 2020 figures (A / B / city):
  HW_UTILIZATION_DISPOSAL_RATE: numerator = own utilisation + own disposal + received tonnes of the year's
    manifests: A = G1 (10 + 0 + 39 + 35) + G2 (0 + M7 3, a code it did not declare) = 87, B = G3 (0 + 50 +
    100 + 5) = 155; denominator = generated + stored at start: A = (100 + 20) + (10 + 0) = 130, B = 200 + 10
    = 210 -> 66.9 / 73.8 / 242 / 340 = 71.2.
  HW_GENERATOR_REGISTRATION_RATE: A: G1 (+census), G2 registered, C2 not -> 2/3 = 66.7; B: G3 (+registry),
    G4 registered, the registry's wastewater enterprise not, G5 = C3 (on the platform for general waste
    only) not -> 2/4 = 50.0; city 4/7 = 57.1. G6 (no HW anywhere) is no HW generator.
  HW_MANIFEST_CLOSED_RATE: A: M1 (2.5 %) and M7 close, M2 (12.5 %) and M3 (never received) do not -> 2/4 =
    50.0; B: M4 and M5 (late but same weight) close, M6 cancelled is not counted -> 2/2 = 100.0; city 4/6 =
    66.7.
  HW_STORED_OVER_ONE_YEAR: last inventory of 2020: G1 B1 20 t since 2019-06-01 (579 days) and B2 10 t
    since 2020-10-01; G3 B1 60 t since 2020-03-01 (305 days) (G3 B0, over a year in November, is gone by
    December) -> 20.0 / 0.0 / 20.0.
  MEDICAL_WASTE_DISPOSAL_RATE: centre 1 (A): (9.5 + 12) / (10 + 12) = 97.7 (February's corrected report:
    12, not 6); centre 2 (B): 5 / 5 = 100.0; city 26.5 / 27 = 98.1.
  ISW_UTILIZATION_RATE: A: 2500 / (4000 + 1000) = 50.0; B: (900 + 2400) / (1500 + 3000) = 73.3;
    city 5800 / 9500 = 61.1.
  SW_STORAGE_COMPLIANCE_RATE: A: G1 compliant (checked 2019-06-01), G2 not (G6, general waste only and
    500 t/yr, is out of scope) -> 50.0; B: G3 checked only 2021-02-01, G5 (general waste only, 3,000 t/yr >
    1,000) compliant -> 1/2 = 50.0 (G4 closed is out of scope); city 2/4 = 50.0.
Findings (kind, record_key): weight_mismatch M2; manifest_never_received M3 (no receipt by the as-of
time), M5 (received after 57 days); declaration_mismatch G2's HW49 declaration (10 t declared, 20 t
manifested: 50 %; G1's corrected declaration 100 t = 80 + 10 + 10 matches, its first version 60 t would
not; G3 200 t vs 105 + 50 + 50 = 205 t: 2.4 %); stored_over_one_year G1 B1 (2020), G3 B0 (2020), G3 B1
(2021, 395 days at the March inventory); receiver_over_capacity R1 2020 (39 + 100 = 139 t > 100 t);
unregistered_generator C2's, the registry enterprise's and C3's (= G5, "general waste only") credit codes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from ingestion.common.uscc import check_char

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.integration

A, B, CITY = "530602", "530621", "530600"
ARROW = {"string": pa.string(), "timestamp": pa.timestamp("us"), "date": pa.date32(), "double": pa.float64(),
         "integer": pa.int32(), "bigint": pa.int64(), "boolean": pa.bool_()}


def uscc(serial: str, county: str = A) -> str:
    first17 = f"91{county}MA6K{serial:0>5}"[:17]
    return first17 + check_char(first17)


U1, U2, U3, U4, U5, U6, U7, U8, U9, U10 = (uscc(str(i), A if i in (1, 2, 4, 5, 10) else B)
                                           for i in range(1, 11))
G1, G2, G3, G4 = "HWG530602000001", "HWG530602000002", "HWG530621000001", "HWG530621000002"
G5, G6 = "SWG530621000003", "SWG530602000004"  # registered for general industrial solid waste only
FETCH = dt.datetime(2021, 4, 15, 10, 0)  # the last pull: only the corrected declaration arrives in it
EARLY = dt.datetime(2021, 3, 31, 10, 0)  # the pull before: everything else
D, T = dt.date, dt.datetime


def declared_columns(yml: str, source: str) -> dict[str, dict[str, str]]:
    doc = yaml.safe_load((PROJECT / "models" / "staging" / yml).read_text(encoding="utf-8"))
    (src,) = [s for s in doc["sources"] if s["name"] == source]
    return {t["name"]: {c["name"]: c["data_type"] for c in t["columns"]} for t in src["tables"]}


def write(home: Path, lake_path: str, columns: dict[str, str], rows: list[dict], name: str = "part-0") -> None:
    schema = pa.schema([(c, ARROW[t]) for c, t in columns.items()])
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows], schema=schema)
    folder = home / "lake" / lake_path
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")


def v(record_key: str, updated_at: dt.datetime, **values) -> dict:
    """One version of a platform record, as the connector lands it."""
    return {"record_key": record_key, "updated_at": updated_at, "fetched_at": EARLY, "load_id": "solidwaste:test:1",
            "page_file": f"landing/solidwaste/pages/{record_key}.json", **values}


def manifest(no, generator, code, category, shipped, received, signed, received_at, receiver, county,
             status=None, updated=None):
    return v(no, updated or (received_at or signed), generator_key=generator, transporter_name="昭通运输",
             receiver_key=receiver, hw_code=code, hw_category=category, shipped_t=shipped, received_t=received,
             generator_signed_at=signed, transporter_signed_at=signed,
             receiver_signed_at=received_at,
             status=status or ("received" if received_at else "in_transit"), county_code=county)


def write_lake(home: Path) -> None:
    sw = declared_columns("solidwaste/_solidwaste__sources.yml", "solidwaste")
    gen = {"industry_code": "2614", "management_level": "key", "status": "active"}
    write(home, "solidwaste/generators", sw["generators"], [
        v(G1, T(2019, 5, 1), uscc=U1, name="昭通甲化工有限公司", county_code=A, registered_on=D(2019, 5, 1),
          has_compliant_storage=False, general_isw_t_per_year=5000.0, **gen),
        v(G1, T(2019, 6, 1), uscc=U1, name="昭通甲化工有限公司", county_code=A, registered_on=D(2019, 5, 1),
          has_compliant_storage=True, storage_checked_on=D(2019, 6, 1), general_isw_t_per_year=5000.0, **gen),
        v(G2, T(2020, 3, 1), uscc=U2, name="昭通乙冶炼有限公司", county_code=A, registered_on=D(2020, 3, 1),
          has_compliant_storage=False, **gen),
        v(G3, T(2021, 2, 1), uscc=U3, name="鲁甸丙水泥有限公司", county_code=B, registered_on=D(2019, 1, 1),
          has_compliant_storage=True, storage_checked_on=D(2021, 2, 1), general_isw_t_per_year=2000.0, **gen),
        v(G4, T(2020, 9, 1), uscc=U8, name="鲁甸己电镀有限公司", county_code=B, registered_on=D(2019, 1, 1),
          has_compliant_storage=True, storage_checked_on=D(2019, 3, 1), **{**gen, "status": "closed"}),
        v(G5, T(2019, 2, 1), uscc=U9, name="鲁甸壬煤矿有限公司", county_code=B, registered_on=D(2019, 2, 1),
          has_compliant_storage=True, storage_checked_on=D(2019, 2, 1), general_isw_t_per_year=3000.0,
          waste_types="ISW", **{**gen, "industry_code": "0610", "management_level": "general"}),
        v(G6, T(2019, 2, 1), uscc=U10, name="昭通癸砖瓦有限公司", county_code=A, registered_on=D(2019, 2, 1),
          has_compliant_storage=False, general_isw_t_per_year=500.0, waste_types="ISW",
          **{**gen, "industry_code": "3031", "management_level": "general"}),
    ])
    decl = {"declared_at": T(2021, 3, 20), "is_correction": False}
    write(home, "solidwaste/declarations", sw["declarations"], [
        v(f"{G1}-2020-900-249-08", T(2021, 3, 20), generator_key=G1, year=2020, hw_code="900-249-08",
          hw_category="HW08", generated_t=60.0, self_utilised_t=10.0, self_disposed_t=0.0, transferred_t=80.0,
          stored_start_t=20.0, stored_end_t=30.0, **decl),
        v(f"{G1}-2020-900-249-08", T(2021, 4, 10), generator_key=G1, year=2020, hw_code="900-249-08",
          hw_category="HW08", generated_t=100.0, self_utilised_t=10.0, self_disposed_t=0.0, transferred_t=80.0,
          stored_start_t=20.0, stored_end_t=30.0, declared_at=T(2021, 4, 10), is_correction=True, fetched_at=FETCH),
        v(f"{G2}-2020-900-041-49", T(2021, 3, 25), generator_key=G2, year=2020, hw_code="900-041-49",
          hw_category="HW49", generated_t=10.0, self_utilised_t=0.0, self_disposed_t=0.0, transferred_t=10.0,
          stored_start_t=0.0, stored_end_t=0.0, **decl),
        v(f"{G3}-2020-772-002-18", T(2021, 3, 28), generator_key=G3, year=2020, hw_code="772-002-18",
          hw_category="HW18", generated_t=200.0, self_utilised_t=0.0, self_disposed_t=50.0, transferred_t=105.0,
          stored_start_t=10.0, stored_end_t=60.0, **decl),
    ])
    write(home, "solidwaste/manifests", sw["manifests"], [
        # M1: first published in transit, received three days later
        manifest("5306022020001", G1, "900-249-08", "HW08", 40.0, None, T(2020, 3, 2, 9), None, "R1", A,
                 updated=T(2020, 3, 2, 12)),
        manifest("5306022020001", G1, "900-249-08", "HW08", 40.0, 39.0, T(2020, 3, 2, 9), T(2020, 3, 5, 15),
                 "R1", A),
        manifest("5306022020002", G1, "900-249-08", "HW08", 40.0, 35.0, T(2020, 7, 1, 9), T(2020, 7, 3, 10),
                 "R2", A),
        manifest("5306022020003", G2, "900-041-49", "HW49", 20.0, None, T(2020, 11, 1, 9), None, "R2", A),
        manifest("5306022020004", G2, "900-249-08", "HW08", 3.0, 3.0, T(2020, 5, 1, 9), T(2020, 5, 2, 9), "R2", A),
        manifest("5306212020001", G3, "772-002-18", "HW18", 100.0, 100.0, T(2020, 6, 1, 9), T(2020, 6, 3, 9),
                 "R1", B),
        manifest("5306212020002", G3, "772-002-18", "HW18", 5.0, 5.0, T(2020, 12, 20, 9), T(2021, 2, 15, 9),
                 "R2", B),
        manifest("5306212020003", G3, "772-002-18", "HW18", 50.0, None, T(2020, 8, 1, 9), None, "R2", B,
                 status="cancelled", updated=T(2020, 8, 2)),
    ])
    rec = {"licence_valid_from": D(2018, 1, 1), "licence_valid_to": D(2023, 12, 31), "activity": "disposal"}
    write(home, "solidwaste/receivers", sw["receivers"], [
        v("R1", T(2019, 1, 1), uscc=uscc("91", A), name="昭通危废处置中心", county_code=A, licence_no="云危废530602001",
          licensed_categories="HW08,HW18", licensed_capacity_t_per_year=100.0, **rec),
        v("R2", T(2019, 1, 1), uscc=uscc("92", B), name="省外综合利用公司", county_code="out_of_city",
          licence_no="云危废000001", licensed_categories="HW08,HW18,HW49", licensed_capacity_t_per_year=1000.0, **rec),
    ])

    def batch(generator, b, since, qty, as_of, code="900-249-08", cat="HW08"):
        return v(f"{generator}-{b}", T(as_of.year, as_of.month, as_of.day, 9), generator_key=generator,
                 hw_code=code, hw_category=cat, stored_since=since, quantity_t=qty, as_of_date=as_of)

    write(home, "solidwaste/storage", sw["storage"], [
        batch(G1, "B1", D(2019, 6, 1), 20.0, D(2020, 11, 30)),
        batch(G1, "B1", D(2019, 6, 1), 20.0, D(2020, 12, 31)),
        batch(G1, "B2", D(2020, 10, 1), 10.0, D(2020, 11, 30)),
        batch(G1, "B2", D(2020, 10, 1), 10.0, D(2020, 12, 31)),
        batch(G3, "B0", D(2019, 1, 15), 10.0, D(2020, 11, 30), "772-002-18", "HW18"),
        batch(G3, "B1", D(2020, 3, 1), 60.0, D(2020, 11, 30), "772-002-18", "HW18"),
        batch(G3, "B1", D(2020, 3, 1), 60.0, D(2020, 12, 31), "772-002-18", "HW18"),
        batch(G3, "B1", D(2020, 3, 1), 60.0, D(2021, 3, 31), "772-002-18", "HW18"),
    ])
    write(home, "solidwaste/medical_waste", sw["medical_waste"], [
        v("MWC1-2020-01", T(2020, 2, 5), centre_key="MWC1", centre_name="昭通市医疗废物处置中心", county_code=A,
          month=D(2020, 1, 1), collected_t=10.0, disposed_t=9.5, generated_t=10.0),
        v("MWC1-2020-02", T(2020, 3, 5), centre_key="MWC1", centre_name="昭通市医疗废物处置中心", county_code=A,
          month=D(2020, 2, 1), collected_t=12.0, disposed_t=6.0, generated_t=12.0),
        v("MWC1-2020-02", T(2020, 3, 20), centre_key="MWC1", centre_name="昭通市医疗废物处置中心", county_code=A,
          month=D(2020, 2, 1), collected_t=12.0, disposed_t=12.0, generated_t=12.0),
        v("MWC2-2020-01", T(2020, 2, 5), centre_key="MWC2", centre_name="鲁甸县医疗废物处置中心", county_code=B,
          month=D(2020, 1, 1), collected_t=5.0, disposed_t=5.0, generated_t=5.0),
    ])
    write(home, "solidwaste/general_isw", sw["general_isw"], [
        v(f"{G1}-2020", T(2021, 3, 1), generator_key=G1, year=2020, generated_t=4000.0, utilised_t=2500.0,
          utilised_from_storage_t=1000.0, disposed_t=500.0, stored_t=2000.0),
        v(f"{G3}-2020", T(2021, 3, 1), generator_key=G3, year=2020, generated_t=1500.0, utilised_t=900.0,
          utilised_from_storage_t=0.0, disposed_t=600.0, stored_t=0.0),
        v(f"{G5}-2020", T(2021, 3, 1), generator_key=G5, year=2020, generated_t=3000.0, utilised_t=2400.0,
          utilised_from_storage_t=0.0, disposed_t=600.0, stored_t=0.0),
    ])

    census = declared_columns("census/_census__sources.yml", "census")["industrial_sources"]
    base = {"load_id": "census:test:1", "source_file": "landing/census/工业源.xlsx", "sheet": "工业源",
            "industry_code": "2614", "delivery": "delivery-2019"}
    write(home, "census/industrial_sources", census, [
        {**base, "row_no": 5, "source_record_id": "c/工业源/5", "credit_code": U1, "credit_code_raw": U1,
         "name": "昭通甲化工有限公司", "county_code": A, "hazardous_waste_t": 50.0, "general_solid_waste_t": 4000.0},
        {**base, "row_no": 6, "source_record_id": "c/工业源/6", "credit_code": U4, "credit_code_raw": U4,
         "name": "昭通丁制药有限公司", "county_code": A, "hazardous_waste_t": 12.5},
        {**base, "row_no": 7, "source_record_id": "c/工业源/7", "credit_code": U5, "credit_code_raw": U5,
         "name": "昭通庚食品有限公司", "county_code": A, "hazardous_waste_t": 0.0},
        {**base, "row_no": 8, "source_record_id": "c/工业源/8", "credit_code": U9, "credit_code_raw": U9,
         "name": "鲁甸壬煤矿有限公司", "county_code": B, "industry_code": "0610", "hazardous_waste_t": 2.0,
         "general_solid_waste_t": 3000.0},
    ])
    devices = declared_columns("sources/_sources__sources.yml", "online_monitoring")["source_devices"]
    dev = {"load_id": "sources:test:1", "industry_code": "3011", "parameters": "w01018,w21003", "required_from": D(2019, 1, 1), "networked": True}
    write(home, "monitoring/source_devices", devices, [
        {**dev, "line_no": 2, "mn": "M1", "outlet_code": "DW001", "outlet_type": "wastewater", "st": "32",
         "enterprise_credit_code": U3, "enterprise_name": "鲁甸丙水泥", "county_code": B,
         "networked_on": D(2019, 6, 1)},
        {**dev, "line_no": 3, "mn": "M2", "outlet_code": "DW002", "outlet_type": "wastewater", "st": "32",
         "enterprise_credit_code": U6, "enterprise_name": "鲁甸戊污水处理有限公司", "county_code": B,
         "networked_on": D(2020, 7, 1)},
        {**dev, "line_no": 4, "mn": "M3", "outlet_code": "FQ001", "outlet_type": "flue_gas", "st": "31",
         "enterprise_credit_code": U7, "enterprise_name": "鲁甸辛砖厂", "county_code": B,
         "networked_on": D(2019, 6, 1)},
    ])


def dbt_build(home: Path, *extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_", "DBT_"))}
    env.update(ZTECO_HOME=str(home), DBT_LOG_PATH=str(home / "dbt_logs"))
    args = ["--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT), "--target-path", str(home / "dbt_target")]
    for command in (["parse"], ["build", "--exclude", "resource_type:unit_test", *extra]):
        result = subprocess.run([str(BIN / "dbt"), *command, *args], env=env, capture_output=True, text=True,
                                timeout=900)
        assert result.returncode == 0, f"dbt {command[0]} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    home = tmp_path_factory.mktemp("solidwaste")
    write_lake(home)
    dbt_build(home)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


EXPECTED_2020 = {
    "HW_UTILIZATION_DISPOSAL_RATE": {A: 66.9, B: 73.8, CITY: 71.2},
    "HW_GENERATOR_REGISTRATION_RATE": {A: 66.7, B: 50.0, CITY: 57.1},
    "HW_MANIFEST_CLOSED_RATE": {A: 50.0, B: 100.0, CITY: 66.7},
    "HW_STORED_OVER_ONE_YEAR": {A: 20.0, B: 0.0, CITY: 20.0},
    "MEDICAL_WASTE_DISPOSAL_RATE": {A: 97.7, B: 100.0, CITY: 98.1},
    "ISW_UTILIZATION_RATE": {A: 50.0, B: 73.3, CITY: 61.1},
    "SW_STORAGE_COMPLIANCE_RATE": {A: 50.0, B: 50.0, CITY: 50.0},
}
EXPECTED_FRACTIONS = {  # (numerator, denominator) of the rates, worked out above
    ("HW_UTILIZATION_DISPOSAL_RATE", CITY): (242.0, 340.0),
    ("HW_GENERATOR_REGISTRATION_RATE", CITY): (4.0, 7.0),
    ("HW_MANIFEST_CLOSED_RATE", CITY): (4.0, 6.0),
    ("MEDICAL_WASTE_DISPOSAL_RATE", CITY): (26.5, 27.0),
    ("ISW_UTILIZATION_RATE", CITY): (5800.0, 9500.0),
    ("SW_STORAGE_COMPLIANCE_RATE", CITY): (2.0, 4.0),
}


@pytest.mark.parametrize("indicator", sorted(EXPECTED_2020))
def test_indicator_values_2020(wh, indicator):
    rows = wh.execute("""
        select area_code, value, numerator, denominator, missing_reason_code, method_version, as_of, load_ids
        from main.fct_indicator_values
        where indicator_code = ? and period_start = date '2020-01-01'""", [indicator]).fetchall()
    got = {r[0]: r for r in rows}
    assert len(got) == 12
    for area, expected in EXPECTED_2020[indicator].items():
        _, value, num, den, reason, method, as_of, loads = got[area]
        assert value == pytest.approx(expected), (indicator, area, value)
        assert reason is None and method and as_of == FETCH and "solidwaste:test:1" in loads
        if (indicator, area) in EXPECTED_FRACTIONS:
            assert (num, den) == pytest.approx(EXPECTED_FRACTIONS[(indicator, area)])
    # counties without any record say why instead of showing 0
    others = [r for a, r in got.items() if a not in (A, B, CITY)]
    assert others and all(r[1] is None and r[4] for r in others)


def test_counties_without_data_give_the_indicators_reason(wh):
    reasons = dict(wh.execute("""
        select indicator_code, min(missing_reason_code) from main.fct_indicator_values
        where area_code = '530623' and period_start = date '2020-01-01'
          and indicator_code in ('HW_UTILIZATION_DISPOSAL_RATE', 'MEDICAL_WASTE_DISPOSAL_RATE',
                                 'HW_GENERATOR_REGISTRATION_RATE')
        group by 1""").fetchall())
    assert reasons == {"HW_UTILIZATION_DISPOSAL_RATE": "no_hw_declarations",
                       "MEDICAL_WASTE_DISPOSAL_RATE": "no_medical_waste_centre",
                       "HW_GENERATOR_REGISTRATION_RATE": "no_hw_generators"}
    zh = wh.execute("select max(missing_reason_zh) from main.fct_indicator_values "
                    "where missing_reason_code = 'no_medical_waste_centre'").fetchone()[0]
    assert zh == "本年度本地区无医疗废物处置中心数据"


def test_findings_are_exactly_the_hand_worked_ones(wh):
    got = set(wh.execute("select kind, record_key, year from main.fct_hw_findings").fetchall())
    assert got == {
        ("weight_mismatch", "5306022020002", 2020),
        ("manifest_never_received", "5306022020003", 2020),
        ("manifest_never_received", "5306212020002", 2020),
        ("declaration_mismatch", f"{G2}-2020-900-041-49", 2020),
        ("stored_over_one_year", f"{G1}-B1", 2020),
        ("stored_over_one_year", f"{G3}-B0", 2020),
        ("stored_over_one_year", f"{G3}-B1", 2021),
        ("receiver_over_capacity", "R1", 2020),
        ("unregistered_generator", U4, 2020),
        ("unregistered_generator", U6, 2020),
        ("unregistered_generator", U9, 2020),
    }


def test_findings_carry_county_label_and_evidence(wh):
    rows = {r[0]: r[1:] for r in wh.execute("""
        select finding_id, county_code, kind_zh, evidence, observed_value, reference_value, difference_ratio,
               tolerance, unit_name
        from main.fct_hw_findings""").fetchall()}
    county, kind_zh, evidence, observed, reference, ratio, tol, name = rows["weight_mismatch:5306022020002"]
    assert (county, kind_zh, observed, reference, tol) == (A, "转移联单接收量与转移量不符", 35.0, 40.0, 0.05)
    assert ratio == pytest.approx(0.125) and "40" in evidence and "35" in evidence and "12.5%" in evidence
    assert name == "昭通甲化工有限公司"
    county, _, evidence, observed, reference, ratio, *_ = rows[f"declaration_mismatch:{G2}-2020-900-041-49"]
    assert (county, observed, reference) == (A, 10.0, 20.0) and ratio == pytest.approx(0.5)
    county, _, evidence, observed, reference, *_ = rows["receiver_over_capacity:R1:2020"]
    assert (observed, reference) == (139.0, 100.0) and "139" in evidence
    _, _, evidence, observed, *_ = rows["manifest_never_received:5306212020002"]
    assert observed == pytest.approx(57.0) and "57" in evidence
    county, *_ , name = rows[f"unregistered_generator:{U6}"]
    assert county == B and name == "鲁甸戊污水处理有限公司"
    assert rows[f"stored_over_one_year:{G3}-B1"][3] == 395.0
    county, *_, name = rows[f"unregistered_generator:{U9}"]
    assert county == B and "仅登记为一般工业固体废物产生单位" in rows[f"unregistered_generator:{U9}"][2]
    assert "未在固体废物管理平台登记" in rows[f"unregistered_generator:{U6}"][2]


def test_generator_list_flags_each_source(wh):
    got = {r[0]: r[1:] for r in wh.execute("""
        select credit_code, in_platform, in_census, in_online_monitoring, is_unregistered, county_code
        from main.fct_hw_generator_list""").fetchall()}
    assert got == {
        U1: (True, True, False, False, A),
        U2: (True, False, False, False, A),
        U3: (True, False, True, False, B),
        U8: (True, False, False, False, B),
        U4: (False, True, False, True, A),
        U6: (False, False, True, True, B),
        U9: (False, True, False, True, B),
    }
    general_only = {r[0] for r in wh.execute("select credit_code from main.fct_hw_generator_list "
                                             "where on_platform_for_general_waste_only").fetchall()}
    assert general_only == {U9}


def test_platform_generators_join_the_enterprise_matching(wh):
    systems = dict(wh.execute("""
        select source_record_id, enterprise_id from main.enterprise_source_links
        where source_system = 'solidwaste_platform'""").fetchall())
    assert set(systems) == {G1, G2, G3, G4, G5, G6}
    census_g1 = wh.execute("select enterprise_id from main.enterprise_source_links "
                           "where source_system = 'census' and source_record_id = 'c/工业源/5'").fetchone()[0]
    assert systems[G1] == census_g1


def test_hw_flows_by_county_and_category(wh):
    row = wh.execute("""
        select generated_t, shipped_t, received_t, manifests_issued, utilised_disposed_t, inventory_year_end_t,
               stored_over_limit_t, hw_category_zh
        from main.fct_hw_flows_county_year where area_code = ? and year = 2020 and hw_category = 'HW08'""",
                     [A]).fetchone()
    # G1 declared 100 t (corrected); manifests M1, M2 (G1) and M7 (G2): 40 + 40 + 3 shipped, 39 + 35 + 3
    # received; own utilisation 10; inventory at the end of 2020: G1 B1 20 t + B2 10 t, 20 t over a year
    assert row == (100.0, 83.0, 77.0, 3, 87.0, 30.0, 20.0, "废矿物油与含矿物油废物")
    city = wh.execute("""
        select sum(generated_t), sum(shipped_t) from main.fct_hw_flows_county_year
        where area_code = ? and year = 2020""", [CITY]).fetchone()
    assert city == (310.0, 208.0)  # 100 + 10 + 200 generated; 83 + 20 (M3) + 105 (M4, M5) shipped


def test_medical_and_general_waste_marts(wh):
    assert wh.execute("""select generated_t, disposed_t, disposal_rate_pct from main.fct_medical_waste_county_year
                         where area_code = ? and year = 2020""", [CITY]).fetchone() == (27.0, 26.5, 98.1)
    assert wh.execute("""select disposal_rate_pct from main.fct_medical_waste_monthly
                         where record_key = 'MWC1-2020-02'""").fetchone() == (100.0,)
    assert wh.execute("""select utilisation_rate_pct from main.fct_isw_county_year
                         where area_code = ? and year = 2020""", [B]).fetchone() == (73.3,)


def test_storage_compliance_scope(wh):
    got = {r[0]: r[1:] for r in wh.execute("""
        select generator_key, has_compliant_storage, is_large_isw_generator from main.fct_sw_storage_compliance
        where year = 2020""").fetchall()}
    assert got == {G1: (True, True), G2: (False, False), G3: (False, True), G5: (True, True)}
    hw = dict(wh.execute("select generator_key, is_hw_generator from main.fct_sw_storage_compliance "
                         "where year = 2020").fetchall())
    assert hw == {G1: True, G2: True, G3: True, G5: False}


def test_empty_lake_gives_no_solidwaste_data(tmp_path_factory):
    home = tmp_path_factory.mktemp("solidwaste-empty")
    dbt_build(home)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("""
            select count(*), count(value), min(missing_reason_code), max(missing_reason_code)
            from main.fct_indicator_values where indicator_code in (
                'HW_UTILIZATION_DISPOSAL_RATE', 'HW_GENERATOR_REGISTRATION_RATE', 'HW_MANIFEST_CLOSED_RATE',
                'HW_STORED_OVER_ONE_YEAR', 'MEDICAL_WASTE_DISPOSAL_RATE', 'ISW_UTILIZATION_RATE',
                'SW_STORAGE_COMPLIANCE_RATE')""").fetchone()
        assert rows == (7 * 12, 0, "no_solidwaste_data", "no_solidwaste_data")
        assert con.execute("select count(*) from main.fct_hw_findings").fetchone()[0] == 0
    finally:
        con.close()


def test_storage_days_are_counted_at_the_last_inventory_of_the_year(wh):
    got = {(r[0], r[1]): r[2:] for r in wh.execute("""
        select batch_key, year, as_of_date, days_stored_at_inventory, is_over_limit_at_year_end
        from intermediate.int_hw_storage_year_end""").fetchall()}
    # G3's last inventory of 2021 is 31 March: 2020-03-01 .. 2021-03-31 = 395 days (not 670 to 31 December);
    # B0 was gone by G3's December 2020 inventory, so it is not in 2020's year-end stock
    assert got[(f"{G3}-B1", 2021)] == (D(2021, 3, 31), 395, True)
    assert got[(f"{G3}-B1", 2020)] == (D(2020, 12, 31), 305, False)
    assert got[(f"{G1}-B1", 2020)] == (D(2020, 12, 31), 579, True)
    assert (f"{G3}-B0", 2020) not in got


@pytest.mark.parametrize("var", ["solidwaste_as_of", "as_of"])
def test_as_of_a_past_pull_the_warehouse_shows_what_the_platform_had_said(tmp_path_factory, var):
    """Built with solidwaste_as_of (or the project-wide as_of of an evaluation) before the last pull, G1's
    declaration is its first version (60 t): it no longer matches 80 + 10 + 10 = 100 t (40 %), and A's
    utilisation rate falls to 87 / (60 + 20 + 10) = 96.7, the city's to 242 / 300 = 80.7; the indicators say
    as of the earlier pull."""
    home = tmp_path_factory.mktemp("solidwaste-as-of")
    write_lake(home)
    dbt_build(home, "--vars", f"{{{var}: '2021-04-01 00:00:00'}}")
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        kinds = {(k, r) for k, r in con.execute("select kind, record_key from main.fct_hw_findings").fetchall()}
        assert ("declaration_mismatch", f"{G1}-2020-900-249-08") in kinds and len(kinds) == 12
        got = {a: (v, as_of) for a, v, as_of in con.execute("""
            select area_code, value, as_of from main.fct_indicator_values
            where indicator_code = 'HW_UTILIZATION_DISPOSAL_RATE' and period_start = date '2020-01-01'""").fetchall()}
        assert got[A] == (96.7, EARLY) and got[CITY] == (80.7, EARLY) and got[B] == (73.8, EARLY)
    finally:
        con.close()
