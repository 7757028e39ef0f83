"""``zteco``: the operational verbs of the platform.

    zteco world generate   build the simulated world and feed the simulators' landing
    zteco run              the whole pipeline in batch through Dagster (no servers)
    zteco publish          publish the serving database and the Superset dashboards
    zteco serve            start the Dagster UI + daemon and Superset on 127.0.0.1
    zteco hj212 decode     decode HJ 212-2017 packets to JSON lines
    zteco aqi              HJ 633-2012 AQI of concentrations in a CSV
    zteco quality          expectation suites; accept violations that cannot be fixed at the source
    zteco receiver         the HJ 212-2017 TCP receiver (`zteco receiver reconcile`: its reconciliation)
    zteco devices replay   simulated devices pushing the world's packets to the receiver over TCP
    zteco solidwaste       the solid-waste platform's HTTP API simulator (serve) and its connector (pull)
    zteco evaluate         frozen evaluation extracts (xlsx, PDF, manifest) as of a date; `diff` against today
"""

from __future__ import annotations

import sys
import time
from datetime import date

import click

from orchestration.env import prepare_env


def _date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Zhaotong plan indicator warehouse: ingestion, warehouse, dashboards and evaluations.

    Files live under $ZTECO_HOME (default ./data). Run `zteco COMMAND --help` for details.
    """


@main.group()
def world() -> None:
    """The deterministic simulated world that feeds every source simulator."""


@world.command("generate")
@click.option("--end", callback=_date, help="Last simulated day (default: yesterday, the last complete day).")
@click.option("--size", default=1, show_default=True, type=click.IntRange(1, 100),
              help="Multiplies stations and enterprises (12 ≈ a province).")
@click.option("--seed", default=14, show_default=True, type=int, help="World seed.")
def world_generate(end: date | None, size: int, seed: int) -> None:
    """Generate the world and land what the simulated sources send (HJ 212 packets, registries, the
    census delivery, the permit list export).

    Landing files are immutable: files already there are kept, so extending --end only adds days.
    """
    from ingestion.simulate.generate import generate
    from ingestion.simulate.world import WorldConfig

    home = prepare_env()
    cfg = WorldConfig(seed=seed, size=size, **({"end": end} if end else {}))
    t0 = time.perf_counter()
    click.echo(f"generating world seed={cfg.seed} size={cfg.size} {cfg.start}..{cfg.end} into {home.root}")
    summary = generate(cfg, home)
    click.echo(f"  {summary['air_stations']} air stations, {summary['packets']:,} packets, "
               f"{summary['landing_files_written']} landing files written "
               f"({summary['landing_files_kept']} kept), {summary['anomalies']} anomalies in world/anomalies.csv "
               f"[{time.perf_counter() - t0:.1f}s]")
    census, permits = summary["census"], summary["permits"]
    click.echo(f"  census delivery: {census['workbooks']} workbooks, {census['records']} records "
               f"({'written' if census['written'] else 'kept'}), {sum(census['defects'].values())} defects in "
               "world/census_defects.csv")
    click.echo(f"  permit list export: {permits['file']}, {permits['rows']} rows "
               f"({'written' if permits['written'] else 'kept'}), defects in world/permits_defects.csv")
    if "lab" in summary:
        lab = summary["lab"]
        click.echo(f"  lab files: {lab['soil_files']} soil ({lab['soil_samples']} samples of {lab['soil_points']} "
                   f"points), {lab['noise_files']} noise ({lab['noise_measurements']} measurements), "
                   f"{sum(lab['defects'].values())} defects in world/lab_defects.csv")
    if "sources" in summary:
        src = summary["sources"]
        click.echo(f"  online monitoring: {src['outlets']} outlets ({src['networked_outlets']} networked), "
                   f"{src['packets']:,} packets, {src['anomalies']} anomalies in world/source_anomalies.csv")
    if "solidwaste" in summary:
        sw = summary["solidwaste"]
        click.echo(f"  solid-waste platform: {sw['generators']} HW generators ({sw['unregistered_generators']} "
                   f"unregistered), {sw['manifests']:,} manifests, {sum(sw['anomalies'].values())} anomalies in "
                   "world/solidwaste_anomalies.csv")


@main.command("run")
@click.option("--start", callback=_date, help="First day to ingest (default: first landed day).")
@click.option("--end", callback=_date, help="Last day to ingest (default: last landed day).")
def run_cmd(start: date | None, end: date | None) -> None:
    """Run the pipeline in batch through Dagster: ingest a date range, build the warehouse, publish.

    The ingestion runs as ONE Dagster run over the partition range, then the warehouse job (dbt
    build + serving copy). Both appear in the Dagster UI's run history.
    """
    from orchestration.runner import run_pipeline

    home = prepare_env()
    ok = run_pipeline(home, start, end, echo=click.echo)
    sys.exit(0 if ok else 1)


@main.command("publish")
@click.option("--dashboards/--no-dashboards", default=True, show_default=True,
              help="Also import the dashboards into Superset.")
def publish_cmd(dashboards: bool) -> None:
    """Publish the serving database (atomic copy of the warehouse) and the Superset dashboards."""
    from orchestration.publish import publish_serving

    home = prepare_env()
    info = publish_serving(home)
    click.echo(f"serving database: {info['path']} ({info['tables']} tables, {info['seconds']}s)")
    if dashboards:
        from orchestration import superset

        superset.init_superset(home)
        superset.publish_dashboards(home)
        click.echo("dashboards imported into Superset")


@main.command("serve")
@click.option("--dagster-port", envvar="ZTECO_DAGSTER_PORT", default=3000, show_default=True, type=int)
@click.option("--superset-port", envvar="ZTECO_SUPERSET_PORT", default=8088, show_default=True, type=int)
def serve_cmd(dagster_port: int, superset_port: int) -> None:
    """Start the Dagster UI + daemon and Superset on 127.0.0.1; Ctrl-C stops everything started."""
    from orchestration.servers import serve

    home = prepare_env()
    sys.exit(serve(home, dagster_port, superset_port, echo=click.echo))


@main.group()
def hj212() -> None:
    """HJ 212-2017 packet tools."""


@hj212.command("decode")
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"), default="-")
def hj212_decode(file) -> None:
    """Decode packets (one per line, FILE or stdin) into one JSON object per packet, in order.

    Always exits 0: a bad packet is reported in its JSON object (ok=false, error=reason).
    """
    from ingestion.hj212.tools import decode_stream

    decode_stream(file, sys.stdout)


@main.command("aqi")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
def aqi_cmd(file) -> None:
    """HJ 633-2012 AQI of each CSV row (FILE or stdin): IAQI per pollutant, AQI, primary, category.

    Columns: pm2_5, pm10, so2, no2, co (mg/m³), o3, optional o3_8h and kind (hourly|daily).
    """
    from ingestion.standards.hj633 import aqi_csv_stream

    try:
        aqi_csv_stream(file, sys.stdout)
    except ValueError as e:
        raise click.ClickException(str(e)) from None


@main.group()
def quality() -> None:
    """Data quality: the expectation suites and operator acknowledgements (quality/README.md)."""


@quality.command("rules")
@click.option("--dataset", help="Only this dataset (e.g. monitoring/air_hourly).")
def quality_rules(dataset: str | None) -> None:
    """List every rule: dataset, code, blocking or warning, and why."""
    from quality.suites import SUITES

    for suite in SUITES.values():
        if dataset and suite.dataset != dataset:
            continue
        click.echo(f"{suite.dataset}: {suite.description}")
        for r in suite.rules:
            note = "" if r.acceptable or not r.blocking else " (cannot be accepted)"
            click.echo(f"  {r.code:<24} {r.severity:<8} {r.title}{note}")


@quality.command("accept")
@click.option("--dataset", required=True, help="Dataset of the suite, e.g. monitoring/air_hourly.")
@click.option("--rule", "rule_code", required=True, help="Rule code, e.g. negative_concentration.")
@click.option("--partition", help="Day (YYYY-MM-DD) or range (D1..D2) of a daily dataset. An unpartitioned "
                                  "dataset (the registry) is accepted for the file as it is now.")
@click.option("--note", required=True, help="Why the violation is accepted (who said so, ticket …).")
def quality_accept(dataset: str, rule_code: str, partition: str | None, note: str) -> None:
    """Accept the violations of a blocking rule that cannot be fixed at the source.

    The rows stay quarantined; the blocking check passes (reporting how many were accepted) the
    next time the partition is processed: `zteco run --start D --end D`.
    """
    from quality import acknowledgements
    from quality.suites import get_suite

    home = prepare_env()
    try:
        suite = get_suite(dataset)
        rule = suite.rule(rule_code)
    except KeyError as e:
        raise click.BadParameter(str(e.args[0])) from None
    if not rule.blocking:
        raise click.ClickException(f"{rule.code} is a warning: it never stops a run, there is nothing to accept")
    if not rule.acceptable:
        raise click.ClickException(f"{rule.code} rejects a whole file that cannot be read; it cannot be "
                                   "accepted: have the file delivered again (quality/README.md)")
    if not note.strip():
        raise click.BadParameter("say why the violation is accepted", param_hint="--note")
    if suite.partitioned:
        if not partition:
            raise click.BadParameter(f"{dataset} is daily: give the day or range accepted", param_hint="--partition")
        try:
            scope = acknowledgements.parse_partition(partition)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--partition") from None
        rerun = f"zteco run --start {scope.split('..')[0]} --end {scope.split('..')[-1]}"
    else:
        if partition:
            raise click.BadParameter(f"{dataset} is not partitioned: the acceptance covers its current file",
                                     param_hint="--partition")
        landing = home.root / suite.landing_file
        if not landing.exists():
            raise click.ClickException(f"{landing} does not exist: nothing to accept")
        scope = acknowledgements.fingerprint(landing)
        rerun = "zteco run"
    ack = acknowledgements.add(home, dataset, rule.code, scope, note)
    click.echo(f"accepted {ack.dataset} {ack.rule} for {ack.partition} ({ack.accepted_by}, {ack.accepted_at}); "
               f"stored in {acknowledgements.path(home)}")
    click.echo(f"re-process with: {rerun}")


@quality.command("list")
def quality_list() -> None:
    """Show the acknowledgements on record."""
    from quality import acknowledgements

    home = prepare_env()
    acks = acknowledgements.load(home)
    if not acks:
        click.echo(f"no acknowledgements ({acknowledgements.path(home)})")
    for a in acks:
        click.echo(f"{a.accepted_at}  {a.dataset}  {a.rule}  {a.partition}  {a.accepted_by}: {a.note}")


# zteco receiver [reconcile] / zteco devices replay: the HJ 212 TCP receiver and the device simulator.
from ingestion.receiver.cli import devices as _devices_group  # noqa: E402
from ingestion.receiver.cli import receiver as _receiver_group  # noqa: E402

main.add_command(_receiver_group)
main.add_command(_devices_group)

# zteco solidwaste serve|pull: the solid-waste platform's API simulator and its connector.
from ingestion.solidwaste.cli import solidwaste as _solidwaste_group  # noqa: E402

main.add_command(_solidwaste_group)

# zteco evaluate [diff]: the frozen mid-term / final / annual evaluation extracts.
from evaluation.cli import evaluate as _evaluate_group  # noqa: E402

main.add_command(_evaluate_group)


if __name__ == "__main__":
    main()
