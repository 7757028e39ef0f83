"""Incremental pull from the solid-waste platform's HTTP API into ``lake/solidwaste/<table>/``.

For each resource the connector keeps a cursor (``$ZTECO_HOME/state/solidwaste/cursors.json``): the
highest update time it has durably written. A run asks for ``[cursor - overlap, platform now)``, pages
through the answer with the window held fixed, and for every page:

1. keeps the page exactly as received (``landing/solidwaste/pages/<table>/<date>/<load>-pNNNNN.json``);
2. checks the schema: an undeclared field is kept in ``extra_json`` and reported (a warning, the
   drift report); a declared field missing from a record quarantines the whole page with the reason;
3. drops versions already in the lake (same ``record_key`` and ``updated_at``: re-read overlap,
   re-run, resumed run) and counts them as duplicates;
4. appends the new versions to the lake (one Parquet file per page), then advances the cursor.

So a run interrupted half way resumes from its cursor, and the lake holds every version ever seen
exactly once (append-only; staging takes the latest per ``record_key``). Each page is one
:class:`FileLoad` (received = loaded + quarantined + duplicates) in the load log.

HTTP: bearer-token login (``ZTECO_SW_APP_KEY`` / ``ZTECO_SW_APP_SECRET``), re-login on 401, retries
with exponential backoff on 5xx and network errors, ``Retry-After`` honoured on 429. The base URL is
``ZTECO_SW_BASE_URL`` (or an argument) so a real endpoint can be used.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, new_load_id, write_load_log
from ingestion.solidwaste.platform_server import DEV_APP_KEY, DEV_APP_SECRET, RESOURCE_PATHS, camel
from ingestion.solidwaste.world import TABLES

log = logging.getLogger(__name__)

SOURCE = "solidwaste.platform"
TS = pa.timestamp("us")
COMMON = [("record_key", pa.string()), ("updated_at", TS)]
# Declared columns of every table (the contract), in order, after record_key and updated_at.
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "generators": [("uscc", pa.string()), ("name", pa.string()), ("county_code", pa.string()),
                   ("industry_code", pa.string()), ("registered_on", pa.date32()),
                   ("management_level", pa.string()), ("has_compliant_storage", pa.bool_()),
                   ("storage_checked_on", pa.date32()), ("general_isw_t_per_year", pa.float64()),
                   ("waste_types", pa.string()), ("status", pa.string())],
    "declarations": [("generator_key", pa.string()), ("year", pa.int32()), ("hw_code", pa.string()),
                     ("hw_category", pa.string()), ("generated_t", pa.float64()), ("self_utilised_t", pa.float64()),
                     ("self_disposed_t", pa.float64()), ("transferred_t", pa.float64()),
                     ("stored_start_t", pa.float64()), ("stored_end_t", pa.float64()), ("declared_at", TS),
                     ("is_correction", pa.bool_())],
    "manifests": [("generator_key", pa.string()), ("transporter_name", pa.string()), ("receiver_key", pa.string()),
                  ("hw_code", pa.string()), ("hw_category", pa.string()), ("shipped_t", pa.float64()),
                  ("received_t", pa.float64()), ("generator_signed_at", TS), ("transporter_signed_at", TS),
                  ("receiver_signed_at", TS), ("status", pa.string()), ("county_code", pa.string())],
    "receivers": [("uscc", pa.string()), ("name", pa.string()), ("county_code", pa.string()),
                  ("licence_no", pa.string()), ("licensed_categories", pa.string()),
                  ("licensed_capacity_t_per_year", pa.float64()), ("licence_valid_from", pa.date32()),
                  ("licence_valid_to", pa.date32()), ("activity", pa.string())],
    "storage": [("generator_key", pa.string()), ("hw_code", pa.string()), ("hw_category", pa.string()),
                ("stored_since", pa.date32()), ("quantity_t", pa.float64()), ("as_of_date", pa.date32())],
    "medical_waste": [("centre_key", pa.string()), ("centre_name", pa.string()), ("county_code", pa.string()),
                      ("month", pa.date32()), ("collected_t", pa.float64()), ("disposed_t", pa.float64()),
                      ("generated_t", pa.float64())],
    "general_isw": [("generator_key", pa.string()), ("year", pa.int32()), ("generated_t", pa.float64()),
                    ("utilised_t", pa.float64()), ("utilised_from_storage_t", pa.float64()),
                    ("disposed_t", pa.float64()), ("stored_t", pa.float64())],
}
TRAILER = [("fetched_at", TS), ("load_id", pa.string()), ("page_file", pa.string()), ("extra_json", pa.string())]


def schema(table: str) -> pa.Schema:
    return pa.schema(COMMON + COLUMNS[table] + TRAILER)


class PlatformError(RuntimeError):
    """The platform kept failing (or refused the credentials)."""


class PullInterrupted(RuntimeError):
    """Raised by ``stop_after_pages`` (a simulated crash) after that many pages were written."""


@dataclass
class TableResult:
    table: str
    pages: int = 0
    received: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    window: tuple[str | None, str | None] = (None, None)
    cursor: str | None = None
    added_fields: set[str] = field(default_factory=set)
    missing_fields: set[str] = field(default_factory=set)


@dataclass
class PullResult:
    load_id: str
    tables: dict[str, TableResult] = field(default_factory=dict)
    loads: list[FileLoad] = field(default_factory=list)
    retries: dict[str, int] = field(default_factory=lambda: {"401": 0, "429": 0, "5xx": 0, "network": 0})
    waits: list[float] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(fl.balanced for fl in self.loads)

    @property
    def drift(self) -> dict[str, dict[str, list[str]]]:
        return {t: {"added": sorted(r.added_fields), "missing": sorted(r.missing_fields)}
                for t, r in self.tables.items() if r.added_fields or r.missing_fields}


# ---------------------------------------------------------------- HTTP


def _status(resp: httpx.Response) -> int:
    """The answer's status: many government platforms answer HTTP 200 with the error in the body's ``code``."""
    if resp.status_code != 200:
        return resp.status_code
    try:
        code = int(resp.json().get("code", 0))
    except (ValueError, TypeError, AttributeError):
        return 200
    return code if code >= 400 else 200


class PlatformClient:
    """Token login, re-login on 401, retries with backoff, Retry-After on 429."""

    def __init__(self, base_url: str, app_key: str, app_secret: str, *, timeout: float = 60.0,
                 max_attempts: int = 8, backoff: float = 0.5, max_backoff: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, result: PullResult | None = None):
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.app_key, self.app_secret = app_key, app_secret
        self.max_attempts, self.backoff, self.max_backoff = max_attempts, backoff, max_backoff
        self.sleep = sleep
        self.result = result or PullResult("")
        self.token: str | None = None
        self.logins = 0

    def close(self) -> None:
        self.http.close()

    def _wait(self, seconds: float) -> None:
        self.result.waits.append(seconds)
        self.sleep(seconds)

    def login(self) -> None:
        resp = self._send("POST", "/api/auth/token", json={"appKey": self.app_key, "appSecret": self.app_secret},
                          auth=False)
        self.token = resp.json()["data"]["token"]
        self.logins += 1

    def _send(self, method: str, url: str, *, auth: bool = True, **kw) -> httpx.Response:
        relogins = 0
        attempt = 0
        while True:
            if auth and self.token is None:
                self.login()
            headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
            try:
                resp = self.http.request(method, url, headers=headers, **kw)
            except httpx.TransportError as exc:  # connection refused/reset, timeouts
                attempt += 1
                self.result.retries["network"] += 1
                if attempt >= self.max_attempts:
                    raise PlatformError(f"{method} {url}: {exc!r} after {attempt} attempts") from exc
                self._wait(min(self.max_backoff, self.backoff * 2 ** (attempt - 1)))
                continue
            status = _status(resp)
            if status == 401 and auth and relogins < 3:
                relogins += 1
                self.result.retries["401"] += 1
                log.info("token rejected (expired?): logging in again")
                self.token = None
                continue
            if status == 429 or status >= 500:
                attempt += 1
                kind = "429" if status == 429 else "5xx"
                self.result.retries[kind] += 1
                if attempt >= self.max_attempts:
                    raise PlatformError(f"{method} {url}: HTTP {status} after {attempt} attempts")
                delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
                if status == 429:
                    try:
                        delay = max(float(resp.headers.get("Retry-After", "")), 0.0)
                    except ValueError:
                        pass
                self._wait(delay)
                continue
            if status >= 400:
                raise PlatformError(f"{method} {url}: HTTP {status} {resp.text[:200]}")
            return resp

    def page(self, table: str, *, updated_from: str | None, updated_to: str | None, page_no: int,
             page_size: int) -> httpx.Response:
        params = {"pageNo": page_no, "pageSize": page_size}
        if updated_from:
            params["updatedFrom"] = updated_from
        if updated_to:
            params["updatedTo"] = updated_to
        return self._send("GET", f"/api/v1/{RESOURCE_PATHS[table]}", params=params)


# ---------------------------------------------------------------- state and lake


def state_dir(home: Home) -> Path:
    return home.root / "state" / "solidwaste"


def lake_dir(home: Home, table: str) -> Path:
    return home.lake / "solidwaste" / table


def pages_dir(home: Home, table: str) -> Path:
    return home.landing / "solidwaste" / "pages" / table


def read_cursors(home: Home) -> dict[str, dict]:
    path = state_dir(home) / "cursors.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _durable(path: Path, payload: bytes | pa.Table) -> None:
    """Write bytes (or a table as zstd Parquet) through a temporary file, fsync, rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        if isinstance(payload, pa.Table):
            pq.write_table(payload, f, compression="zstd")
        else:
            f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _write_json_atomic(path: Path, doc) -> None:
    _durable(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


def existing_versions(home: Home, table: str, since: datetime | None) -> set[tuple[str, datetime]]:
    """(record_key, updated_at) of the versions already in the lake (from ``since`` on)."""
    out: set[tuple[str, datetime]] = set()
    for f in sorted(lake_dir(home, table).glob("**/*.parquet")):
        t = pq.read_table(f, columns=["record_key", "updated_at"])
        for k, u in zip(t.column("record_key").to_pylist(), t.column("updated_at").to_pylist(), strict=True):
            if since is None or u >= since:
                out.add((k, u))
    return out


def _convert(value, typ: pa.DataType):
    if value is None or value == "":
        return None
    if typ == TS:
        return datetime.fromisoformat(str(value).replace("T", " "))
    if typ == pa.date32():
        return date.fromisoformat(str(value)[:10])
    if typ == pa.float64():
        return float(value)
    if typ == pa.int32():
        return int(value)
    if typ == pa.bool_():
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "y", "yes", "是")
        return bool(value)
    return str(value)


