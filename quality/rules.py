"""Expectation suites as code: rules, their severity, and the words an engineer acts on.

A *rule* is what an operator sees (a Dagster asset check, a quarantine ``rule`` code, a row in
``lake/quality/results``). It holds one or more Great Expectations expectations that test the same
thing on different columns (``negative_concentration`` → one ``expect_column_values_to_be_between``
per pollutant). Every rule says, next to its expectations:

- ``severity``: ``blocking`` (the rows that fail it are quarantined and the asset check fails, so
  nothing downstream builds on them) or ``warning`` (the check warns; nothing is moved, nothing stops);
- ``why``: the reason for that decision (quality/README.md is generated from the same words);
- ``reason``: a template for the message on each offending row, filled with ``{column}``,
  ``{value}`` and the row's own columns (``{mn}``, ``{data_time}``, ``{station_code}`` …).

This module is plain data: it imports neither Great Expectations (3 s) nor Dagster, so the
definitions can declare one asset check per rule without paying for either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BLOCKING = "blocking"
WARNING = "warning"

# Where a rule's expectations run.
ROWS = "rows"                # the batch as received, one row per landed record (packet, CSV line)
STATION_DAYS = "station_days"  # one row per registered station and partition day (volumes)
FILE = "file"                # the file itself (decoding): checked by the reader, before any frame exists

# Placeholder in expectation arguments, replaced by the time of the check (ISO) when the suite runs.
NOW = "$now"


@dataclass(frozen=True)
class Expect:
    """One Great Expectations expectation: the class name in ``gx.expectations`` and its arguments."""

    type: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        """The column the expectation is about, for messages and results (None for table-level ones)."""
        if "column" in self.kwargs:
            return self.kwargs["column"]
        if "column_list" in self.kwargs:
            return "+".join(self.kwargs["column_list"])
        if "column_A" in self.kwargs:
            return f"{self.kwargs['column_A']}={self.kwargs['column_B']}"
        return None

    @property
    def columns(self) -> list[str]:
        """Columns the expectation reads (it cannot run when one is missing from the frame)."""
        k = self.kwargs
        if "column" in k:
            return [k["column"]]
        if "column_list" in k:
            return list(k["column_list"])
        if "column_A" in k:
            return [k["column_A"], k["column_B"]]
        return []

    @property
    def table_level(self) -> bool:
        return self.type.startswith("ExpectTable") or self.type == "ExpectColumnToExist"

    @property
    def schema_only(self) -> bool:
        """Reads only the column names (so it can run on an empty frame of the same columns)."""
        return self.type in {"ExpectColumnToExist", "ExpectTableColumnsToMatchSet",
                             "ExpectTableColumnsToMatchOrderedList", "ExpectTableColumnCountToEqual",
                             "ExpectTableColumnCountToBeBetween"}

    @property
    def snake_type(self) -> str:
        """``ExpectColumnValuesToBeBetween`` → ``expect_column_values_to_be_between`` (GE's own name)."""
        out = []
        for i, ch in enumerate(self.type):
            if ch.isupper() and i:
                out.append("_")
            out.append(ch.lower())
        return "".join(out)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    why: str
    reason: str
    expectations: tuple[Expect, ...] = ()
    scope: str = ROWS
    # File-level failures cannot be accepted: a file nobody can read has to be delivered again.
    acceptable: bool = True

    def __post_init__(self) -> None:
        if self.severity not in (BLOCKING, WARNING):
            raise ValueError(f"rule {self.code}: severity must be {BLOCKING!r} or {WARNING!r}")
        if not self.code.isidentifier():
            raise ValueError(f"rule code {self.code!r} must be a snake_case identifier (it names an asset check)")

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def describe(self, row: dict[str, Any], column: str | None) -> str:
        """The reason of one offending row, from the template; never raises on a missing field."""
        values = _Default(row)
        values["column"] = column or ""
        values["value"] = row.get(column) if column else None
        try:
            return self.reason.format_map(values)
        except (ValueError, IndexError):
            return self.reason


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


@dataclass(frozen=True)
class Suite:
    """The rules of one landed dataset (``monitoring/air_hourly``), in the order they are reported.

    A quarantined row carries the first blocking rule it fails in this order; the reason names the
    others it also fails.
    """

    dataset: str
    description: str
    rules: tuple[Rule, ...]
    partitioned: bool = True
    # An unpartitioned dataset is one landing file, replaced by each delivery: acknowledgements
    # bind to the fingerprint of that file (quality/acknowledgements.py).
    landing_file: str = ""

    def __post_init__(self) -> None:
        codes = [r.code for r in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError(f"suite {self.dataset}: duplicate rule codes {codes}")

    def rule(self, code: str) -> Rule:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(f"{self.dataset} has no rule {code!r} (rules: {', '.join(r.code for r in self.rules)})")

    @property
    def name(self) -> str:
        return self.dataset.replace("/", "__")

    def check_name(self, rule: Rule) -> str:
        """The Dagster asset check of a rule: ``quality_<rule>``."""
        return f"quality_{rule.code}"
