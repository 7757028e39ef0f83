"""``zteco evaluate diff <extract-dir>``: a frozen extract against today's warehouse, figure by figure.

Each figure of the extract (indicator x area of the assessment year, from the workbook's 指标 and 分区县
sheets) is compared with today's fct_indicator_progress. A changed value or status is explained from the
provenance columns: the loads it rests on now and did not then (with the load log's source, file and
time), the data as-of time that moved past the extract's as-of time (a record version that arrived
later, e.g. a corrected solid-waste declaration), or, with the same data, a change of code or registry
(manifest code_version / registry_version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from evaluation.extract import HEADER_TO_FIELD, REGISTRY_SEED, code_version, read_figures, sha256
from ingestion.common.home import Home

SHEETS = ("指标", "分区县")


@dataclass
class FigureChange:
    indicator_code: str
    indicator_name_zh: str
    area_code: str
    frozen_value: float | None
    today_value: float | None
    frozen_status: str | None
    today_status: str | None
    reasons: list[str] = field(default_factory=list)

    def line(self) -> str:
        def f(v):
            return "—" if v is None else f"{v:g}"

        return (
            f"{self.indicator_code} {self.area_code} ({self.indicator_name_zh}): {f(self.frozen_value)} -> "
            f"{f(self.today_value)}, status {self.frozen_status} -> {self.today_status}\n"
            + "".join(f"    because: {r}\n" for r in self.reasons)
        )


@dataclass
class DiffResult:
    extract: Path
    as_of: str
    year: int
    compared: int
    changes: list[FigureChange]

    def report(self) -> str:
        head = (
            f"extract {self.extract} (as of {self.as_of}, year {self.year}): {self.compared} figures compared, "
            f"{len(self.changes)} changed\n"
        )
        return head + "".join(c.line() for c in self.changes)


def read_extract(extract: Path) -> tuple[dict, dict[tuple[str, str], dict]]:
    from openpyxl import load_workbook

    manifest = json.loads((extract / "manifest.json").read_text(encoding="utf-8"))
    wb = load_workbook(extract / "evaluation.xlsx", read_only=True)
    figures: dict[tuple[str, str], dict] = {}
    for name in SHEETS:
        rows = wb[name].iter_rows(values_only=True)
        headers = [HEADER_TO_FIELD.get(h, h) for h in next(rows)]
        for t in rows:
            r = dict(zip(headers, t, strict=False))
            figures[(r["indicator_code"], r["area_code"])] = r
    wb.close()
    return manifest, figures


def today_figures(home: Home, plan_code: str, year: int) -> dict[tuple[str, str], dict]:
    """Today's figures: the warehouse's, read exactly as an extract reads its as-of build."""
    if not home.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {home.warehouse}: run `zteco run` first")
    try:
        figures = read_figures(home.warehouse, year)
    except duckdb.IOException as e:  # a build holds the warehouse
        raise FileNotFoundError(f"the warehouse is busy (a pipeline run holds it), try again: {e}") from None
    except duckdb.CatalogException as e:
        raise FileNotFoundError(
            f"the warehouse has no fct_indicator_progress yet: run `zteco run` ({e})"
        ) from None
    if figures["plan"]["plan_code"] != plan_code:
        raise FileNotFoundError(
            f"the warehouse judges {year} under plan {figures['plan']['plan_code']}, "
            f"the extract under {plan_code}"
        )
    return {(r["indicator_code"], r["area_code"]): r for r in figures["rows"]}


def load_log(home: Home, load_ids: set[str]) -> dict[str, list[dict]]:
    if not load_ids or not any(home.load_log.rglob("*.parquet")):
        return {}
    con = duckdb.connect()
    try:
        cur = con.execute(
            "select load_id, source, partition, source_file, started_at from read_parquet(?, union_by_name=true) "
            "where list_contains(?, load_id) order by load_id, started_at, source_file",
            [str(home.load_log / "**" / "*.parquet"), sorted(load_ids)],
        )
        out: dict[str, list[dict]] = {}
        for load_id, source, partition, source_file, started_at in cur.fetchall():
            out.setdefault(load_id, []).append(
                {"source": source, "partition": partition, "file": source_file, "started_at": started_at}
            )
        return out
    finally:
        con.close()


def _versioned_tables(home: Home) -> list[tuple[str, Path, bool]]:
    """Lake tables whose rows are record versions with an arrival time (record_key, fetched_at, load_id),
    e.g. the solid-waste platform's: (name, folder, has county_code)."""
    out = []
    for folder in sorted(p for p in home.lake.glob("*/*") if p.is_dir()):
        first = next(folder.rglob("*.parquet"), None)
        if first is None:
            continue
        cols = {
            r[0] for r in duckdb.sql(f"describe select * from read_parquet('{first.as_posix()}')").fetchall()
        }
        if {"record_key", "fetched_at", "load_id"} <= cols:
            out.append((f"{folder.parent.name}/{folder.name}", folder, "county_code" in cols))
    return out