@dataclass
class ParsedPage:
    rows: list[dict]
    quarantine: list[dict]
    added: set[str]
    missing: set[str]
    max_updated: datetime | None


def parse_page(table: str, records: list[dict], *, source_file: str, load_id: str) -> ParsedPage:
    """Map the platform's records to the contract's columns; a missing declared field quarantines the page."""
    cols = COMMON + COLUMNS[table]
    wire = {camel(c): (c, t) for c, t in cols}
    added: set[str] = set()
    missing: set[str] = set()
    for rec in records:
        added |= set(rec) - set(wire)
        missing |= {w for w in wire if w not in rec}
    max_updated = None
    for rec in records:
        try:
            u = _convert(rec.get("updateTime"), TS)
        except ValueError:
            continue
        if u is not None and (max_updated is None or u > max_updated):
            max_updated = u
    if missing:
        reason = f"declared field(s) missing from the platform's records: {', '.join(sorted(missing))}"
        q = [{"load_id": load_id, "source_file": source_file, "line_no": i, "raw": json.dumps(rec, ensure_ascii=False),
              "rule": "schema_missing_field", "reason": reason} for i, rec in enumerate(records, start=1)]
        return ParsedPage([], q, added, missing, max_updated)
    rows, quarantine = [], []
    for i, rec in enumerate(records, start=1):
        try:
            row = {c: _convert(rec.get(w), t) for w, (c, t) in wire.items()}
            if row["record_key"] is None or row["updated_at"] is None:
                raise ValueError("id or updateTime is empty")
        except (ValueError, TypeError) as exc:
            quarantine.append({"load_id": load_id, "source_file": source_file, "line_no": i,
                               "raw": json.dumps(rec, ensure_ascii=False), "rule": "unparseable_value",
                               "reason": str(exc)})
            continue
        extra = {k: rec[k] for k in sorted(set(rec) - set(wire))}
        row["extra_json"] = json.dumps(extra, ensure_ascii=False) if extra else None
        rows.append(row)
    return ParsedPage(rows, quarantine, added, missing, max_updated)


