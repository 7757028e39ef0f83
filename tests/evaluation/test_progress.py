"""The progress rules of DOMAIN.md section 5 on hand-worked examples (evaluation/progress.py).

Every expected figure below was worked out by hand (logarithms to 6 digits), not by the code under test.
"""

from __future__ import annotations

import pytest

from evaluation.progress import assess, county_ranks, meets

PLAN = {"baseline_year": 2020, "target_year": 2025, "checkpoint_year": 2023}


def test_lower_is_better_on_schedule_by_time_but_needs_acceleration_by_growth_rate():
    # PM2.5 40 -> target 25 (lower is better), 31 in 2023.
    p = assess(direction="lower", baseline=40, value=31, target=25, year=2023, **PLAN)
    assert p.elapsed_share == pytest.approx(0.6)  # 3/5 at the end of 2023
    assert p.distance_share == pytest.approx(0.6)  # (31-40)/(25-40) = 9/15
    assert p.time_progress_status == "on_schedule"
    # (31/40)^(1/3) - 1: ln 0.775 = -0.254892, /3 -> exp = 0.918546
    assert p.observed_cagr == pytest.approx(-0.081454, abs=2e-6)
    # (25/40)^(1/5) - 1: ln 0.625 = -0.470004, /5 -> exp = 0.910282
    assert p.required_cagr == pytest.approx(-0.089718, abs=2e-6)
    assert p.growth_rate_ratio == pytest.approx(0.9079, abs=1e-4)
    assert p.growth_rate_status == "acceleration_needed"
    assert p.status == "acceleration_needed" and p.status_method == "growth_rate"
    assert p.status_zh == "有进展但需加快"
    # the interpolated checkpoint 40 + (25-40)*3/5 = 31 is met exactly in the checkpoint year
    assert p.checkpoint_value == pytest.approx(31) and p.checkpoint_source == "interpolated"
    assert p.meets_checkpoint is True and p.checkpoint_verdict == "achieved"
    assert p.meets_target is False and p.target_verdict is None


def test_lower_is_better_getting_worse_is_deterioration():
    p = assess(direction="lower", baseline=40, value=44, target=25, year=2021, **PLAN)
    assert p.distance_share == pytest.approx(-4 / 15)
    assert p.time_progress_status == "deterioration"
    assert p.observed_cagr == pytest.approx(0.1)  # 44/40 - 1 over one year
    assert p.growth_rate_ratio < 0
    assert p.status == "deterioration" and p.status_zh == "倒退"


def test_higher_is_better_deterioration():
    # good days 90 % -> target 97 %, 88 % in 2022
    p = assess(direction="higher", baseline=90, value=88, target=97, year=2022, **PLAN)
    assert p.distance_share == pytest.approx(-2 / 7)
    assert p.time_progress_status == "deterioration"
    # (88/90)^(1/2) - 1 = 0.988826 - 1
    assert p.observed_cagr == pytest.approx(-0.011174, abs=2e-6)
    assert p.growth_rate_status == "deterioration"


def test_zero_baseline_is_replaced_by_0001_in_the_growth_rate():
    # automatic monitoring 0 % -> target 30 %, 12 % in 2021
    p = assess(direction="higher", baseline=0, value=12, target=30, year=2021, **PLAN)
    assert p.elapsed_share == pytest.approx(0.2)
    assert p.distance_share == pytest.approx(0.4)  # 12/30
    assert p.time_progress_status == "on_schedule"
    assert p.observed_cagr == pytest.approx(11999)  # 12/0.001 - 1
    # 30000^(1/5): ln 30000 = 10.308953, /5 = 2.061791, exp = e^2 * e^0.061791 = 7.389056 * 1.063740
    assert p.required_cagr == pytest.approx(6.860031, abs=1e-5)
    assert p.growth_rate_ratio == pytest.approx(11999 / 6.860031, rel=1e-5)
    assert p.status == "on_track"


def test_zero_target_lower_is_better_limited_progress():
    # heavy pollution days 5 -> 0, 2 in 2022: zero target replaced by 0.001
    p = assess(direction="lower", baseline=5, value=2, target=0, year=2022, **PLAN)
    assert p.distance_share == pytest.approx(0.6)  # (2-5)/(0-5)
    assert p.time_progress_status == "on_schedule"  # 0.6 >= 2/5
    # (2/5)^(1/2) - 1 = 0.632456 - 1; (0.0002)^(1/5): ln = -8.517193, /5 = -1.703439, exp = 0.182056
    assert p.observed_cagr == pytest.approx(-0.367544, abs=2e-6)
    assert p.required_cagr == pytest.approx(-0.817944, abs=2e-6)
    assert p.growth_rate_ratio == pytest.approx(0.449355, abs=2e-5)
    assert p.growth_rate_status == "limited_progress" and p.status_zh == "进展有限"


