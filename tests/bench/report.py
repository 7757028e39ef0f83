"""The benchmark report: figures against their references and targets, written as JSON + a short table.

Pure functions (no timing, no I/O but ``write_report``), unit-tested in tests/unit/test_bench_report.py.

A figure that could not be measured is ``None`` with a reason; it is never invented, and its
target is neither met nor missed (``met`` is ``None``) but listed as not measured.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# The numeric top-level keys of report.json (issue 10), in the order of the printed table.
TOP_LEVEL_KEYS = (
    "hj212_decode_packets_per_s",
    "hj212_reference_packets_per_s",
    "receiver_packets_per_s",
    "receiver_lost_packets",
    "receiver_peak_rss_mib",
    "backfill_wall_s",
    "backfill_bare_sql_s",
    "backfill_peak_rss_mib",
    "incremental_first_day_s",
    "incremental_last_day_s",
    "serving_chart_p50_ms",
    "serving_chart_p95_ms",
    "evaluation_wall_s",
)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks (numpy's default).

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def ratio(value: float | None, reference: float | None) -> float | None:
    """value / reference, or None when either is missing or the reference is zero."""
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


@dataclass(frozen=True)
class Target:
    """What the issue asks of a figure. ``on`` is "value" or "ratio"; ``op`` is one of >=, <=, <, ==."""

    on: str
    op: str
    threshold: float
    words: str  # the target in plain words, e.g. "at least 1,000,000 packets/s"

    def met(self, value: float | None, ratio_: float | None) -> bool | None:
        x = value if self.on == "value" else ratio_
        if x is None:
            return None
        return {
            ">=": x >= self.threshold,
            "<=": x <= self.threshold,
            "<": x < self.threshold,
            "==": x == self.threshold,
        }[self.op]


def figure(
    name: str,
    value: float | None,
    unit: str,
    *,
    reference_name: str | None = None,
    reference_value: float | None = None,
    target: Target | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """One entry of the report's ``figures`` section."""
    if value is None and not reason:
        raise ValueError(f"{name}: a figure that was not measured needs the reason")
    r = ratio(value, reference_value) if reference_name else None
    out: dict[str, Any] = {
        "value": value,
        "unit": unit,
        "reference": {"name": reference_name, "value": reference_value} if reference_name else None,
        "ratio": None if r is None else round(r, 3),
        "target": target.words if target else None,
        "target_on": target.on if target else None,
        "met": target.met(value, r) if target else None,
    }
    if reason:
        out["reason"] = reason
    if note:
        out["note"] = note
    return out


def targets_missed(figures: dict[str, dict[str, Any]]) -> list[str]:
    """Plain-words list of every target missed, then of every target that could not be checked."""
    missed, unknown = [], []
    for name, f in figures.items():
        if f.get("target") is None:
            continue
        on_ratio = f.get("target_on") == "ratio"
        shown = f"{_fmt(f['ratio'])}× its reference" if on_ratio else f"{_fmt(f['value'])} {f['unit']}"
        if f["met"] is False:
            missed.append(f"{name}: {shown}, target {f['target']}: missed")
        elif f["met"] is None:
            why = f.get("reason") or "its reference was not measured"
            unknown.append(f"{name}: not measured ({why}), target {f['target']}: not checked")
    return missed + unknown


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 100):
        return f"{int(x):,}"
    if isinstance(x, float):
        return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"
    return str(x)


def table(report: dict[str, Any]) -> str:
    """The short table printed at the end of a run: figure, value, reference, ratio, target, met."""
    rows = [("figure", "value", "unit", "reference", "ratio", "target", "met")]
    for name, f in report.get("figures", {}).items():
        ref = f.get("reference") or {}
        ref_s = f"{ref.get('name')} {_fmt(ref.get('value'))}" if ref else ""
        met = {True: "yes", False: "NO", None: "-" if f.get("target") is None else "n/a"}[f.get("met")]
        value = _fmt(f["value"]) if f["value"] is not None else f"null ({f.get('reason', '')[:40]})"
        rows.append(
            (
                name,
                value,
                f["unit"],
                ref_s,
                _fmt(f.get("ratio")) if f.get("ratio") is not None else "",
                f.get("target") or "",
                met,
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check_top_level(report: dict[str, Any]) -> None:
    """Every required key present, a number or null (null only with a reason in ``figures``)."""
    for key in TOP_LEVEL_KEYS:
        if key not in report:
            raise ValueError(f"report lacks {key}")
        v = report[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise ValueError(f"{key} is not a number: {v!r}")
        if v is None and not (report.get("figures", {}).get(key) or {}).get("reason"):
            raise ValueError(f"{key} is null without a reason")


def assemble(figures: dict[str, dict[str, Any]], **sections: Any) -> dict[str, Any]:
    """The report: the required numeric keys first (from ``figures``, null when absent), then sections."""
    report: dict[str, Any] = {}
    for key in TOP_LEVEL_KEYS:
        report[key] = figures[key]["value"] if key in figures else None
        if key not in figures:
            figures[key] = figure(key, None, "", reason="not run (excluded by --only)")
    report.update(sections)
    report["figures"] = {
        k: figures[k] for k in (*TOP_LEVEL_KEYS, *sorted(set(figures) - set(TOP_LEVEL_KEYS)))
    }
    figures = report["figures"]
    report["targets_missed"] = targets_missed(figures)
    check_top_level(report)
    return report


def write_report(
    report: dict[str, Any], bench_dir: Path, now: datetime | None = None, stamped_copy: bool = True
) -> tuple[Path, Path | None]:
    """``bench_dir/report.json`` (the last run) and a timestamped copy ``bench_dir/report-<ts>.json``."""
    bench_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    stamped = None
    if stamped_copy:
        stamped = bench_dir / f"report-{(now or datetime.now()):%Y%m%dT%H%M%S}.json"
        stamped.write_text(text, encoding="utf-8")
    latest = bench_dir / "report.json"
    tmp = latest.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(latest)
    return latest, stamped