# ---------------------------------------------------------------- the pull


def _base_url(base_url: str | None) -> str:
    url = base_url or os.environ.get("ZTECO_SW_BASE_URL")
    if not url:
        raise PlatformError("no platform URL: pass base_url or set ZTECO_SW_BASE_URL")
    return url


def _credentials(url: str, app_key: str | None, app_secret: str | None) -> tuple[str, str]:
    """The platform's appKey/appSecret from the arguments or the environment. The development key of the
    simulator is accepted only for a loopback URL: a real platform without credentials is an error."""
    key = app_key or os.environ.get("ZTECO_SW_APP_KEY")
    secret = app_secret or os.environ.get("ZTECO_SW_APP_SECRET")
    if key and secret:
        return key, secret
    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise PlatformError(f"{url}: set ZTECO_SW_APP_KEY and ZTECO_SW_APP_SECRET (the platform's credentials); "
                            "the development key only works with the local simulator")
    return key or DEV_APP_KEY, secret or DEV_APP_SECRET


def pull(home: Home, base_url: str | None = None, *, tables: Iterable[str] = TABLES, page_size: int = 500,
         overlap: timedelta = timedelta(days=2), load_id: str | None = None, run_id: str | None = None,
         stop_after_pages: int | None = None, sleep: Callable[[float], None] = time.sleep,
         max_attempts: int = 8, app_key: str | None = None, app_secret: str | None = None,
         server_time_as_fetched: bool = False, seen_cache: dict[str, set] | None = None,
         timeout: float = 60.0) -> PullResult:
    """Pull every table incrementally. ``stop_after_pages`` simulates a crash after that many pages.

    ``server_time_as_fetched``: stamp ``fetched_at`` with the platform's ``serverTime`` (a replay of the
    simulated past, see :func:`replay`); ``seen_cache``: the lake's versions per table, kept between pulls.
    """
    load_id = load_id or new_load_id("solidwaste", "all", run_id)
    result = PullResult(load_id)
    url = _base_url(base_url)
    key, secret = _credentials(url, app_key, app_secret)
    client = PlatformClient(url, key, secret, max_attempts=max_attempts, sleep=sleep, result=result,
                            timeout=timeout)
    pages_written = 0
    try:
        for table in tables:
            tr = result.tables[table] = TableResult(table)
            pages_written = _pull_table(home, client, table, tr, result, page_size=page_size, overlap=overlap,
                                        stop_after=(None if stop_after_pages is None
                                                    else stop_after_pages - pages_written),
                                        pages_before=pages_written, server_time=server_time_as_fetched,
                                        seen_cache=seen_cache)
    finally:
        client.close()
        write_load_log(home, load_id, result.loads)
        if result.drift:
            with (state_dir(home) / "drift.jsonl").open("a", encoding="utf-8") as f:
                f.write(json.dumps({"load_id": load_id, "at": datetime.now().isoformat(timespec="seconds"),
                                    "drift": result.drift}, ensure_ascii=False) + "\n")
    return result


