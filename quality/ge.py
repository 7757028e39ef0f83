"""Running a suite's expectations with Great Expectations 1.x on a pandas DataFrame.

GE is imported here, lazily, on the first validation (``import great_expectations`` costs ~3 s).
Why a DataFrame: GE's SQL datasource on a DuckDB URL fails in 1.x (see shared/STACK.md) and GE has
no polars datasource; the loaders already hold the batch in memory, so validating it directly
also avoids a round trip through the lake.

One validation per (frame, scope): all expectations of the scope run in one ``batch.validate``
call with ``result_format=COMPLETE`` so that every failing row comes back by position
(``unexpected_index_list``), which is what quarantine needs.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from quality.rules import NOW, Expect, Rule, Suite


@dataclass
class Outcome:
    """What one expectation found in one frame."""

    rule: Rule
    expect: Expect
    evaluated: bool
    success: bool
    element_count: int
    unexpected: np.ndarray  # positions (0..n-1) of the failing rows
    error: str | None = None


_GX: Any = None


def _gx():
    global _GX
    if _GX is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.execution_engine import pandas_execution_engine

        # GE fingerprints every pandas batch with an md5 over all of its values (a batch marker that
        # validation never reads): ~1 s per million rows, twice per batch. Frames above the threshold
        # skip it; setting it to 0 skips it always.
        if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
            pandas_execution_engine.HASH_THRESHOLD = 0
        # GE logs a line per metric batch at INFO; keep it to warnings in pipeline logs.
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        _GX = gx
    return _GX


def _resolve(kwargs: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {k: (now.isoformat(sep=" ") if v == NOW else v) for k, v in kwargs.items()}


class Validator:
    """An ephemeral GE context with one pandas datasource; one per gate (per asset run)."""

    def __init__(self, now: datetime) -> None:
        gx = _gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.now = now
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_pandas("zteco_batches")
        self._batch_defs: dict[str, Any] = {}
        self._suites: dict[str, Any] = {}

    def _batch_definition(self, name: str):
        if name not in self._batch_defs:
            asset = self.datasource.add_dataframe_asset(name)
            self._batch_defs[name] = asset.add_batch_definition_whole_dataframe("batch")
        return self._batch_defs[name]

    def run(self, suite: Suite, scope: str, frame: pd.DataFrame) -> list[Outcome]:
        """Validate ``frame`` against every expectation of ``suite`` in ``scope``."""
        n = len(frame)
        if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
            frame = frame.reset_index(drop=True)
        todo: list[tuple[Rule, Expect]] = []
        outcomes: list[Outcome] = []
        for rule in suite.rules:
            if rule.scope != scope:
                continue
            for exp in rule.expectations:
                missing = [c for c in exp.columns if c not in frame.columns]
                if missing:  # reported by missing_column; the expectation cannot run
                    outcomes.append(Outcome(rule, exp, False, True, n, np.empty(0, np.int64),
                                            f"not evaluated: column(s) {', '.join(missing)} missing"))
                else:
                    todo.append((rule, exp))
        # Table-level expectations read the column list of the whole frame; column expectations run
        # on a frame narrowed to the columns they read (GE's pandas engine copies the frame it
        # filters for each metric: narrowing it is most of the speed on large batches).
        table = [(r, e) for r, e in todo if e.table_level]
        columns = [(r, e) for r, e in todo if not e.table_level]
        needed = list(dict.fromkeys(c for _, e in columns for c in e.columns))
        schema = frame.head(0) if all(e.schema_only for _, e in table) else frame
        narrow = frame[needed]
        # GE filters the frame once per metric; numpy object columns are cheaper to filter than
        # Arrow-backed strings (pandas 3's default string dtype).
        narrow = narrow.astype({c: object for c in needed if pd.api.types.is_string_dtype(narrow[c].dtype)})
        for part, data in ((table, schema), (columns, narrow)):
            if part:
                outcomes += self._validate(f"{suite.name}.{scope}", data, part, n)
        return outcomes

    def _validate(self, name: str, frame: pd.DataFrame, todo: list[tuple[Rule, Expect]],
                  n: int) -> list[Outcome]:
        """One ``batch.validate`` call for ``todo`` on ``frame`` (which may be the empty schema of a
        batch of ``n`` rows); failing rows come back by position."""
        gx = _gx()
        outcomes: list[Outcome] = []
        gx_suite = gx.ExpectationSuite(name=f"{name}.{len(self._suites)}")
        for i, (_, exp) in enumerate(todo):
            cls = getattr(gx.expectations, exp.type)
            gx_suite.add_expectation(cls(**_resolve(exp.kwargs, self.now), meta={"zteco_index": i}))
        self._suites[gx_suite.name] = gx_suite
        batch = self._batch_definition(name).get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(gx_suite, result_format={
            "result_format": "COMPLETE", "partial_unexpected_count": 0, "include_unexpected_rows": False,
            "return_unexpected_index_query": False,
        })
        for res in result.results:
            i = int(res.expectation_config.meta["zteco_index"])
            rule, exp = todo[i]
            info = res.exception_info or {}
            if info.get("raised_exception"):
                outcomes.append(Outcome(rule, exp, True, False, n, np.empty(0, np.int64),
                                        f"{exp.snake_type} raised: {info.get('exception_message')}"))
                continue
            r = res.result or {}
            if exp.table_level:
                unexpected = np.arange(n) if not res.success else np.empty(0, np.int64)
            else:
                unexpected = np.asarray(r.get("unexpected_index_list") or [], dtype=np.int64)
                if not res.success and len(unexpected) == 0:
                    outcomes.append(Outcome(rule, exp, True, False, n, unexpected,
                                            f"{exp.snake_type} failed without row positions"))
                    continue
            outcomes.append(Outcome(rule, exp, True, bool(res.success), n, unexpected))
        return outcomes
