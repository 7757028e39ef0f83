"""``zteco solidwaste serve`` (the platform simulator) and ``zteco solidwaste pull`` (the connector)."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click


@click.group()
def solidwaste() -> None:
    """The provincial solid-waste platform: its HTTP API simulator and the incremental connector."""


@solidwaste.command("serve")
@click.option("--port", envvar="ZTECO_SW_PORT", default=8765, show_default=True, type=int)
@click.option("--clock", help="Platform clock (YYYY-MM-DD[ HH:MM:SS]); default: the world's last second.")
@click.option("--token-ttl", default=30 * 60, show_default=True, type=float, help="Token lifetime, seconds.")
@click.option("--rate-limit-every", default=0, show_default=True, type=int,
              help="Answer every N-th request with 429 + Retry-After (0: never).")
@click.option("--error-rate", default=0.0, show_default=True, type=float, help="Share of first attempts → 5xx.")
@click.option("--slow-rate", default=0.0, show_default=True, type=float, help="Share of slow pages.")
@click.option("--slow-seconds", default=2.0, show_default=True, type=float)
@click.option("--errors-in-body", is_flag=True, help="Answer errors as HTTP 200 with the status in the body's code.")
@click.option("--drift", multiple=True, metavar="TABLE=added_field|missing_field", help="Switch on schema drift.")
def serve_cmd(port: int, clock: str | None, token_ttl: float, rate_limit_every: int, error_rate: float,
              slow_rate: float, slow_seconds: float, errors_in_body: bool, drift: tuple[str, ...]) -> None:
    """Serve the world's platform data on 127.0.0.1 (appKey/appSecret: ZTECO_SW_APP_KEY/SECRET)."""
    from ingestion.solidwaste.platform_server import PlatformConfig, serve
    from ingestion.solidwaste.world import platform_dir
    from orchestration.env import prepare_env

    home = prepare_env()
    data = platform_dir(home)
    if not (data / "clock.txt").exists():
        raise click.ClickException(f"no platform data under {data}: run `zteco world generate` first")
    cfg = PlatformConfig(data, clock=datetime.fromisoformat(clock) if clock else None, token_ttl_seconds=token_ttl,
                         rate_limit_every=rate_limit_every, error_rate=error_rate, slow_rate=slow_rate,
                         slow_seconds=slow_seconds, errors_in_body=errors_in_body,
                         drift=dict(d.split("=", 1) for d in drift))
    click.echo(f"solid-waste platform simulator on http://127.0.0.1:{port}/api/v1/ (data {data})")
    serve(cfg, port)


@solidwaste.command("pull")
@click.option("--base-url", envvar="ZTECO_SW_BASE_URL", help="Platform URL (default: the in-process simulator).")
def pull_cmd(base_url: str | None) -> None:
    """One incremental pull (what the Dagster asset runs), printed as JSON."""
    from ingestion.solidwaste.connector import pull_for_pipeline
    from orchestration.env import prepare_env

    home = prepare_env()
    res = pull_for_pipeline(home, base_url=base_url)
    click.echo(json.dumps({"mode": res.mode, "pulls": len(res.results), "totals": res.totals(),
                           "balanced": res.balanced, "drift": res.drift}, ensure_ascii=False, indent=1))
    sys.exit(0 if res.balanced else 1)
