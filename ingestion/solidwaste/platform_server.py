"""A simulator of the provincial solid-waste platform's HTTP/JSON API (Starlette, 127.0.0.1 only).

It serves the world's platform database (``world/solidwaste_platform/*.jsonl``, every version of
every record with the time it was published) the way a government platform behaves:

* ``POST /api/auth/token`` with ``{"appKey", "appSecret"}`` → a bearer token that expires after
  ``token_ttl_seconds`` (or after ``token_max_uses`` requests): then every call answers 401 and the
  client logs in again. Credentials: env ``ZTECO_SW_APP_KEY`` / ``ZTECO_SW_APP_SECRET``; the dev
  defaults exist in this simulator only.
* ``GET /api/v1/<resource>?updatedFrom=&updatedTo=&pageNo=&pageSize=``: the records whose *current*
  version (as of the platform clock) was updated in ``[updatedFrom, updatedTo)``, sorted by update time
  then id; ``pageNo`` from 1. Field names are the platform's camelCase (``id``, ``updateTime``,
  ``generatorKey`` …). The answer carries ``total``, ``pages``, ``serverTime`` and the effective
  ``updatedTo`` so a client can hold its window fixed while paging.
* The platform clock (default: the world's last second) decides what exists: a manifest first seen
  ``in_transit`` becomes ``received`` when the clock passes its receipt; a corrected declaration
  replaces the first one.
* Faults, deterministic by seed and configurable (tests force them): every N-th request rate-limited
  (429 + ``Retry-After``), a share of first attempts of a page answered 5xx or slowly, and schema
  drift per resource (``added_field``: an undeclared field appears; ``missing_field``: a declared field
  disappears); ``errors_in_body``: errors answered as HTTP 200 with the status in the body's ``code``, as
  many government platforms do.

``zteco solidwaste serve`` runs it; :func:`start_in_thread` runs it in-process (tests, the Dagster
asset when ``ZTECO_SW_BASE_URL`` is unset).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import socket
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ingestion.solidwaste.world import TABLES

DEV_APP_KEY = "zteco-dev"
DEV_APP_SECRET = "zteco-dev-secret"
# URL name of each table's resource.
RESOURCE_PATHS = {t: t.replace("_", "-") for t in TABLES}
PATH_TABLES = {v: k for k, v in RESOURCE_PATHS.items()}
# The declared field a ``missing_field`` drift drops.
DRIFT_MISSING = {"generators": "uscc", "declarations": "generatedT", "manifests": "hwCode",
                 "receivers": "licensedCapacityTPerYear", "storage": "quantityT", "medical_waste": "disposedT",
                 "general_isw": "utilisedT"}
DRIFT_ADDED = "remark"
TS_FORMAT = "%Y-%m-%d %H:%M:%S"


def camel(name: str) -> str:
    if name == "record_key":
        return "id"
    if name == "updated_at":
        return "updateTime"
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _parse_ts(text: str) -> str:
    """A query time, normalised to the sortable 'YYYY-MM-DD HH:MM:SS' form (ValueError if not a time)."""
    return datetime.fromisoformat(text.strip().replace("T", " ")).strftime(TS_FORMAT)


@dataclass
class PlatformConfig:
    data_dir: Path
    clock: datetime | None = None  # None: the world's end (clock.txt)
    app_key: str = field(default_factory=lambda: os.environ.get("ZTECO_SW_APP_KEY", DEV_APP_KEY))
    app_secret: str = field(default_factory=lambda: os.environ.get("ZTECO_SW_APP_SECRET", DEV_APP_SECRET))
    token_ttl_seconds: float = 30 * 60
    token_max_uses: int | None = None
    rate_limit_every: int = 0  # every N-th API request answers 429 (0: never)
    retry_after_seconds: int = 1
    error_rate: float = 0.0  # share of first attempts of a request answered 5xx
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    drift: dict[str, str] = field(default_factory=dict)  # table → 'added_field' | 'missing_field'
    max_page_size: int = 1000
    seed: int = 14
    errors_in_body: bool = False  # answer errors as HTTP 200 with the status in the body's code


class Platform:
    """The platform's state: its data (all versions), tokens, request counters."""

    def __init__(self, config: PlatformConfig):
        self.config = config
        self.versions: dict[str, list[dict]] = {}
        for t in TABLES:
            path = config.data_dir / f"{t}.jsonl"
            rows = []
            if path.exists():
                with path.open(encoding="utf-8") as f:
                    rows = [json.loads(line) for line in f if line.strip()]
            rows.sort(key=lambda r: (r["updated_at"], r["record_key"]))
            self.versions[t] = rows
        clock_file = config.data_dir / "clock.txt"
        self.world_clock = (datetime.fromisoformat(clock_file.read_text(encoding="utf-8").strip())
                            if clock_file.exists() else datetime.now())
        self.tokens: dict[str, list[float]] = {}  # token → [issued (monotonic), uses]
        self.requests = 0
        self.attempts: dict[str, int] = {}
        self.counts = {"429": 0, "5xx": 0, "401": 0, "slow": 0, "pages": 0}
        self._cache: dict[tuple[str, str], tuple[list[dict], list[str]]] = {}
        self.lock = threading.Lock()

    @property
    def clock(self) -> datetime:
        return self.config.clock or self.world_clock

    def current(self, table: str) -> tuple[list[dict], list[str]]:
        """The current version of every record as of the clock, sorted by (update time, id)."""
        clock = self.clock.strftime(TS_FORMAT)
        key = (table, clock)
        if key not in self._cache:
            latest: dict[str, dict] = {}
            for r in self.versions[table]:
                if r["updated_at"] > clock:
                    break
                latest[r["record_key"]] = r
            rows = sorted(latest.values(), key=lambda r: (r["updated_at"], r["record_key"]))
            self._cache = {k: v for k, v in self._cache.items() if k[1] == clock}
            self._cache[key] = (rows, [r["updated_at"] for r in rows])
        return self._cache[key]

    def _draw(self, *parts: object) -> float:
        h = hashlib.sha256("|".join(str(p) for p in (self.config.seed, *parts)).encode()).digest()
        return int.from_bytes(h[:8], "big") / 2**64

    def login(self, app_key: str, app_secret: str) -> str | None:
        if not (secrets.compare_digest(app_key, self.config.app_key)
                and secrets.compare_digest(app_secret, self.config.app_secret)):
            return None
        token = secrets.token_hex(16)
        self.tokens[token] = [time.monotonic(), 0]
        return token

    def expire_tokens(self) -> None:
        """Expire every issued token now (tests)."""
        self.tokens.clear()

    def token_ok(self, token: str | None) -> bool:
        t = self.tokens.get(token or "")
        if t is None:
            return False
        t[1] += 1
        cfg = self.config
        if time.monotonic() - t[0] > cfg.token_ttl_seconds or (cfg.token_max_uses and t[1] > cfg.token_max_uses):
            del self.tokens[token]
            return False
        return True