@pytest.mark.parametrize(
    ("direction", "baseline", "value", "target"),
    [
        ("higher", 90, 98, 97),  # above a higher-is-better target
        ("higher", 90, 97, 97),  # exactly on it
        ("lower", 3, 0, 0),  # heavy pollution days down to the zero target
        ("lower", 40, 24.5, 25),  # PM2.5 below target
    ],
)
def test_target_already_met_is_achieved_by_both_methods(direction, baseline, value, target):
    p = assess(direction=direction, baseline=baseline, value=value, target=target, year=2021, **PLAN)
    assert p.time_progress_status == p.growth_rate_status == p.status == "achieved"
    assert p.meets_target is True
    assert p.status_zh == "已实现目标"


def test_checkpoint_year_with_a_registry_checkpoint():
    # responsibility list: 80 % -> checkpoint 100 % in 2023, target 100 % in 2025; 95 % in 2023
    p = assess(direction="higher", baseline=80, value=95, target=100, checkpoint=100, year=2023, **PLAN)
    assert p.checkpoint_source == "registry" and p.checkpoint_value == 100
    assert p.meets_checkpoint is False and p.checkpoint_verdict == "not_achieved"
    assert p.distance_share == pytest.approx(0.75)
    assert p.time_progress_status == "on_schedule"
    # (95/80)^(1/3): ln 1.1875 = 0.171850, /3 -> 1.058956; (100/80)^(1/5): ln 1.25 = 0.223144, /5 -> 1.045640
    assert p.growth_rate_ratio == pytest.approx(0.058956 / 0.045640, abs=2e-4)
    assert p.status == "on_track"
    # outside the checkpoint year no verdict; at the target year the target verdict
    assert (
        assess(
            direction="higher", baseline=80, value=95, target=100, checkpoint=100, year=2022, **PLAN
        ).checkpoint_verdict
        is None
    )
    end = assess(direction="higher", baseline=80, value=100, target=100, checkpoint=100, year=2025, **PLAN)
    assert end.target_verdict == "achieved" and end.checkpoint_verdict is None
    miss = assess(direction="higher", baseline=80, value=99, target=100, year=2025, **PLAN)
    assert miss.target_verdict == "not_achieved"


def test_negative_figures_fall_back_to_time_elapsed():
    # COD discharge change: 0 % in 2020 -> target -8 %, -3 % in 2021 (a change cannot have a CAGR)
    p = assess(direction="lower", baseline=0, value=-3, target=-8, year=2021, **PLAN)
    assert p.growth_rate_status == "not_applicable" and p.observed_cagr is None
    assert p.distance_share == pytest.approx(0.375)
    assert p.status == "on_schedule" and p.status_method == "time_elapsed"


def test_growth_rate_thresholds():
    # baseline 100 -> 200 in 5 years needs 2^(1/5) per year; after one year at ratio r the value is
    # 100 * (1 + r * (2^(1/5) - 1))
    g = 2**0.2 - 1
    for ratio, status in [
        (1.0, "on_track"),
        (0.95, "on_track"),
        (0.9, "acceleration_needed"),
        (0.6, "acceleration_needed"),
        (0.5, "limited_progress"),
        (0.0, "limited_progress"),
        (-0.1, "deterioration"),
    ]:
        value = 100 * (1 + ratio * g) + 1e-9
        p = assess(direction="higher", baseline=100, value=value, target=200, year=2021, **PLAN)
        assert p.growth_rate_status == status, (ratio, p.growth_rate_ratio)


def test_no_value_is_no_data_never_zero():
    p = assess(direction="higher", baseline=90, value=None, target=97, year=2021, **PLAN)
    assert p.status == p.time_progress_status == "no_data"
    assert p.meets_target is None and p.distance_share is None and p.growth_rate_ratio is None
    nb = assess(direction="higher", baseline=None, value=93, target=97, year=2021, **PLAN)
    assert nb.status == "no_baseline" and nb.checkpoint_value is None


def test_direction_is_mandatory():
    with pytest.raises(ValueError, match="direction"):
        assess(direction="", baseline=1, value=1, target=2, year=2021, **PLAN)
    with pytest.raises(ValueError, match="direction"):
        meets(1, 2, None)


def test_county_ranks_follow_the_direction():
    values = {"a": 30.0, "b": 25.0, "c": None, "d": 25.0}
    assert county_ranks(values, "lower") == {"a": 3, "b": 1, "c": None, "d": 1}
    assert county_ranks(values, "higher") == {"a": 1, "b": 2, "c": None, "d": 2}


def test_status_labels_equal_the_seed():
    """The reference's Chinese labels are the seed's (the dashboards and the mart read the seed)."""
    import csv
    from pathlib import Path

    from evaluation.progress import STATUS_ZH

    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "progress_statuses.csv"
    with seed.open(encoding="utf-8") as f:
        labels = {r["status_code"]: r["label_zh"] for r in csv.DictReader(f)}
    assert STATUS_ZH == labels
