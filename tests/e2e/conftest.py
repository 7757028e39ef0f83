"""End-to-end fixtures: a real Superset (gunicorn on 127.0.0.1) over a serving DB, and Chromium.

The serving database comes from the ``serving_home`` fixture: the lead's tests/conftest.py runs
the real pipeline on a small world and yields the ZTECO_HOME path (session scope). Until that
fixture exists, a fallback below builds a stand-in with tests/e2e/fake_serving.py; it steps aside
by itself as soon as tests/conftest.py defines ``serving_home``.

Figures (first /health, RSS, durations) are written to test-artifacts/superset-e2e-metrics.json
and printed at the end of the run.
"""

from __future__ import annotations

import ast
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingestion.common.home import REPO_ROOT, Home
from orchestration import superset as ss

from .fake_serving import build_serving_db

ARTIFACTS = REPO_ROOT / "test-artifacts"
TOKEN_RENEW_AFTER_S = 300.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

METRICS: dict[str, Any] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start Superset are ``e2e`` (deselect with ``-m "not e2e"``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and "superset" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if METRICS:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "superset-e2e-metrics.json").write_text(
            json.dumps(METRICS, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        terminalreporter.write_sep("-", "Superset e2e figures")
        for key, value in METRICS.items():
            terminalreporter.write_line(f"{key}: {value}")


# ----------------------------------------------------------------------------- serving DB

def _parent_defines_serving_home() -> bool:
    parent = Path(__file__).resolve().parents[1] / "conftest.py"
    if not parent.exists():
        return False
    tree = ast.parse(parent.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "serving_home"
        for node in ast.walk(tree)
    )


if not _parent_defines_serving_home():

    @pytest.fixture(scope="session")
    def serving_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
        """Fallback: a ZTECO_HOME whose serving DB is the fake one (tests/e2e/fake_serving.py)."""
        home = Home(tmp_path_factory.mktemp("zteco-e2e-home")).ensure()
        build_serving_db(home.serving)
        yield home.root


# ----------------------------------------------------------------------------- Superset

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningSuperset:
    home: Home
    url: str
    password: str
    proc: ss.SupersetProcess
    published: dict[str, Any]
    _token: str | None = field(default=None, repr=False)
    _token_at: float = field(default=0.0, repr=False)

    @property
    def dashboard(self) -> dict[str, Any]:
        return next(d for d in self.published["dashboards"].values() if d["slug"] == "air-quality")

    @property
    def database_id(self) -> int:
        return next(iter(self.published["databases"].values()))

    def client(self) -> httpx.Client:
        """An API client logged in with a JWT (no proxy: 127.0.0.1 only).

        Superset's access tokens expire after 15 minutes (flask-jwt-extended's default) and the session fixture
        outlives that, so a token older than five minutes is replaced by a fresh login.
        """
        if self._token is None or time.monotonic() - self._token_at > TOKEN_RENEW_AFTER_S:
            with httpx.Client(base_url=self.url, trust_env=False, timeout=60) as c:
                r = c.post("/api/v1/security/login", json={
                    "username": ss.ADMIN_USER, "password": self.password, "provider": "db", "refresh": False,
                })
                r.raise_for_status()
                self._token = r.json()["access_token"]
                self._token_at = time.monotonic()
        return httpx.Client(
            base_url=self.url, trust_env=False, timeout=120,
            headers={"Authorization": f"Bearer {self._token}"},
        )


@pytest.fixture(scope="session")
def superset(serving_home: Path) -> Iterator[RunningSuperset]:
    """Superset initialised, dashboards published, serving on a free port; always stopped."""
    home = Home(Path(serving_home)).ensure()
    assert home.serving.exists(), f"no serving DB at {home.serving}"
    password = ss.get_admin_password(home)  # $ZTECO_ADMIN_PASSWORD, else kept under the home

    t = time.monotonic()
    did_init = ss.init_superset(home, admin_password=password)
    METRICS["init_seconds"] = round(time.monotonic() - t, 1)
    METRICS["init_was_needed"] = did_init
    t = time.monotonic()
    published = ss.publish_dashboards(home)
    METRICS["publish_seconds"] = round(time.monotonic() - t, 1)

    proc = ss.start_superset(home, port=free_port())
    try:
        METRICS["first_health_seconds"] = round(proc.startup_seconds, 1)
        METRICS["rss_mb_after_start"] = round(ss.process_group_rss(proc) / 2**20)
        METRICS["gunicorn_workers"] = int(os.environ.get("ZTECO_SUPERSET_WORKERS") or 2)
        yield RunningSuperset(home, proc.url, password, proc, published)
        METRICS["rss_mb_at_end"] = round(ss.process_group_rss(proc) / 2**20)
    finally:
        ss.stop_superset(proc)
        METRICS["server_exit_code"] = proc.returncode


# ----------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any, superset: RunningSuperset) -> Iterator[Any]:
    """A fresh browser context; requests to anything but the Superset under test are aborted
    and listed in ``page.external_requests``."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    external: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(superset.url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.external_requests = external
    try:
        yield pg
    finally:
        context.close()
