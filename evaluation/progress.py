"""Reference implementation of the progress rules of DOMAIN.md section 5 (the dbt mart
``fct_indicator_progress`` computes the same; tests/evaluation compares them).

Two methods, both reported:

- time-elapsed progress (序时进度): ``distance_share = (value - baseline) / (target - baseline)`` against
  ``elapsed_share = (year - baseline_year) / (target_year - baseline_year)``: ``on_schedule`` when the
  distance covered is at least the period elapsed, ``behind_schedule`` when it is at least 0,
  ``deterioration`` below 0;
- growth-rate ratio: observed CAGR ``(value / baseline) ** (1 / (year - baseline_year)) - 1`` over the
  required CAGR ``(target / baseline) ** (1 / (target_year - baseline_year)) - 1``, a zero replaced by
  0.001: ``>= 0.95`` on_track, ``0.6-0.95`` acceleration_needed, ``0-0.6`` limited_progress, ``< 0``
  deterioration; only defined for positive figures (``not_applicable`` otherwise).

Both say ``achieved`` when the value already meets the target (``>=`` when higher is better, ``<=`` when
lower is better) and ``no_data`` without a value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ZERO_REPLACEMENT = 0.001
ON_TRACK, ACCELERATION = 0.95, 0.6

STATUS_ZH = {
    "achieved": "已实现目标",
    "on_track": "进展顺利",
    "acceleration_needed": "有进展但需加快",
    "limited_progress": "进展有限",
    "on_schedule": "达到序时进度",
    "behind_schedule": "滞后于序时进度",
    "deterioration": "倒退",
    "no_baseline": "缺少基准值",
    "not_applicable": "不适用（数值非正）",
    "no_data": "无数据",
}


@dataclass(frozen=True)
class Progress:
    elapsed_share: float
    distance_share: float | None
    time_progress_status: str
    observed_cagr: float | None
    required_cagr: float | None
    growth_rate_ratio: float | None
    growth_rate_status: str
    status: str
    status_method: str
    checkpoint_value: float | None
    checkpoint_source: str | None
    meets_checkpoint: bool | None
    checkpoint_verdict: str | None
    meets_target: bool | None
    target_verdict: str | None

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    def as_dict(self) -> dict:
        return asdict(self)


def meets(value: float | None, goal: float | None, direction: str) -> bool | None:
    if value is None or goal is None:
        return None
    _check_direction(direction)
    return value >= goal if direction == "higher" else value <= goal


def _check_direction(direction: str) -> None:
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")


def _nz(x: float) -> float:
    return ZERO_REPLACEMENT if x == 0 else x


def assess(
    *,
    direction: str,
    baseline: float | None,
    value: float | None,
    target: float | None,
    year: int,
    baseline_year: int,
    target_year: int,
    checkpoint_year: int,
    checkpoint: float | None = None,
) -> Progress:
    """Progress of one indicator x area in ``year`` (after ``baseline_year``, at most ``target_year``).

    ``checkpoint``: the plan's mid-term figure; without it the checkpoint is interpolated on the straight
    line from the baseline to the target at ``checkpoint_year``.
    """
    _check_direction(direction)
    if not baseline_year < year <= target_year:
        raise ValueError(f"year {year} is outside the assessed years {baseline_year + 1}..{target_year}")
    elapsed = (year - baseline_year) / (target_year - baseline_year)

    if checkpoint is not None:
        cp, cp_source = checkpoint, "registry"
    elif baseline is not None and target is not None:
        cp = baseline + (target - baseline) * (checkpoint_year - baseline_year) / (
            target_year - baseline_year
        )
        cp_source = "interpolated"
    else:
        cp, cp_source = None, None

    met = meets(value, target, direction)
    met_cp = meets(value, cp, direction)

    distance = None
    if value is not None and baseline is not None and target is not None and target != baseline:
        distance = (value - baseline) / (target - baseline)

    observed = required = ratio = None
    if value is not None and baseline is not None and target is not None:
        b, v, t = _nz(baseline), _nz(value), _nz(target)
        if b > 0 and v > 0 and t > 0:
            observed = (v / b) ** (1 / (year - baseline_year)) - 1
            required = (t / b) ** (1 / (target_year - baseline_year)) - 1
            ratio = observed / required if required != 0 else None

    if value is None:
        time_status = growth_status = "no_data"
    elif met:
        time_status = growth_status = "achieved"
    elif baseline is None:
        time_status = growth_status = "no_baseline"
    else:
        if distance is None:  # target = baseline, not met: worse than the baseline
            time_status = "deterioration"
        elif distance >= elapsed:
            time_status = "on_schedule"
        elif distance >= 0:
            time_status = "behind_schedule"
        else:
            time_status = "deterioration"
        if observed is None:
            growth_status = "not_applicable"
        elif ratio is None:  # required CAGR 0 and not met
            growth_status = "deterioration"
        elif ratio >= ON_TRACK:
            growth_status = "on_track"
        elif ratio >= ACCELERATION:
            growth_status = "acceleration_needed"
        elif ratio >= 0:
            growth_status = "limited_progress"
        else:
            growth_status = "deterioration"

    if growth_status == "not_applicable":
        status, method = time_status, "time_elapsed"
    else:
        status, method = growth_status, "growth_rate"

    def verdict(at_year: int, ok: bool | None) -> str | None:
        if year != at_year or ok is None:
            return None
        return "achieved" if ok else "not_achieved"

    return Progress(
        elapsed_share=elapsed,
        distance_share=distance,
        time_progress_status=time_status,
        observed_cagr=observed,
        required_cagr=required,
        growth_rate_ratio=ratio,
        growth_rate_status=growth_status,
        status=status,
        status_method=method,
        checkpoint_value=cp,
        checkpoint_source=cp_source,
        meets_checkpoint=met_cp,
        checkpoint_verdict=verdict(checkpoint_year, met_cp),
        meets_target=met,
        target_verdict=verdict(target_year, met),
    )


def county_ranks(values: dict[str, float | None], direction: str) -> dict[str, int | None]:
    """Rank of each county by value (1 = best; ties share the rank, SQL ``rank()``); None without a value."""
    _check_direction(direction)
    present = [v for v in values.values() if v is not None]
    out: dict[str, int | None] = {}
    for area, v in values.items():
        if v is None:
            out[area] = None
        elif direction == "higher":
            out[area] = 1 + sum(1 for w in present if w > v)
        else:
            out[area] = 1 + sum(1 for w in present if w < v)
    return out
