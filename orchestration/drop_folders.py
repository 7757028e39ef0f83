"""Drop-folder sensors: a fingerprint of what lies in a folder tree, and the tick that compares it with the cursor.

Used by the lab deliveries (orchestration/defs/lab.py) and the county sub-centres' uploads
(orchestration/defs/counties.py): a new, replaced or removed file changes the fingerprint and requests a run;
the first tick only records what is there (``zteco run`` has taken it in).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SkipReason


def fingerprint(root: Path, keep: Callable[[Path], bool]) -> tuple[str, int]:
    """(hash, files) over every file under ``root`` that ``keep`` accepts: path, size and mtime of each."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and keep(p)) if root.exists() else []
    h = hashlib.sha256()
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(root).as_posix()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest(), len(files)


def tick(context: SensorEvaluationContext, root: Path, keep: Callable[[Path], bool], what: str,
         key_prefix: str, trigger: str) -> RunRequest | SkipReason:
    digest, n = fingerprint(root, keep)
    previous = context.cursor
    context.update_cursor(digest)
    if previous is None:
        return SkipReason(f"first tick: {n} {what} files recorded")
    if previous == digest:
        return SkipReason(f"no change in {n} {what} files")
    return RunRequest(run_key=f"{key_prefix}-{digest[:16]}", tags={"trigger": trigger})
