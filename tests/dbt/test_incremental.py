"""Incremental hourly models (macros/incremental.sql): a day's run rebuilds only the days with new loads.

On a small generated world the warehouse is built once with history up to day N-2 (``zteco run``), then
days N-1 and N are run one at a time (``zteco run --start D --end D``, exactly what the daily schedule
runs), then a packet held back from an old day arrives late and that day is reloaded. The world is edited
before the first load so that the neighbouring-day rule matters: station 1's PM2.5 is the same for the
last three hours of day N-1 and the first three of day N, a 6-hour flatline that only exists once day N
is loaded, and that invalidates hours of day N-1 (already built). Every incremental model must then equal,
row for row (EXCEPT ALL both ways), a ``--full-refresh`` build of the same lake. A dbt run with nothing
new must leave every incremental table untouched (same DuckDB rowids: nothing deleted, nothing inserted).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.hj212.codec import crc16, format_crc
from tests.conftest import run_zteco

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")

WORLD_END = date(2020, 1, 12)  # day N
FIRST_LOAD_END = WORLD_END - timedelta(days=2)  # the first build: history up to N-2
LATE_DAY = date(2020, 1, 5)  # a packet of this day arrives after day N has been run
STATION_MN = "530602002200000000000001"
LATE_HOUR = "20200105230000"  # the packet held back: station 1 at 23:00 of LATE_DAY
FLATLINE_PM25 = "42.0"

INCREMENTAL_MODELS = [
    "intermediate.int_air_hourly_validated",
    "intermediate.int_source_hourly_values_validated",
    "intermediate.int_air_station_days_aggregated",
    "intermediate.int_source_value_runs_grouped",
    "main.fct_air_hourly_station",
    "main.fct_air_value_validation",
]


def _reframe(line: str, data: str) -> str:
    """An HJ 212 line with a new data segment: length and CRC computed again."""
    raw = data.encode("utf-8")
    return f"##{len(raw):04d}{data}{format_crc(crc16(raw))}" + ("\r\n" if line.endswith("\r\n") else "\n")


def _landing_file(home: Path, day: date) -> Path:
    files = sorted((home / "landing" / "monitoring" / "hj212" / f"date={day.isoformat()}").glob("*.hj212"))
    assert len(files) == 1, files
    return files[0]


def _edit_landing(home: Path) -> str:
    """Set the flatline across midnight N-1 / N and hold back the late packet; returns the late line."""
    hours = {(WORLD_END - timedelta(days=1), h) for h in (21, 22, 23)} | {(WORLD_END, h) for h in (0, 1, 2)}
    edited = 0
    for day in (WORLD_END - timedelta(days=1), WORLD_END):
        path = _landing_file(home, day)
        lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
        out = []
        for line in lines:
            data = line.rstrip("\r\n")[6:-4]
            if (
                f"MN={STATION_MN};" in data
                and "CN=2061;" in data
                and any(f"DataTime={d.strftime('%Y%m%d')}{h:02d}0000;" in data for d, h in hours)
            ):
                head, _, rest = data.partition("a34004-Avg=")
                value, _, tail = rest.partition(",")
                assert tail.startswith("a34004-Flag=N"), data
                line = _reframe(line, f"{head}a34004-Avg={FLATLINE_PM25},{tail}")
                edited += 1
            out.append(line)
        path.write_bytes("".join(out).encode("utf-8"))
    assert edited == 6

    path = _landing_file(home, LATE_DAY)
    lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    late = [
        ln for ln in lines if f"MN={STATION_MN};" in ln and f"DataTime={LATE_HOUR};" in ln and "CN=2061" in ln
    ]
    assert len(late) == 1
    path.write_bytes("".join(ln for ln in lines if ln != late[0]).encode("utf-8"))
    return late[0]


def _dbt(home: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZTECO_", "DAGSTER_"))}
    env.update(
        ZTECO_HOME=str(home),
        ZTECO_DUCKDB_MEMORY="2GB",
        DBT_TARGET_PATH=str(home / "dbt_target"),
        DBT_LOG_PATH=str(home / "dbt_logs"),
    )
    proc = subprocess.run(
        [DBT, *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def _selection() -> list[str]:
    return ["--select", " ".join(name.split(".")[1] for name in INCREMENTAL_MODELS)]


def _rows(home: Path) -> dict[str, set[tuple]]:
    """Every row of each incremental model with its DuckDB rowid: a row deleted and inserted again gets a new one."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {
            name: set(con.execute(f"select rowid, * from {name}").fetchall()) for name in INCREMENTAL_MODELS
        }


