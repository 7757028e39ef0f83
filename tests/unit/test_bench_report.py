"""The benchmark report's arithmetic and shape (tests/bench/report.py); nothing here is timed."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.bench import pipeline
from tests.bench.report import (
    TOP_LEVEL_KEYS,
    Target,
    assemble,
    check_top_level,
    figure,
    percentile,
    ratio,
    table,
    targets_missed,
    write_report,
)


def test_percentile_interpolates_between_closest_ranks():
    # Worked by hand: 10 values 1..10, p50 at rank 4.5 → 5.5; p95 at rank 8.55 → 9 + 0.55 = 9.55.
    xs = [7, 1, 10, 3, 5, 2, 9, 4, 8, 6]
    assert percentile(xs, 50) == pytest.approx(5.5)
    assert percentile(xs, 95) == pytest.approx(9.55)
    assert percentile(xs, 0) == 1
    assert percentile(xs, 100) == 10
    assert percentile([42.0], 95) == 42.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_ratio_is_none_without_a_usable_reference():
    assert ratio(150.0, 100.0) == 1.5
    assert ratio(None, 100.0) is None
    assert ratio(1.0, None) is None
    assert ratio(1.0, 0) is None


def test_target_on_value_and_on_ratio():
    at_least = Target("value", ">=", 1_000_000, "at least 1,000,000 packets/s")
    assert at_least.met(1_000_000, None) is True
    assert at_least.met(999_999, None) is False
    within = Target("ratio", "<=", 1.5, "at most 1.5×")
    assert within.met(1000, 1.5) is True
    assert within.met(1, 1.51) is False
    assert within.met(1000, None) is None  # reference not measured: neither met nor missed
    assert Target("value", "==", 0, "zero lost").met(1, None) is False
    assert Target("value", "<", 300, "under 300 ms").met(300, None) is False


def test_figure_ratio_target_and_reason():
    f = figure(
        "backfill_wall_s",
        300.0,
        "s",
        reference_name="backfill_bare_sql_s",
        reference_value=120.0,
        target=Target("ratio", "<=", 1.5, "at most 1.5× the bare DuckDB SQL"),
    )
    assert f["ratio"] == 2.5
    assert f["met"] is False
    assert f["reference"] == {"name": "backfill_bare_sql_s", "value": 120.0}
    with pytest.raises(ValueError, match="reason"):
        figure("x", None, "s")
    unmeasured = figure(
        "x", None, "s", reason="Superset did not start", target=Target("value", "<", 300, "under 300 ms")
    )
    assert unmeasured["met"] is None and unmeasured["reason"] == "Superset did not start"


def test_targets_missed_in_plain_words():
    figs = {
        "a": figure(
            "a",
            2.0,
            "s",
            reference_name="r",
            reference_value=1.0,
            target=Target("ratio", "<=", 1.5, "at most 1.5× r"),
        ),
        "b": figure("b", 10.0, "ms", target=Target("value", "<", 300, "under 300 ms")),
        "c": figure("c", None, "ms", reason="not run", target=Target("value", "<", 300, "under 300 ms")),
        "d": figure("d", 5.0, "s"),
    }
    missed = targets_missed(figs)
    assert missed == [
        "a: 2× its reference, target at most 1.5× r: missed",
        "c: not measured (not run), target under 300 ms: not checked",
    ]


def test_assemble_has_every_required_key_and_writes_both_copies(tmp_path):
    figs = {"backfill_wall_s": figure("backfill_wall_s", 12.5, "s")}
    report = assemble(figs, machine={"cores": 2})
    assert list(report)[: len(TOP_LEVEL_KEYS)] == list(TOP_LEVEL_KEYS)
    assert report["backfill_wall_s"] == 12.5
    assert report["serving_chart_p95_ms"] is None
    assert report["figures"]["serving_chart_p95_ms"]["reason"].startswith("not run")
    assert "backfill_wall_s" in table(report)
    latest, stamped = write_report(report, tmp_path / "bench", now=datetime(2026, 1, 2, 3, 4, 5))
    assert latest.name == "report.json" and stamped.name == "report-20260102T030405.json"
    assert json.loads(latest.read_text(encoding="utf-8")) == json.loads(stamped.read_text(encoding="utf-8"))


def test_a_number_that_is_not_a_number_is_refused():
    report = {k: 1 for k in TOP_LEVEL_KEYS}
    check_top_level(report)
    with pytest.raises(ValueError, match="not a number"):
        check_top_level({**report, "receiver_lost_packets": "0"})
    with pytest.raises(ValueError, match="without a reason"):
        check_top_level({**report, "evaluation_wall_s": None, "figures": {}})
    with pytest.raises(ValueError, match="lacks"):
        check_top_level({k: 1 for k in TOP_LEVEL_KEYS[1:]})


def test_run_ids_are_read_from_the_last_run_in_the_log(tmp_path):
    log = tmp_path / "run.log"
    log.write_text(
        "=== old zteco run\n[1/2] monitoring_daily_job: x\n      done in 1.0s (run aaa)\n"
        "=== new zteco run --start 2020-01-02 --end 2020-01-02\n"
        "[1/2] monitoring_daily_job: station registry\n      done in 2.0s (run bbb-1)\n"
        "[2/2] warehouse_job: dbt build\n      done in 3.0s (run ccc-2)\n",
        encoding="utf-8",
    )
    ids = pipeline.run_ids(log, "zteco run --start 2020-01-02 --end 2020-01-02")
    assert ids == {"monitoring_daily_job": "bbb-1", "warehouse_job": "ccc-2"}


def test_reset_to_landing_keeps_only_what_generation_wrote(tmp_path):
    home = pipeline.Home(tmp_path).ensure()
    (tmp_path / "landing" / "a.hj212").write_text("x", encoding="utf-8")
    (tmp_path / pipeline.PRISTINE).write_text("landing/a.hj212\n", encoding="utf-8")
    (tmp_path / "lake" / "monitoring").mkdir(parents=True)
    (tmp_path / "lake" / "monitoring" / "p.parquet").write_text("y", encoding="utf-8")
    (tmp_path / "warehouse.duckdb").write_text("z", encoding="utf-8")
    assert pipeline.reset_to_landing(home) == 2
    assert (tmp_path / "landing" / "a.hj212").exists()
    assert not (tmp_path / "warehouse.duckdb").exists()
    assert not (tmp_path / "lake" / "monitoring").exists()


def test_bare_sql_runs_models_after_their_parents():
    from tests.bench.bare_sql import model_order

    def node(deps):
        return {"resource_type": "model", "depends_on": {"nodes": deps}}

    manifest = {
        "nodes": {
            "model.z.fct": node(["model.z.int_b", "model.z.int_a", "seed.z.counties"]),
            "model.z.int_b": node(["model.z.stg"]),
            "model.z.int_a": node(["model.z.stg", "source.z.lake"]),
            "model.z.stg": node(["source.z.lake"]),
            "seed.z.counties": {"resource_type": "seed", "depends_on": {"nodes": []}},
        }
    }
    order = model_order(manifest)
    assert sorted(order) == ["model.z.fct", "model.z.int_a", "model.z.int_b", "model.z.stg"]
    assert order[0] == "model.z.stg" and order[-1] == "model.z.fct"


def test_the_sampler_sees_the_memory_of_a_child_process(tmp_path):
    import os
    import sys

    from tests.bench.proc import run_timed

    # A grandchild holds 200 MiB (touched) for 1.5 s; the tree's peak must include it, its shell parent too.
    script = "import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"
    timed = run_timed(
        ["bash", "-c", f'"{sys.executable}" -c "{script}"; true'], dict(os.environ), tmp_path / "child.log"
    )
    assert timed.returncode == 0
    assert timed.peak_rss_mib >= 200
    assert any("bytearray" in name or "python" in name for name in timed.at_peak_mib)
