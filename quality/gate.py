"""The quality gate of one load: validate the batch as received, decide quarantine, report.

A loader builds its batch (after parsing, before any quality quarantine), hands it to
``Gate.validate`` — once per chunk of days, so that a run over years validates a few large
DataFrames instead of one per day — and gets back which rows a blocking rule rejects, with the
rule and the reason for each. At the end the gate gives:

- one ``Verdict`` per rule (what the Dagster asset check reports: passed or not, a message naming
  the rule, the counts and the first offending file/line, accepted violations);
- the results table, written to ``lake/quality/results/<load_id>.parquet``: one row per
  (rule, partition day, county) with element and unexpected counts (see quality/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home
from quality.acknowledgements import Acknowledgement
from quality.rules import Rule, Suite

RESULTS_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("dataset", pa.string()),
    ("partition_key", pa.string()),   # the day (YYYY-MM-DD); 'all' for an unpartitioned dataset
    ("county_code", pa.string()),     # county of the rows (station's county); NULL for file-level rules
    ("rule", pa.string()),
    ("columns", pa.string()),         # columns that failed in this group, comma-separated; NULL if none
    ("expectation_type", pa.string()),
    ("severity", pa.string()),        # blocking | warning
    ("success", pa.bool_()),
    ("element_count", pa.int64()),    # rows (station-days for volume rules) checked in this group
    ("unexpected_count", pa.int64()),  # rows failing the rule (any of its expectations)
    ("accepted", pa.bool_()),         # the failures are covered by an acknowledgement
    ("message", pa.string()),         # first offender and what to do; NULL when the group passed
    ("checked_at", pa.timestamp("us")),
])

MAX_OFFENDERS = 5
MAX_PARTITIONS_LISTED = 10


def results_dir(home: Home) -> Path:
    return home.lake / "quality" / "results"


@dataclass
class Blocked:
    """Rows of a frame that a blocking rule rejects (accepted or not: both are quarantined)."""

    mask: np.ndarray     # bool per row
    rule: np.ndarray     # object: first blocking rule code per row (None when not blocked)
    reason: np.ndarray   # object: reason sentence per row (None when not blocked)

    @property
    def count(self) -> int:
        return int(self.mask.sum())


@dataclass
class Verdict:
    rule: Rule
    check_name: str
    passed: bool
    evaluated: bool
    description: str
    metadata: dict[str, Any]


@dataclass
class _Stats:
    checked: int = 0
    failed: int = 0
    accepted: int = 0
    evaluated: bool = False
    partitions: dict[str, int] = field(default_factory=dict)          # unaccepted failures per partition
    accepted_partitions: dict[str, int] = field(default_factory=dict)
    offenders: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


class Gate:
    def __init__(self, suite: Suite, load_id: str, *, acks: list[Acknowledgement] | None = None,
                 ack_partition: Callable[[str], str] | None = None, quarantine_hint: str = "",
                 checked_at: datetime | None = None) -> None:
        self.suite = suite
        self.load_id = load_id
        self.acks = [a for a in (acks or []) if a.dataset == suite.dataset]
        self.ack_partition = ack_partition or (lambda p: p)
        self.quarantine_hint = quarantine_hint  # may contain {partition}
        self.checked_at = (checked_at or datetime.now()).replace(microsecond=0)
        self.stats = {r.code: _Stats() for r in suite.rules}
        self._results: list[pd.DataFrame] = []
        self._validator = None
        self.seconds = 0.0

    # -- validation ----------------------------------------------------------------------------------

    def _accepted(self, rule: Rule, partition: str) -> bool:
        key = self.ack_partition(partition)
        return rule.blocking and rule.acceptable and any(a.covers(self.suite.dataset, rule.code, key)
                                                         for a in self.acks)

    def validate(self, scope: str, frame: pd.DataFrame, context: dict[str, Any] | None = None) -> Blocked:
        """Run the suite's ``scope`` expectations on ``frame`` (needs columns partition_key, county_code,
        source_file, line_no) and return the rows blocking rules reject."""
        import time

        from quality.ge import Validator

        t0 = time.perf_counter()
        frame = frame.reset_index(drop=True)
        n = len(frame)
        blocked = Blocked(np.zeros(n, bool), np.full(n, None, object), np.full(n, None, object))
        rules = [r for r in self.suite.rules if r.scope == scope]
        if not rules:
            return blocked
        if n == 0:
            for r in rules:
                self.stats[r.code].evaluated = True
            return blocked
        if self._validator is None:
            self._validator = Validator(self.checked_at)
        outcomes = self._validator.run(self.suite, scope, frame)
        ctx = {"checked_at": self.checked_at.isoformat(sep=" "), "header": ", ".join(map(str, frame.columns)),
               **(context or {})}
        # Results are per (partition, county); a frame without a county column (a file lacking it)
        # is grouped under NULL.
        keys_frame = pd.DataFrame({
            "partition_key": frame["partition_key"] if "partition_key" in frame.columns else "all",
            "county_code": frame["county_code"] if "county_code" in frame.columns else None,
        }, index=frame.index)
        groups = keys_frame.groupby(["partition_key", "county_code"], dropna=False, sort=True)
        gid = groups.ngroup().to_numpy()
        sizes = groups.size()
        keys = list(sizes.index)
        n_groups = len(keys)
        size_arr = sizes.to_numpy()

        for rule in rules:
            st = self.stats[rule.code]
            mine = [o for o in outcomes if o.rule is rule]
            st.types.update(o.expect.snake_type for o in mine)
            if not any(o.evaluated for o in mine):
                continue
            st.evaluated = True
            st.checked += n
            mask = np.zeros(n, bool)
            column_of: dict[int, tuple[str | None, dict]] = {}
            group_columns: dict[int, set[str]] = {}
            table_failure: str | None = None
            for o in mine:
                if o.error and o.evaluated:
                    st.errors.append(o.error)
                if len(o.unexpected) == 0:
                    continue
                mask[o.unexpected] = True
                if o.expect.table_level:
                    missing = [c for c in o.expect.kwargs.get("column_set", []) if c not in frame.columns]
                    table_failure = rule.describe({**ctx, **_row(frame, 0),
                                                   "missing_columns": ", ".join(missing) or "?"}, None)
                for g in np.unique(gid[o.unexpected]):
                    group_columns.setdefault(int(g), set()).add(o.expect.column or "(table)")
                for pos in o.unexpected[:MAX_OFFENDERS] if o.expect.table_level else o.unexpected:
                    column_of.setdefault(int(pos), (o.expect.column, o.expect.kwargs))
            failing = np.flatnonzero(mask)
            unexpected_per_group = np.bincount(gid[failing], minlength=n_groups) if len(failing) else \
                np.zeros(n_groups, np.int64)

            def reason_at(pos: int, rule: Rule = rule, column_of=column_of, table_failure=table_failure) -> str:
                if table_failure is not None:
                    return table_failure
                column, kwargs = column_of.get(pos, (None, {}))
                return rule.describe({**ctx, **kwargs, **_row(frame, pos)}, column)

            messages = np.full(n_groups, None, object)
            accepted = np.zeros(n_groups, bool)
            if len(failing):
                first_groups, first_idx = np.unique(gid[failing], return_index=True)
                for g, i in zip(first_groups, first_idx, strict=True):
                    pos = int(failing[i])
                    pk = keys[g][0]
                    accepted[g] = self._accepted(rule, pk)
                    k = int(unexpected_per_group[g])
                    where = _where(frame, pos)
                    messages[g] = (f"{k} of {int(size_arr[g])} failed{' (accepted)' if accepted[g] else ''}; "
                                   f"first {where}: {reason_at(pos)}")
                    target = st.accepted_partitions if accepted[g] else st.partitions
                    target[pk] = target.get(pk, 0) + k
                    if accepted[g]:
                        st.accepted += k
                for pos in failing[:MAX_OFFENDERS]:
                    if len(st.offenders) < MAX_OFFENDERS:
                        st.offenders.append(f"{_where(frame, int(pos))}: {reason_at(int(pos))}")
                st.failed += len(failing)
            self._results.append(pd.DataFrame({
                "partition_key": [str(k[0]) for k in keys],
                "county_code": [None if pd.isna(k[1]) else str(k[1]) for k in keys],
                "rule": rule.code,
                "columns": [", ".join(sorted(group_columns[g])) if g in group_columns else None
                            for g in range(n_groups)],
                "expectation_type": ", ".join(sorted({o.expect.snake_type for o in mine})),
                "severity": rule.severity,
                "success": unexpected_per_group == 0,
                "element_count": size_arr.astype(np.int64),
                "unexpected_count": unexpected_per_group.astype(np.int64),
                "accepted": accepted,
                "message": messages,
            }))
            if rule.blocking and len(failing):
                new = failing[~blocked.mask[failing]]
                blocked.rule[new] = rule.code
                blocked.reason[new] = [reason_at(int(p)) for p in new]
                also = failing[blocked.mask[failing]]
                for p in also:
                    blocked.reason[p] = f"{blocked.reason[p]} (also fails {rule.code})"
                blocked.mask[failing] = True
        self.seconds += time.perf_counter() - t0
        return blocked

    def record_file(self, rule_code: str, *, passed: bool, source_file: str, element_count: int,
                    partition_key: str = "all", detail: dict[str, Any] | None = None,
                    county_code: str | None = None, expectation_type: str = "file_decodes_as_utf8") -> str:
        """The outcome of a file-level rule checked by the reader (e.g. the file decodes; a county form file
        is empty, not a spreadsheet, of an unknown template ...). Returns the reason."""
        rule = self.suite.rule(rule_code)
        st = self.stats[rule.code]
        reason = "" if passed else rule.describe({"source_file": source_file, **(detail or {})}, None)
        st.evaluated = True
        st.checked += element_count
        st.types.add(expectation_type)
        if not passed:
            st.failed += max(element_count, 1)
            st.partitions[partition_key] = st.partitions.get(partition_key, 0) + max(element_count, 1)
            st.offenders.append(reason)  # the reason names the file
        self._results.append(pd.DataFrame({
            "partition_key": [partition_key], "county_code": [county_code], "rule": [rule.code], "columns": [None],
            "expectation_type": [expectation_type], "severity": [rule.severity], "success": [passed],
            "element_count": [element_count], "unexpected_count": [0 if passed else element_count],
            "accepted": [False], "message": [None if passed else f"whole file quarantined: {reason}"],
        }))
        return reason

    # -- reporting -----------------------------------------------------------------------------------

    @property
    def blocked(self) -> bool:
        return any(v.rule.blocking and not v.passed for v in self.verdicts())

    def verdicts(self) -> list[Verdict]:
        out = []
        for rule in self.suite.rules:
            st = self.stats[rule.code]
            unaccepted = st.failed - st.accepted
            passed = st.evaluated and unaccepted == 0 and not st.errors
            parts = sorted(st.partitions)
            md: dict[str, Any] = {
                "rule": rule.code, "severity": rule.severity, "checked": st.checked, "failed": st.failed,
                "accepted": st.accepted, "evaluated": st.evaluated, "expectation_types": sorted(st.types),
                "why": rule.why,
            }
            if parts:
                md["failing_partitions"] = len(parts)
                md["partitions"] = parts[:MAX_PARTITIONS_LISTED]
            if st.accepted_partitions:
                md["accepted_partitions"] = sorted(st.accepted_partitions)[:MAX_PARTITIONS_LISTED]
            if st.offenders:
                md["first_offenders"] = st.offenders
            if st.errors:
                md["errors"] = st.errors[:MAX_OFFENDERS]
            tag = f"{rule.code} [{rule.severity}]"
            if not st.evaluated:
                desc = f"{tag} not evaluated: the batch was rejected as a whole by an earlier rule"
            elif passed:
                desc = f"{tag} passed: {st.checked} checked"
                if st.accepted:
                    desc += (f", {st.accepted} violation(s) accepted by acknowledgement in "
                             f"{', '.join(sorted(st.accepted_partitions)[:3])} (rows stay quarantined)")
            else:
                desc = f"{tag} FAILED: {unaccepted} of {st.checked}"
                if self.suite.partitioned:
                    desc += f" in {len(parts)} partition(s) ({_span(parts)})"
                if st.offenders:
                    desc += f"; first {st.offenders[0]}"
                if st.errors:
                    desc += f"; could not evaluate: {st.errors[0]}"
                if rule.blocking:
                    hint = self.quarantine_hint.format(partition=parts[0] if len(parts) == 1 else "…")
                    desc += f". Quarantined under {hint}. " + self._next_step(rule, parts)
                else:
                    desc += ". Warning only: the rows are loaded."
            out.append(Verdict(rule, self.suite.check_name(rule), passed, st.evaluated, desc, md))
        return out

    def _next_step(self, rule: Rule, parts: list[str]) -> str:
        if not rule.acceptable:
            return "Deliver a corrected file, then re-run `zteco run`."
        if self.suite.partitioned and parts:
            span = parts[0] if len(parts) == 1 else f"{parts[0]}..{parts[-1]}"
            rerun = f"`zteco run --start {parts[0]} --end {parts[-1]}`"
            accept = (f"`zteco quality accept --dataset {self.suite.dataset} --rule {rule.code} "
                      f"--partition {span} --note \"...\"`")
        else:
            rerun = "`zteco run`"
            accept = f"`zteco quality accept --dataset {self.suite.dataset} --rule {rule.code} --note \"...\"`"
        return f"Fix the source and re-run {rerun}, or accept what cannot be fixed: {accept}"

    def results_table(self) -> pa.Table:
        if not self._results:
            return RESULTS_SCHEMA.empty_table()
        df = pd.concat(self._results, ignore_index=True)
        df.insert(0, "load_id", self.load_id)
        df.insert(1, "dataset", self.suite.dataset)
        df["checked_at"] = pd.Timestamp(self.checked_at)
        return pa.Table.from_pandas(df[RESULTS_SCHEMA.names], schema=RESULTS_SCHEMA, preserve_index=False)

    def write_results(self, home: Home) -> Path:
        d = results_dir(home)
        d.mkdir(parents=True, exist_ok=True)
        p = d / f"{self.load_id.replace(':', '_')}.parquet"
        tmp = d / f".{p.name}.tmp"
        pq.write_table(self.results_table(), tmp, compression="zstd")
        tmp.replace(p)
        return p


def _row(frame: pd.DataFrame, pos: int) -> dict[str, Any]:
    if pos >= len(frame):
        return {}
    return {k: (None if _isna(v) else v) for k, v in frame.iloc[pos].to_dict().items()}


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _where(frame: pd.DataFrame, pos: int) -> str:
    f = frame["source_file"].iat[pos] if "source_file" in frame.columns else None
    line = frame["line_no"].iat[pos] if "line_no" in frame.columns else None
    if f is None or _isna(f):
        return f"partition {frame['partition_key'].iat[pos]}"
    return f"{f} line {int(line)}" if line is not None and not _isna(line) else str(f)


def _span(parts: list[str]) -> str:
    if not parts:
        return "-"
    if len(parts) <= 3:
        return ", ".join(parts)
    return f"{parts[0]} … {parts[-1]}"
