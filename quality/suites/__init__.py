"""The expectation suites, one per landed dataset, keyed by dataset (``monitoring/air_hourly``)."""

from __future__ import annotations

from quality.rules import Suite
from quality.suites.counties_submissions import SUITE as COUNTY_SUBMISSIONS
from quality.suites.monitoring_air_hourly import SUITE as AIR_HOURLY
from quality.suites.monitoring_air_stations import SUITE as AIR_STATIONS

SUITES: dict[str, Suite] = {s.dataset: s for s in (AIR_STATIONS, AIR_HOURLY)}
SUITES[COUNTY_SUBMISSIONS.dataset] = COUNTY_SUBMISSIONS


def get_suite(dataset: str) -> Suite:
    try:
        return SUITES[dataset]
    except KeyError:
        raise KeyError(f"no expectation suite for {dataset!r} (suites: {', '.join(SUITES)})") from None