def create_app(config: PlatformConfig) -> Starlette:
    platform = Platform(config)

    def _error(status: int, msg: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse({"code": status, "msg": msg, "data": None},
                            status_code=200 if config.errors_in_body else status, headers=headers)

    async def token(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "body must be JSON {appKey, appSecret}")
        tok = platform.login(str(body.get("appKey", "")), str(body.get("appSecret", "")))
        if tok is None:
            return _error(401, "invalid appKey or appSecret")
        return JSONResponse({"code": 0, "msg": "success",
                             "data": {"token": tok, "expiresIn": int(config.token_ttl_seconds),
                                      "serverTime": platform.clock.strftime(TS_FORMAT)}})

    async def resource(request: Request) -> JSONResponse:
        name = request.path_params["resource"]
        table = PATH_TABLES.get(name)
        if table is None:
            return _error(404, f"unknown resource {name}")
        with platform.lock:
            platform.requests += 1
            n = platform.requests
        if config.rate_limit_every and n % config.rate_limit_every == 0:
            platform.counts["429"] += 1
            return _error(429, "too many requests", {"Retry-After": str(config.retry_after_seconds)})
        auth = request.headers.get("authorization", "")
        if not platform.token_ok(auth.removeprefix("Bearer ").strip() or None):
            platform.counts["401"] += 1
            return _error(401, "token invalid or expired")
        q = request.query_params
        key = f"{name}?{sorted(q.items())}"
        platform.attempts[key] = platform.attempts.get(key, 0) + 1
        if platform.attempts[key] == 1 and platform._draw("5xx", key) < config.error_rate:
            platform.counts["5xx"] += 1
            status = (500, 502, 503)[int(platform._draw("code", key) * 3)]
            return _error(status, "internal error, please retry")
        try:
            page_no = int(q.get("pageNo", "1"))
            page_size = int(q.get("pageSize", "100"))
            lo = _parse_ts(q["updatedFrom"]) if q.get("updatedFrom") else "0000-00-00 00:00:00"
            # default: everything up to the clock (the window is half-open)
            default_hi = (platform.clock + timedelta(seconds=1)).strftime(TS_FORMAT)
            hi = _parse_ts(q["updatedTo"]) if q.get("updatedTo") else default_hi
        except (ValueError, KeyError) as exc:
            return _error(400, f"bad query: {exc}")
        if page_no < 1 or not 1 <= page_size <= config.max_page_size:
            return _error(400, f"pageNo >= 1 and 1 <= pageSize <= {config.max_page_size}")
        if (config.slow_rate and platform.attempts[key] == 1
                and platform._draw("slow", key) < config.slow_rate):  # a retry is answered in time
            platform.counts["slow"] += 1
            await asyncio.sleep(config.slow_seconds)
        rows, stamps = platform.current(table)
        i0, i1 = bisect_left(stamps, lo), bisect_left(stamps, hi)
        total = max(0, i1 - i0)
        start = i0 + (page_no - 1) * page_size
        page = rows[start:min(i1, start + page_size)] if start < i1 else []
        drift = config.drift.get(table)
        records = []
        for r in page:
            rec = {camel(k): v for k, v in r.items()}
            if drift == "added_field":
                rec[DRIFT_ADDED] = "平台新增字段"
            elif drift == "missing_field":
                rec.pop(DRIFT_MISSING[table], None)
            records.append(rec)
        platform.counts["pages"] += 1
        return JSONResponse({"code": 0, "msg": "success", "data": {
            "pageNo": page_no, "pageSize": page_size, "total": total, "pages": -(-total // page_size),
            "updatedFrom": lo if q.get("updatedFrom") else None,
            "updatedTo": hi,
            "serverTime": platform.clock.strftime(TS_FORMAT), "records": records}})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"code": 0, "msg": "ok", "data": {"serverTime": platform.clock.strftime(TS_FORMAT)}})

    app = Starlette(routes=[Route("/api/auth/token", token, methods=["POST"]),
                            Route("/api/health", health),
                            Route("/api/v1/{resource}", resource)])
    app.state.platform = platform
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """A platform simulator running in a background thread (``stop()`` when done)."""

    def __init__(self, config: PlatformConfig, port: int | None = None):
        self.app = create_app(config)
        self.port = port or free_port()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, name="solidwaste-platform", daemon=True)

    @property
    def platform(self) -> Platform:
        return self.app.state.platform

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RunningServer:
        if self.thread.is_alive():
            return self
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the solid-waste platform simulator did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> RunningServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def start_in_thread(config: PlatformConfig, port: int | None = None) -> RunningServer:
    return RunningServer(config, port).start()


def serve(config: PlatformConfig, port: int) -> None:
    """Run in the foreground (``zteco solidwaste serve``) on 127.0.0.1 only."""
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="info")
