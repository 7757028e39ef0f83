"""Writing the Parquet lake: typed tables, atomic partition replacement, the load log."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home

LOAD_LOG_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source", pa.string()),
    ("partition", pa.string()),
    ("source_file", pa.string()),
    ("received", pa.int64()),
    ("loaded", pa.int64()),
    ("quarantined", pa.int64()),
    ("duplicates", pa.int64()),
    ("started_at", pa.timestamp("us")),
    ("finished_at", pa.timestamp("us")),
])

QUARANTINE_SCHEMA = pa.schema([
    ("load_id", pa.string()),
    ("source_file", pa.string()),
    ("line_no", pa.int64()),
    ("raw", pa.string()),
    ("rule", pa.string()),
    ("reason", pa.string()),
])


def new_load_id(source: str, partition: str = "", run_id: str | None = None) -> str:
    """A load id names the source, the partition and the run (Dagster run id when there is one)."""
    token = (run_id or uuid.uuid4().hex)[:8]
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    return f"{source}:{partition or 'all'}:{stamp}:{token}"


@dataclass
class FileLoad:
    """Counts of one received file (or page, or batch). received = loaded + quarantined + duplicates."""

    load_id: str
    source: str
    partition: str
    source_file: str
    received: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None

    @property
    def balanced(self) -> bool:
        return self.received == self.loaded + self.quarantined + self.duplicates


def replace_partition(directory: Path, name: str, table: pa.Table, *, keep_others: bool = False) -> Path:
    """Replace every Parquet file of a partition directory by one new file, atomically per file.

    Re-loading a partition must not double its rows: the previous files are removed only after
    the new one is in place. ``keep_others`` only adds the file (an append-only folder, such as
    the quarantine of a dataset whose landing file is overwritten by each delivery).
    """
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    tmp = directory / f".{name}.tmp"
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, target)
    if keep_others:
        return target
    for old in directory.glob("*.parquet"):
        if old != target:
            old.unlink()
    return target


def write_load_log(home: Home, load_id: str, loads: Sequence[FileLoad]) -> Path | None:
    if not loads:
        return None
    now = datetime.now()
    rows = []
    for fl in loads:
        d = asdict(fl)
        d["finished_at"] = fl.finished_at or now
        rows.append(d)
    table = pa.Table.from_pylist(rows, schema=LOAD_LOG_SCHEMA)
    home.load_log.mkdir(parents=True, exist_ok=True)
    safe = load_id.replace(":", "_")
    path = home.load_log / f"{safe}.parquet"
    pq.write_table(table, path)
    return path
