"""The county marts built by dbt on the intake of the county world, checked against the world's truth
(ground truth written by the simulator, recomputed here without the SQL under test):

- fct_county_submissions equals the truth's expected submissions exactly (deadline, received_at, on_time,
  status, rejection_reason);
- completeness and timeliness per county-month and city-month equal the truth's counts;
- the county_forms indicators of the spine year equal values recomputed from the truth's final figures;
- "as known on" a date before a correction returns the figure before it.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from tests.counties.conftest import copy_lake, dbt_build

CITY = "530600"


def rhu(x: float) -> float:
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def truth(county_intake) -> list[dict]:
    home, _ = county_intake
    with (home.world / "county_submissions_truth.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def wh(county_wh):
    con = duckdb.connect(str(county_wh), read_only=True)
    yield con
    con.close()


def test_fct_county_submissions_equals_the_truth_exactly(wh, truth) -> None:
    rows = {
        (r[0], r[1], r[2].isoformat()): r[3:]
        for r in wh.execute(
            "select county_code, form_code, period_start, deadline, received_at, on_time, status, rejection_reason "
            "from main.fct_county_submissions"
        ).fetchall()
    }
    expected = {
        (t["county_code"], t["form_code"], t["period_start"]): (
            t["deadline"],
            t["received_at"] or None,
            t["on_time"] == "True",
            t["status"],
            t["rejection_reason"] or None,
        )
        for t in truth
        if t["expected"] == "True"
    }
    got = {
        k: (v[0].isoformat(), v[1].isoformat(sep=" ") if v[1] else None, v[2], v[3], v[4])
        for k, v in rows.items()
    }
    assert got == expected
    statuses = {v[3] for v in expected.values()}
    assert statuses == {"on_time", "late", "rejected", "missing"}


def test_serving_columns_in_contract_order(wh) -> None:
    cols = [r[0] for r in wh.execute("describe main.fct_county_submissions").fetchall()]
    assert cols[:8] == [
        "county_code",
        "form_code",
        "period_start",
        "deadline",
        "received_at",
        "on_time",
        "status",
        "rejection_reason",
    ]


def test_completeness_and_timeliness_per_county_and_city_month(wh, truth) -> None:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for t in truth:
        if t["expected"] != "True":
            continue
        month = t["period_end"][:7] + "-01"
        for area in (t["county_code"], CITY):
            c = counts[(area, month)]
            c[0] += 1
            c[1] += t["status"] in ("on_time", "late")
            c[2] += t["on_time"] == "True"
    rows = wh.execute(
        "select area_code, month_start, expected_count, received_count, on_time_count, "
        "completeness_rate, timeliness_rate from main.fct_county_reporting_monthly"
    ).fetchall()
    got = {(r[0], r[1].isoformat()): list(r[2:]) for r in rows}
    want = {k: [*v, rhu(100 * v[1] / v[0]), rhu(100 * v[2] / v[0])] for k, v in counts.items()}
    assert got == want
    # a quarter-end month has more expected submissions than the month before (quarterly forms count once)
    assert got[("530602", "2020-03-01")][0] > got[("530602", "2020-02-01")][0]


def _indicator_truth(truth: list[dict], year: int) -> dict[tuple[str, str], float | None]:
    with open("dbt_project/seeds/county_form_indicators.csv", encoding="utf-8") as f:
        rules = list(csv.DictReader(f))
    counties = sorted({t["county_code"] for t in truth})
    out: dict[tuple[str, str], float | None] = {}
    for rule in rules:
        per_county: dict[str, tuple[float, float | None]] = {}
        base: dict[str, float] = {}
        for c in counties:
            for y, target in ((year, per_county), (2020, None)):
                slots = sorted(
                    (
                        t
                        for t in truth
                        if t["county_code"] == c
                        and t["form_code"] == rule["form_code"]
                        and t["figures"]
                        and t["period_start"][:4] == str(y)
                    ),
                    key=lambda t: t["period_start"],
                )
                if not slots:
                    continue
                used = slots if rule["period_rule"] == "sum" else slots[-1:]
                figs = [json.loads(t["figures"]) for t in used]
                num = sum(x[rule["numerator_field"]] for x in figs)
                den = sum(x[rule["denominator_field"]] for x in figs) if rule["denominator_field"] else None
                if target is not None:
                    target[c] = (num, den)
                else:
                    base[c] = num
        for area in [*counties, CITY]:
            members = [c for c in counties if area in (c, CITY) and c in per_county]
            if not members:
                continue
            num = sum(per_county[c][0] for c in members)
            calc = rule["calc"]
            if calc == "ratio":
                den = sum(per_county[c][1] for c in members)
                value = rhu(100 * num / den) if den else None
            elif calc == "count":
                value = float(num) if area != CITY or len(members) == 11 else None
            elif calc == "share_of_counties":
                value = rhu(100 * num / 11) if len(members) == 11 else None
            else:
                both = [c for c in members if c in base]
                b = sum(base[c] for c in both)
                value = rhu(100 * (sum(per_county[c][0] for c in both) - b) / b) if b else None
            out[(rule["indicator_code"], area)] = value
    for area in [*counties, CITY]:
        exp = [
            t
            for t in truth
            if t["expected"] == "True"
            and t["period_end"][:4] == str(year)
            and area in (t["county_code"], CITY)
        ]
        out[("COUNTY_REPORTING_COMPLETENESS", area)] = rhu(
            100 * sum(t["status"] in ("on_time", "late") for t in exp) / len(exp)
        )
        out[("COUNTY_REPORTING_TIMELINESS", area)] = rhu(
            100 * sum(t["on_time"] == "True" for t in exp) / len(exp)
        )
    return out


def test_county_forms_indicators_equal_the_truth(wh, truth) -> None:
    rows = wh.execute(
        "select indicator_code, area_code, value, missing_reason_code "
        "from intermediate.int_indicator_values__county_forms "
        "where period_start = date '2020-01-01'"
    ).fetchall()
    registry = {}
    with open("/work/shared/indicators.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["source_family"] == "county_forms":
                registry[r["code"]] = r["areas"]
    assert {r[0] for r in rows} == set(registry) and len(registry) == 17
    # city-only indicators have no county rows (the registry's areas column)
    for code, areas in registry.items():
        n = sum(1 for r in rows if r[0] == code)
        assert n == (12 if "county" in areas else 1), code
    want = _indicator_truth(truth, 2020)
    got = {(r[0], r[1]): r[2] for r in rows}
    for key, value in got.items():
        assert value == want.get(key), key
    assert all((r[2] is None) == (r[3] is not None) for r in rows)


def test_as_known_on_a_date_before_a_correction(county_intake, truth, tmp_path_factory) -> None:
    corrected = [t for t in truth if t["corrected_at"]]
    assert corrected
    t = corrected[0]
    first, final = json.loads(t["first_figures"]), json.loads(t["figures"])
    field = next(k for k in final if first[k] != final[k])
    before = datetime.fromisoformat(t["corrected_at"]) - timedelta(minutes=1)
    home, _ = county_intake
    past = copy_lake(home, tmp_path_factory.mktemp("county-as-of"))
    dbt_build(past.root, "--vars", f"{{as_of: '{before.isoformat(sep=' ')}'}}")
    query = (
        "select figure_value from intermediate.int_county_figures_latest where county_code = ? "
        "and form_code = ? and period_start = cast(? as date) and figure_code = ?"
    )
    args = [t["county_code"], t["form_code"], t["period_start"], field]
    with duckdb.connect(str(past.warehouse), read_only=True) as con:
        assert con.execute(query, args).fetchone()[0] == pytest.approx(first[field])
        cutoff = con.execute("select max(reporting_cutoff) from main.fct_county_submissions").fetchone()[0]
        assert cutoff == before.replace(microsecond=0)
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute(query, args).fetchone()[0] == pytest.approx(final[field])


def test_quality_results_of_every_intake_run_count_dated_by_arrival(county_intake, tmp_path_factory) -> None:
    """The county uploads are taken in file by file: each intake run checks only files not seen before. Split the
    intake's rule outcomes into two runs that share days (every other row a second run, an hour later): every
    outcome of both stays in fct_quality_check_results (a re-processed daily partition replaces its earlier
    results, a later intake run does not), each dated by the day its file arrived."""
    from collections import Counter

    import pyarrow as pa
    import pyarrow.parquet as pq

    home, run = county_intake
    other = copy_lake(home, tmp_path_factory.mktemp("county-quality"))
    results = pq.read_table(run.quality_results)
    results_dir = other.lake / "quality" / "results"
    (results_dir / run.quality_results.name).unlink()
    first, second = results.take(list(range(0, len(results), 2))), results.take(list(range(1, len(results), 2)))
    later = pa.array([v + timedelta(hours=1) for v in second.column("checked_at").to_pylist()],
                     type=second.schema.field("checked_at").type)
    second = second.set_column(second.schema.get_field_index("checked_at"), "checked_at", later)
    second = second.set_column(second.schema.get_field_index("load_id"), "load_id",
                               pa.array(["counties.submissions:all:second-run"] * len(second)))
    pq.write_table(first, results_dir / "first.parquet")
    pq.write_table(second, results_dir / "second.parquet")
    dbt_build(other.root, "+fct_quality_check_results")

    n_rules = len(set(results.column("rule").to_pylist()))
    expected = Counter()
    for f in run.files:  # one outcome per rule of an accepted file, one of a rejected file, none of a duplicate
        expected[f["received_at"].date()] += {"accepted": n_rules, "rejected": 1}.get(f["outcome"], 0)
    con = duckdb.connect(str(other.root / "warehouse.duckdb"), read_only=True)
    got = Counter(dict(con.execute("""
        select check_date, count(*) from main.fct_quality_check_results where dataset = 'counties/submissions'
        group by 1
    """).fetchall()))
    loads = con.execute("""
        select count(distinct load_id) from main.fct_quality_check_results where dataset = 'counties/submissions'
    """).fetchone()[0]
    con.close()
    assert +expected == got
    assert loads == 2