def _deletes_of_runs(output: str) -> dict[str, list[str]]:
    """The `delete from` statements dbt ran per model in the Dagster runs named in a `zteco run` output."""
    deletes: dict[str, list[str]] = {}
    for run_id in set(re.findall(r"\(run ([0-9a-f-]{36})\)", output)):
        for log in PROJECT.glob(f"target/warehouse_dbt_assets-{run_id[:7]}-*/dbt.log*"):
            for line in log.read_text(encoding="utf-8").splitlines():
                data = json.loads(line).get("data", {})
                if "delete from" in data.get("sql", ""):
                    deletes.setdefault(data["node_info"]["node_name"], []).append(data["sql"])
    return deletes


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The incrementally built home, and the delete statements the late packet's reload ran per model."""
    home = tmp_path_factory.mktemp("zteco-incremental")
    run_zteco(home, "world", "generate", "--end", WORLD_END.isoformat())
    late_line = _edit_landing(home)
    run_zteco(home, "run", "--end", FIRST_LOAD_END.isoformat())
    for day in (WORLD_END - timedelta(days=1), WORLD_END):
        run_zteco(home, "run", "--start", day.isoformat(), "--end", day.isoformat())
    late_dir = home / "landing" / "monitoring" / "hj212" / f"date={LATE_DAY.isoformat()}"
    (late_dir / "late-resend.hj212").write_bytes(late_line.encode("utf-8"))
    proc = run_zteco(home, "run", "--start", LATE_DAY.isoformat(), "--end", LATE_DAY.isoformat())
    return home, _deletes_of_runs(proc.stdout + proc.stderr)


@pytest.fixture(scope="module")
def home(scenario: tuple[Path, dict[str, list[str]]]) -> Path:
    return scenario[0]


@pytest.fixture(scope="module")
def full_refresh_home(home: Path, tmp_path_factory) -> Path:
    """The same lake, the incremental models built again with --full-refresh on a copy of the warehouse."""
    full = tmp_path_factory.mktemp("zteco-full-refresh")
    for entry in home.iterdir():
        if entry.name in ("warehouse.duckdb", "warehouse.duckdb.wal", "tmp", "dbt_target", "dbt_logs"):
            continue
        (full / entry.name).symlink_to(entry)
    shutil.copy(home / "warehouse.duckdb", full / "warehouse.duckdb")
    _dbt(full, "run", "--full-refresh", *_selection())
    return full


def test_flatline_and_late_packet_reached_the_incremental_tables(home: Path) -> None:
    """The scenario did what it says: the late packet is in, and the cross-midnight flatline invalidates N-1."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        late = con.execute(
            "select load_id from intermediate.int_air_hourly_validated where mn = ? and data_time = ?",
            [STATION_MN, f"{LATE_DAY.isoformat()} 23:00:00"],
        ).fetchall()
        flatlines = con.execute(
            """select cast(data_time as date) as day, count(*) from main.fct_air_value_validation
               where station_code in (select station_code from intermediate.int_air_hourly_validated where mn = ?)
                 and pollutant = 'pm2_5' and invalidation_reason = 'flatline'
               group by 1 order by 1""",
            [STATION_MN],
        ).fetchall()
    assert len(late) == 1 and LATE_DAY.isoformat() in late[0][0]  # the reload's load_id names its day
    assert (WORLD_END - timedelta(days=1), 3) in flatlines and (WORLD_END, 3) in flatlines


def test_the_late_reload_rebuilt_only_its_day_and_neighbours(
    scenario: tuple[Path, dict[str, list[str]]],
) -> None:
    """The reload of LATE_DAY deleted (then inserted) that day only, its neighbours where a rule crosses
    midnight, and for runs of values the runs touching the day or the hour either side of it."""
    _, deletes = scenario
    day = LATE_DAY.isoformat()
    before, after = (LATE_DAY - timedelta(days=1)).isoformat(), (LATE_DAY + timedelta(days=1)).isoformat()
    expected = {
        "int_air_hourly_validated": [day],
        "int_source_hourly_values_validated": [day],
        "fct_air_hourly_station": [day],
        "int_air_station_days_aggregated": [before, day, after],
        "fct_air_value_validation": [before, day, after],
        "int_source_value_runs_grouped": [f"{before} 23:00:00", f"{after} 00:00:00"],
    }
    for model, literals in expected.items():
        assert len(deletes.get(model, [])) == 1, (model, deletes.get(model))
        found = re.findall(r"cast\('([0-9: -]+)' as (?:date|timestamp)\)", deletes[model][0])
        assert found == literals, (model, deletes[model][0])


@pytest.mark.parametrize("name", INCREMENTAL_MODELS)
def test_incremental_equals_full_refresh(home: Path, full_refresh_home: Path, name: str) -> None:
    """Row for row; doubles compared at 1e-9 (a mean summed in another order differs in its last bits)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{home / 'warehouse.duckdb'}' as inc (read_only)")
        con.execute(f"attach '{full_refresh_home / 'warehouse.duckdb'}' as full_build (read_only)")
        columns = ", ".join(
            f"round({column}, 9)" if kind in ("DOUBLE", "FLOAT") else column
            for column, kind, *_ in con.execute(f"describe inc.{name}").fetchall()
        )
        rows = con.execute(f"select count(*) from inc.{name}").fetchone()[0]
        full_rows = con.execute(f"select count(*) from full_build.{name}").fetchone()[0]
        only_inc, only_full = (
            con.execute(
                f"select count(*) from (select {columns} from {a}.{name} except all select {columns} from {b}.{name})"
            ).fetchone()[0]
            for a, b in (("inc", "full_build"), ("full_build", "inc"))
        )
    assert rows > 0
    assert (rows, only_inc, only_full) == (full_rows, 0, 0)


def test_a_run_with_nothing_new_touches_no_row(home: Path, full_refresh_home: Path) -> None:
    before = _rows(home)
    _dbt(home, "run", *_selection())
    after = _rows(home)
    for name in INCREMENTAL_MODELS:
        assert before[name] and after[name] == before[name], name