def _pull_table(home: Home, client: PlatformClient, table: str, tr: TableResult, result: PullResult, *,
                page_size: int, overlap: timedelta, stop_after: int | None, pages_before: int,
                server_time: bool = False, seen_cache: dict[str, set] | None = None) -> int:
    if stop_after is not None and stop_after <= 0:
        raise PullInterrupted(f"stopped after {pages_before} pages (simulated crash)")
    cursors = read_cursors(home)
    cursor = cursors.get(table, {}).get("high_water")
    since = datetime.fromisoformat(cursor) - overlap if cursor else None
    updated_from = since.strftime("%Y-%m-%d %H:%M:%S") if since else None
    if seen_cache is not None and table in seen_cache:
        seen = seen_cache[table]
    else:
        seen = existing_versions(home, table, since)
        if seen_cache is not None:
            seen_cache[table] = seen
    updated_to: str | None = None
    page_no, pages = 1, 1
    written = 0
    total: int | None = None
    restarts = 0
    safe_id = result.load_id.replace(":", "_")
    while page_no <= pages:
        resp = client.page(table, updated_from=updated_from, updated_to=updated_to, page_no=page_no,
                           page_size=page_size)
        raw = resp.content
        doc = json.loads(raw)
        data = doc["data"]
        fetched_at = (datetime.fromisoformat(data["serverTime"]) if server_time
                      else datetime.now().replace(microsecond=0))
        pages = int(data["pages"])
        # Offset paging over live data: a record updated while we page leaves the window and shifts the
        # later pages by one. The total tells; then the window is read again (duplicates are dropped).
        window_moved = total is not None and int(data["total"]) != total
        total = int(data["total"]) if total is None else total
        updated_to = updated_to or data.get("updatedTo")
        tr.window = (updated_from, updated_to)
        records = data.get("records") or []
        if not records and page_no == 1:
            tr.pages += 1  # nothing new: no page file, no load-log row
            break
        day = fetched_at.date().isoformat()
        page_path = pages_dir(home, table) / day / f"{safe_id}-p{written + 1:05d}.json"
        _durable(page_path, raw)  # kept exactly as received
        rel = page_path.relative_to(home.root).as_posix()
        fl = FileLoad(result.load_id, SOURCE, table, rel, received=len(records))
        parsed = parse_page(table, records, source_file=rel, load_id=result.load_id)
        if parsed.added - tr.added_fields:
            log.warning("schema drift on %s: undeclared field(s) %s kept in extra_json", table,
                        sorted(parsed.added - tr.added_fields))
        if parsed.missing - tr.missing_fields:
            log.warning("schema drift on %s: declared field(s) %s missing; page quarantined", table,
                        sorted(parsed.missing - tr.missing_fields))
        tr.added_fields |= parsed.added
        tr.missing_fields |= parsed.missing
        new_rows = []
        for row in parsed.rows:
            key = (row["record_key"], row["updated_at"])
            if key in seen:
                fl.duplicates += 1
                continue
            seen.add(key)
            new_rows.append({**row, "fetched_at": fetched_at, "load_id": result.load_id, "page_file": rel})
        if new_rows:
            target = lake_dir(home, table) / day / f"{safe_id}-p{written + 1:05d}.parquet"
            _durable(target, pa.Table.from_pylist(new_rows, schema=schema(table)))
        if parsed.quarantine:
            _durable(home.quarantine / "solidwaste" / table / f"{safe_id}-p{written + 1:05d}.parquet",
                     pa.Table.from_pylist(parsed.quarantine, schema=QUARANTINE_SCHEMA))
        fl.loaded, fl.quarantined = len(new_rows), len(parsed.quarantine)
        fl.finished_at = datetime.now()
        result.loads.append(fl)
        # Only now that the page is durably written does the cursor move.
        if parsed.max_updated is not None:
            hw = parsed.max_updated.isoformat(sep=" ")
            if cursor is None or hw > cursor:
                cursor = hw
                cursors = read_cursors(home)
                cursors[table] = {"high_water": cursor, "load_id": result.load_id,
                                  "at": datetime.now().isoformat(timespec="seconds")}
                _write_json_atomic(state_dir(home) / "cursors.json", cursors)
        tr.cursor = cursor
        tr.pages += 1
        tr.received += fl.received
        tr.loaded += fl.loaded
        tr.quarantined += fl.quarantined
        tr.duplicates += fl.duplicates
        written += 1
        if stop_after is not None and written >= stop_after:
            raise PullInterrupted(f"stopped after {pages_before + written} pages (simulated crash)")
        if window_moved and restarts < 3:
            restarts += 1
            log.warning("%s: the window's total changed from %s to %s while paging: reading it again", table,
                        total, data["total"])
            page_no, total = 1, None
            continue
        page_no += 1
    return pages_before + written


