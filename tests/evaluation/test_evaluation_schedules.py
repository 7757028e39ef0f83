"""The evaluation extracts in Dagster: lineage from the indicator marts, the annual report every January for
the previous year, the mid-term and final evaluations in the January after their as-of dates only."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import AssetKey, RunRequest, SkipReason, build_schedule_context

from evaluation.extract import resolve_request
from orchestration.defs import evaluation


def run_config(result) -> dict:
    return result.run_config["ops"]["extracts__evaluation"]["config"]


def test_extract_asset_reads_the_indicator_marts():
    deps = set(evaluation.evaluation_extract.asset_deps[evaluation.EXTRACT])
    assert AssetKey(["warehouse", "fct_indicator_progress"]) in deps
    assert AssetKey(["warehouse", "fct_indicator_values"]) in deps


@pytest.mark.parametrize("year", [2022, 2024, 2026])
def test_annual_report_every_january_for_the_previous_year(year):
    ctx = build_schedule_context(scheduled_execution_time=dt.datetime(year, 1, 5, 6, 0))
    result = evaluation.annual_report_schedule(ctx)
    assert isinstance(result, RunRequest)
    assert run_config(result) == {"kind": "annual", "as_of": "", "year": year - 1}
    assert result.run_key == f"annual-{year - 1}"


@pytest.mark.parametrize(
    ("year", "kind", "as_of"),
    [(2022, None, None), (2024, "midterm", "2023-12-31"), (2025, None, None), (2026, "final", "2025-12-31")],
)
def test_plan_evaluations_on_their_dates(year, kind, as_of):
    ctx = build_schedule_context(scheduled_execution_time=dt.datetime(year, 1, 15, 7, 0))
    result = evaluation.plan_evaluation_schedule(ctx)
    if kind is None:
        assert isinstance(result, SkipReason)
    else:
        assert isinstance(result, RunRequest)
        assert run_config(result)["kind"] == kind and run_config(result)["as_of"] == as_of


def test_default_as_of_per_kind():
    today = dt.date(2026, 3, 1)
    assert resolve_request("midterm", None, None, today).as_of == dt.date(2023, 12, 31)
    assert resolve_request("midterm", None, None, today).year == 2023
    assert resolve_request("final", None, None, today).as_of == dt.date(2025, 12, 31)
    annual = resolve_request("annual", None, 2024, today)
    assert (annual.as_of, annual.year, annual.folder_name) == (
        dt.date(2024, 12, 31),
        2024,
        "annual-2024-12-31",
    )
    assert resolve_request("annual", None, None, today).year == 2025
    with pytest.raises(ValueError):
        resolve_request("quarterly", None, None, today)
