"""Late packets from the HJ 212 TCP receiver: re-run the daily monitoring partitions they landed in.

The loaders read every ``*.hj212`` of a day folder, so a receiver file (``recv-*.hj212``) is picked up by
the day's partition of ``monitoring_daily_job``. Packets keep arriving after their day was loaded (a
station resending a week after a link outage), so this sensor looks at the receiver's files in every
landing root and requests the job for the days whose files changed after the partition was last
materialised. Contiguous days go into ONE run (a partition range, as the backfill policy wants).

Cost per tick: one ``stat`` per receiver file (a glob per landing root) and one event-log query per
changed day; it runs every two minutes.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from ingestion.common.home import Home
from ingestion.receiver.store import OTHER_ROOT, ST_ROOTS
from orchestration.defs.monitoring import AIR_HOURLY, daily_partitions

#: a tick requests at most this many runs (ranges) and looks up at most this many days; the rest waits
MAX_RUNS_PER_TICK = 5
MAX_DAYS_PER_TICK = 200


def changed_days(home: Home, seen: dict[str, int]) -> dict[str, int]:
    """Day → newest mtime (ns) of its receiver files, for days whose files are newer than ``seen``."""
    out: dict[str, int] = {}
    for root in sorted({*ST_ROOTS.values(), OTHER_ROOT}):
        base = home.landing / root
        if not base.exists():
            continue
        for path in base.glob("date=*/recv-*.hj212"):
            day = path.parent.name.split("=", 1)[1]
            mtime = path.stat().st_mtime_ns
            if mtime > seen.get(day, 0) and mtime > out.get(day, 0):
                out[day] = mtime
    return out


def ranges(days: list[str]) -> list[tuple[str, str]]:
    """Contiguous runs of ISO days: ['2020-01-01', '2020-01-02', '2020-01-05'] → two ranges."""
    out: list[tuple[str, str]] = []
    for d in sorted(days):
        if out and date.fromisoformat(d) - date.fromisoformat(out[-1][1]) == timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _materialised_after(context: SensorEvaluationContext, key: AssetKey, day: str, mtime_ns: int) -> bool:
    result = context.instance.fetch_materializations(AssetRecordsFilter(asset_key=key, asset_partitions=[day]),
                                                     limit=1)
    return bool(result.records) and result.records[0].timestamp * 1e9 >= mtime_ns


@sensor(job_name="monitoring_daily_job", minimum_interval_seconds=120, default_status=DefaultSensorStatus.RUNNING,
        description="Re-runs monitoring_daily_job for the days whose HJ 212 receiver files (recv-*.hj212) changed "
                    "after the day's partition was last materialised (late packets). Contiguous days: one run.")
def receiver_late_packets(context: SensorEvaluationContext):
    home = Home.from_env()
    seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
    changed = changed_days(home, seen)
    if not changed:
        return SkipReason("no receiver file changed since the last tick")
    valid = set(daily_partitions.get_partition_keys())
    changed = {d: changed[d] for d in sorted(changed)[:MAX_DAYS_PER_TICK]}
    due = {d: m for d, m in changed.items()
           if d in valid and not _materialised_after(context, AIR_HOURLY, d, m)}
    requests = []
    for first, last in ranges(list(due))[:MAX_RUNS_PER_TICK]:
        stamp = max(m for d, m in due.items() if first <= d <= last)
        requests.append(RunRequest(run_key=f"receiver:{first}..{last}:{stamp}",
                                   tags={ASSET_PARTITION_RANGE_START_TAG: first,
                                         ASSET_PARTITION_RANGE_END_TAG: last}))
        for d in due:
            if first <= d <= last:
                seen[d] = due[d]
    # Days not due (already materialised after the change, or not a partition yet: today) are remembered
    # only when materialised; today's files are looked at again once the day's partition exists.
    for d, m in changed.items():
        if d in valid and d not in due:
            seen[d] = m
    context.update_cursor(json.dumps(seen, sort_keys=True))
    return requests or SkipReason(f"{len(changed)} day(s) changed, none due")