def month_ends(first: date, last: date) -> list[datetime]:
    """The last second of every month from ``first``'s month to ``last`` (``last`` itself at the end)."""
    out = []
    y, m = first.year, first.month
    while True:
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        end = min(nxt - timedelta(days=1), last)
        out.append(datetime.combine(end, datetime.max.time()).replace(microsecond=0))
        if end >= last:
            return out
        y, m = nxt.year, nxt.month


def replay(home: Home, clocks: list[datetime], server, **kw) -> list[PullResult]:
    """Pull once at each platform clock of an in-process simulator (``server.platform.config.clock``).

    ``zteco run`` has no live platform: this replays the pulls a connector running monthly since the
    world's start would have made, so the lake holds the versions a real history would (a manifest seen
    in transit, then received; a declaration, then its correction), with ``fetched_at`` = the clock.
    """
    results = []
    seen: dict[str, set] = {}
    for clock in clocks:
        server.platform.config.clock = clock
        # one load per replayed pull, named by its platform clock: several replays run within one wall-clock
        # second, and a load id made of the second and the run alone would name them all the same
        load_id = kw.pop("load_id", None) or new_load_id("solidwaste", f"{clock:%Y-%m-%d}", kw.get("run_id"))
        results.append(pull(home, server.url, server_time_as_fetched=True, seen_cache=seen, load_id=load_id, **kw))
    return results