def later_record_versions(home: Home, tables, as_of: str, load_ids: set[str], area_code: str) -> list[str]:
    """The record versions of ``load_ids`` that arrived after ``as_of`` (of the area when the table says)."""
    if not load_ids:
        return []
    out = []
    con = duckdb.connect()
    try:
        for name, folder, has_county in tables:
            county = " and county_code = ?" if has_county and not area_code.endswith("00") else ""
            params = [str(folder / "**" / "*.parquet"), sorted(load_ids), as_of] + (
                [area_code] if county else []
            )
            n, keys, first, last = con.execute(
                "select count(*), list(distinct record_key order by record_key)[1:3], min(fetched_at), max(fetched_at) "
                "from read_parquet(?, union_by_name = true) "
                f"where list_contains(?, load_id) and fetched_at > cast(? as timestamp){county}",
                params,
            ).fetchone()
            if n:
                out.append(
                    f"{n} {name} record version(s) fetched {_ts(first)}..{_ts(last)} (e.g. {', '.join(keys)})"
                )
    finally:
        con.close()
    return out


def _split(ids) -> set[str]:
    return {x for x in (ids or "").split(",") if x}


def _num(v):
    return None if v is None else round(float(v), 6)


def _ts(v) -> str | None:
    if v is None:
        return None
    return v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)


def explain(
    frozen: dict,
    now: dict | None,
    manifest: dict,
    log: dict[str, list[dict]],
    versions: list[str] | None = None,
) -> list[str]:
    reasons: list[str] = []
    if now is None:
        return ["the figure is no longer in the warehouse (indicator or area removed from the registry)"]
    new_loads = sorted(_split(now.get("load_ids")) - _split(frozen.get("load_ids")))
    gone_loads = sorted(_split(frozen.get("load_ids")) - _split(now.get("load_ids")))
    for lid in new_loads:
        entries = log.get(lid, [])
        files = ", ".join(sorted({e["file"] for e in entries if e.get("file")})[:3])
        when = min((e["started_at"] for e in entries if e.get("started_at")), default=None)
        src = ", ".join(sorted({e["source"] for e in entries if e.get("source")}))
        detail = f" ({src}; loaded {_ts(when)}; files {files})" if entries else ""
        reasons.append(f"later load {lid}{detail} not seen by the extract")
    for v in versions or []:
        reasons.append(f"arrived after the extract's as-of {manifest['as_of']}: {v}")
    if gone_loads:
        reasons.append(f"loads no longer used (superseded): {', '.join(gone_loads)}")
    frozen_as_of, now_as_of = frozen.get("as_of"), _ts(now.get("as_of"))
    if now_as_of and (frozen_as_of is None or now_as_of > str(frozen_as_of)):
        late = " after the extract's as-of " + manifest["as_of"] if now_as_of > manifest["as_of"] else ""
        reasons.append(
            f"data as-of moved from {frozen_as_of or '—'} to {now_as_of}: data (record versions, values) that arrived"
            f"{late} (e.g. a correction, a late file, later measurements)"
        )
    if frozen.get("missing_reason_zh") != now.get("missing_reason_zh") and (frozen.get("value") is None) != (
        now.get("value") is None
    ):
        reasons.append(
            f"missing reason: {frozen.get('missing_reason_zh') or '—'} -> {now.get('missing_reason_zh') or '—'}"
        )
    if not reasons:
        if frozen.get("method_version") != now.get("method_version"):
            reasons.append(f"method version {frozen.get('method_version')} -> {now.get('method_version')}")
        code_now = code_version()
        if code_now != manifest.get("code_version"):
            reasons.append(f"same data, code changed: {manifest.get('code_version')} -> {code_now}")
        reg_now = "sha256:" + sha256(REGISTRY_SEED)
        if reg_now != manifest.get("registry_version"):
            reasons.append("same data, the indicator registry (targets, baselines) changed")
        if not reasons:
            reasons.append("same loads and data as-of: a change of the baseline or of another area's figures")
    return reasons


def diff_extract(home: Home, extract: Path) -> DiffResult:
    manifest, frozen = read_extract(extract)
    now = today_figures(home, manifest["plan"]["plan_code"], int(manifest["assessment_year"]))
    all_new = set()
    for key, f in frozen.items():
        if key in now:
            all_new |= _split(now[key].get("load_ids")) - _split(f.get("load_ids"))
    log = load_log(home, all_new)
    tables = _versioned_tables(home)
    changes = []
    for key in sorted(frozen):
        f, n = frozen[key], now.get(key)
        today_status = n.get("status") if n else None
        if n is None and f.get("status") == "no_data":
            continue  # never computed, still not computed
        if n is not None and _num(f.get("value")) == _num(n.get("value")) and f.get("status") == today_status:
            continue
        changes.append(
            FigureChange(
                indicator_code=key[0],
                indicator_name_zh=f.get("indicator_name_zh") or "",
                area_code=key[1],
                frozen_value=_num(f.get("value")),
                today_value=_num(n.get("value")) if n else None,
                frozen_status=f.get("status"),
                today_status=today_status,
                reasons=explain(
                    f,
                    n,
                    manifest,
                    log,
                    later_record_versions(
                        home,
                        tables,
                        manifest["as_of"],
                        _split(n.get("load_ids")) - _split(f.get("load_ids")) if n else set(),
                        key[1],
                    ),
                ),
            )
        )
    return DiffResult(
        extract=extract,
        as_of=manifest["as_of"],
        year=int(manifest["assessment_year"]),
        compared=len(frozen),
        changes=changes,
    )
