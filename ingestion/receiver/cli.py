"""``zteco receiver`` and ``zteco devices``: the click commands (added to orchestration/cli.py's group)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from orchestration.env import prepare_env


def _date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group("receiver", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", envvar="ZTECO_RECEIVER_PORT", default=9212, show_default=True, type=int,
              help="TCP port ($ZTECO_RECEIVER_PORT).")
@click.pass_context
def receiver(ctx: click.Context, host: str, port: int) -> None:
    """HJ 212-2017 TCP receiver. Without a subcommand: receive until Ctrl-C / SIGTERM.

    Devices authenticate by MN and PW (landing/monitoring/registry/*.csv); packets are appended to the
    landing log and fsynced before the 9014 response; rejected bytes go to
    landing/monitoring/receiver/rejected/, one journal row per frame to lake/ops/receiver_journal/.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ingestion.receiver.server import run

    run(prepare_env(), host, port)


@receiver.command("reconcile")
@click.option("--date", "day", callback=_date, help="Only this day (the packets' DataTime day).")
@click.option("--all-rows", is_flag=True, help="Print balanced rows too (default: totals and unbalanced rows).")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Also check the journal against the files: every landed row is a line of its landing log and "
                   "back, every quarantined row a rejected record and back, no torn line.")
def reconcile(day: date | None, all_rows: bool, verify: bool) -> None:
    """Per device and day: received = landed + quarantined + duplicates (exit 1 when a row does not balance
    or, with --verify, when the journal and the files disagree)."""
    from ingestion.receiver.store import reconciliation

    home = prepare_env()
    rows = reconciliation(home, day)
    bad = [r for r in rows if not r["balanced"]]
    click.echo(f"{'mn':<28}{'day':<12}{'received':>10}{'landed':>10}{'quarantined':>13}{'duplicates':>12}  balanced")
    for r in rows if all_rows else bad:
        click.echo(f"{r['mn'] or 'unattributed':<28}{r['day'].isoformat():<12}{r['received']:>10}{r['landed']:>10}"
                   f"{r['quarantined']:>13}{r['duplicates']:>12}  {r['balanced']}")
    tot = {k: sum(r[k] for r in rows) for k in ("received", "landed", "quarantined", "duplicates")}
    click.echo(f"{'total':<28}{len(rows):<12}{tot['received']:>10}{tot['landed']:>10}{tot['quarantined']:>13}"
               f"{tot['duplicates']:>12}  {len(rows) - len(bad)}/{len(rows)} device-days balanced")
    mismatch = False
    if verify:
        from ingestion.receiver.verify import verify as verify_home

        v = verify_home(home, [])
        mismatch = bool(v.journal_only or v.file_only or v.torn_lines or v.rejected_mismatch)
        click.echo(f"files: {v.landed_lines} landing lines ({v.file_only} without a journal row, {v.journal_only} "
                   f"journal rows without a line, {v.torn_lines} torn), {v.rejected_records} rejected records "
                   f"({v.rejected_mismatch} not matching the journal); {v.receivers} receiver boots")
    sys.exit(1 if bad or mismatch else 0)


@click.group("devices")
def devices() -> None:
    """Simulated field devices that push the world's packets to the receiver over TCP."""


@devices.command("replay")
@click.option("--port", envvar="ZTECO_RECEIVER_PORT", default=9212, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--source", type=click.Path(file_okay=False), help="Data home whose landing folders are the devices' "
              "outboxes (default $ZTECO_HOME; receiver files are skipped).")
@click.option("--devices", "max_devices", type=int, help="At most this many devices (default all).")
@click.option("--packets", "per_device", type=int, help="At most this many packets per device (default all).")
@click.option("--faults/--no-faults", default=True, show_default=True,
              help="Bad CRC/length, split packets, garbage, reconnects, clock skew.")
@click.option("--rogue/--no-rogue", default=True, show_default=True, help="Add a device with an unknown MN.")
@click.option("--window", default=64, show_default=True, type=int, help="Unacknowledged packets per device.")
@click.option("--report", type=click.Path(dir_okay=False), help="Write what each device sent and had acknowledged "
              "(JSON).")
def replay(port: int, host: str, source: str | None, max_devices: int | None, per_device: int | None, faults: bool,
           rogue: bool, window: int, report: str | None) -> None:
    """Replay the world's stations and devices over TCP, each on its own connection, asking for responses."""
    from ingestion.common.home import Home
    from ingestion.receiver import devices as dv

    home = Home(Path(source).resolve()) if source else prepare_env()
    f = dv.Faults() if faults else dv.Faults.none()
    f.window = window
    devs = dv.outboxes(home, max_devices=max_devices, per_device=per_device, faults=f)
    if rogue:
        devs.append(dv.rogue_device())
    click.echo(f"{len(devs)} devices, {sum(len(d.packets) for d in devs):,} packets → {host}:{port}")
    rep = dv.replay_sync(devs, host, port, f)
    click.echo(json.dumps(rep.summary()))
    if report:
        by_mn = {d.mn: d for d in devs}
        doc = [{"mn": r.mn, "packets": r.packets, "acked": len(r.acked), "sends": r.sends, "damaged": r.damaged,
                "connects": r.connects, "skew_seconds": by_mn[r.mn].skew_seconds,
                "unacked_qn": [by_mn[r.mn].packets[i][9:26].decode() for i in range(r.packets) if i not in r.acked]}
               for r in rep.devices]
        Path(report).write_text(json.dumps(doc, indent=1), encoding="utf-8")
        click.echo(f"report: {report}")