@dataclass
class PipelinePull:
    mode: str  # 'endpoint' (ZTECO_SW_BASE_URL) | 'simulator' (in-process replay) | 'none'
    results: list[PullResult]
    base_url: str | None = None

    def totals(self, table: str | None = None) -> dict[str, int]:
        keys = ("received", "loaded", "quarantined", "duplicates")
        loads = [fl for r in self.results for fl in r.loads if table is None or fl.partition == table]
        return {k: sum(getattr(fl, k) for fl in loads) for k in keys} | {"pages": len(loads)}

    @property
    def balanced(self) -> bool:
        return all(r.balanced for r in self.results)

    @property
    def drift(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, set[str]]] = {}
        for r in self.results:
            for t, d in r.drift.items():
                acc = out.setdefault(t, {"added": set(), "missing": set()})
                acc["added"] |= set(d["added"])
                acc["missing"] |= set(d["missing"])
        return {t: {k: sorted(v) for k, v in d.items()} for t, d in out.items()}


def pull_for_pipeline(home: Home, *, run_id: str | None = None, base_url: str | None = None) -> PipelinePull:
    """What the Dagster asset runs: the real endpoint when configured, else the world's simulator.

    ``ZTECO_SW_BASE_URL`` set (or ``base_url``): one incremental pull from it. Unset: there is no live
    platform in ``zteco run``, so the simulator is started in-process on a free 127.0.0.1 port over
    ``$ZTECO_HOME/world/solidwaste_platform`` and the monthly pulls since the last cursor are replayed
    (:func:`replay`), then the simulator is stopped. No world: nothing to pull (mode 'none').
    """
    from ingestion.solidwaste.platform_server import PlatformConfig, start_in_thread
    from ingestion.solidwaste.world import platform_dir

    url = base_url or os.environ.get("ZTECO_SW_BASE_URL")
    if url:
        return PipelinePull("endpoint", [pull(home, url, run_id=run_id)], url)
    data = platform_dir(home)
    if not (data / "clock.txt").exists():
        return PipelinePull("none", [])
    server = start_in_thread(PlatformConfig(data))
    try:
        world_clock = server.platform.world_clock
        marker = state_dir(home) / "replay.json"
        last = json.loads(marker.read_text(encoding="utf-8"))["clock"] if marker.exists() else None
        first = datetime.fromisoformat(last).date() if last else date(2020, 1, 1)
        first = min(max(first, date(2020, 1, 1)), world_clock.date())
        clocks = month_ends(first, world_clock.date())
        results = replay(home, clocks, server, run_id=run_id)
        _write_json_atomic(marker, {"clock": clocks[-1].isoformat(sep=" ")})
        return PipelinePull("simulator", results, server.url)
    finally:
        server.stop()
