"""``zteco evaluate``: frozen evaluation extracts and their diff against today's warehouse."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click


def _date(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.group("evaluate", invoke_without_command=True)
@click.option(
    "--kind",
    type=click.Choice(["midterm", "final", "annual"]),
    help="midterm (default as of 2023-12-31), final (2025-12-31) or annual (31 Dec of --year).",
)
@click.option(
    "--as-of", "as_of", callback=_date, help="Use only data that had arrived by the end of this day."
)
@click.option("--year", type=int, help="Assessment year (default: the as-of date's year; annual: last year).")
@click.pass_context
def evaluate(ctx, kind: str | None, as_of: date | None, year: int | None) -> None:
    """Write a frozen evaluation extract to $ZTECO_HOME/extracts/<kind>-<as-of>/ (evaluation.xlsx,
    evaluation.pdf, manifest.json), built as known at the as-of time.

    `zteco evaluate diff DIR` compares a frozen extract with today's warehouse and explains each change.
    """
    if ctx.invoked_subcommand is not None:
        return
    if kind is None:
        raise click.UsageError("give --kind midterm|final|annual (or the diff subcommand)")
    from evaluation.extract import resolve_request, write_extract
    from orchestration.env import prepare_env

    home = prepare_env()
    req = resolve_request(kind, as_of, year)
    try:
        out = write_extract(home, req, echo=click.echo)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    click.echo(str(out))


@evaluate.command("diff")
@click.argument("extract", type=click.Path(exists=True, file_okay=False, path_type=Path))
def evaluate_diff(extract: Path) -> None:
    """Compare the frozen figures of EXTRACT with today's warehouse, figure by figure, and say why each
    changed (later loads, record versions that arrived after the as-of time, code or registry changes).
    Exit code 0 when nothing changed, 3 when some figures changed."""
    from evaluation.diff import diff_extract
    from orchestration.env import prepare_env

    home = prepare_env()
    try:
        result = diff_extract(home, extract)
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None
    click.echo(result.report(), nl=False)
    sys.exit(3 if result.changes else 0)
