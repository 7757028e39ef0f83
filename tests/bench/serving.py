"""Serving latency: the chart data API of the plan-overview dashboard on a home's serving DB, real Superset.

Superset (its own environment, gunicorn, the project's config: no data cache, NullCache) is initialised
in the home, the dashboards are published, and the server is started on a free 127.0.0.1 port exactly as
tests/e2e/conftest.py does. Each chart of the dashboard ``plan-overview`` is asked for its data
(``GET /api/v1/chart/<id>/data/``, logged in with a JWT renewed every 5 minutes: Superset's tokens
expire after 15) in rounds, one request at a time, after one warm-up round that is not counted.
The latency is the client-side wall time of the whole HTTP request (DuckDB query, Superset's
post-processing, JSON), on loopback.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from ingestion.common.home import Home
from tests.bench.report import percentile

DASHBOARD = "plan-overview"
TOKEN_RENEW_AFTER_S = 300.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Api:
    def __init__(self, url: str, password: str) -> None:
        import httpx

        self.httpx = httpx
        self.url, self.password = url, password
        self.token, self.token_at = "", 0.0
        self.client = httpx.Client(base_url=url, trust_env=False, timeout=120)

    def headers(self) -> dict[str, str]:
        from orchestration import superset as ss

        if not self.token or time.monotonic() - self.token_at > TOKEN_RENEW_AFTER_S:
            r = self.client.post(
                "/api/v1/security/login",
                json={
                    "username": ss.ADMIN_USER,
                    "password": self.password,
                    "provider": "db",
                    "refresh": False,
                },
            )
            r.raise_for_status()
            self.token, self.token_at = r.json()["access_token"], time.monotonic()
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers())


def bench_serving(home: Home, rounds: int = 30) -> dict[str, Any]:
    from orchestration import superset as ss

    if not home.serving.exists():
        raise FileNotFoundError(f"no serving DB at {home.serving}")
    password = ss.get_admin_password(home)
    t = time.monotonic()
    ss.init_superset(home, admin_password=password)
    ss.publish_dashboards(home)
    setup_s = time.monotonic() - t
    proc = ss.start_superset(home, port=_free_port())
    try:
        api = _Api(proc.url, password)
        r = api.get(f"/api/v1/dashboard/{DASHBOARD}/charts")
        r.raise_for_status()
        charts = {c["slice_name"]: c["id"] for c in r.json()["result"]}
        per_chart: dict[str, list[float]] = {name: [] for name in charts}
        rows: dict[str, int] = {}
        errors: list[str] = []
        for rnd in range(rounds + 1):
            for name, cid in charts.items():
                api.headers()  # renew the token outside the timed request
                t0 = time.perf_counter()
                resp = api.get(f"/api/v1/chart/{cid}/data/")
                ms = (time.perf_counter() - t0) * 1000
                if resp.status_code != 200:
                    errors.append(f"{name}: HTTP {resp.status_code} {resp.text[:200]}")
                    continue
                result = resp.json()["result"][0]
                if result.get("error"):
                    errors.append(f"{name}: {result['error'][:200]}")
                    continue
                rows[name] = len(result["data"])
                if rnd > 0:  # round 0 warms the workers' DuckDB connections up
                    per_chart[name].append(ms)
        all_ms = [x for v in per_chart.values() for x in v]
        rss_mib = ss.process_group_rss(proc) / 2**20
    finally:
        ss.stop_superset(proc)
    if not all_ms:
        raise RuntimeError(f"no chart answered: {errors[:3]}")
    return {
        "p50_ms": round(percentile(all_ms, 50), 1),
        "p95_ms": round(percentile(all_ms, 95), 1),
        "max_ms": round(max(all_ms), 1),
        "requests": len(all_ms),
        "rounds": rounds,
        "dashboard": DASHBOARD,
        "charts": {
            n: {
                "rows": rows.get(n),
                "p50_ms": round(percentile(v, 50), 1) if v else None,
                "p95_ms": round(percentile(v, 95), 1) if v else None,
            }
            for n, v in per_chart.items()
        },
        "errors": errors[:10],
        # A chart that answers with no rows measures an empty query: say so (a world too short for the mart).
        "charts_without_rows": sorted(n for n in per_chart if not rows.get(n)),
        "superset_workers": int(os.environ.get("ZTECO_SUPERSET_WORKERS") or 2),
        "superset_rss_mib_at_end": round(rss_mib),
        "superset_init_publish_s": round(setup_s, 1),
        "serving_db_mib": round(home.serving.stat().st_size / 2**20, 1),
    }
