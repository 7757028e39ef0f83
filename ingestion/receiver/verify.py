"""Proofs over a receiver home: nothing acknowledged lost, the journal matches the files, balance.

Used by the acceptance test and the benchmark. Every check reads the files themselves (landing
logs, rejected files) and compares them with what the devices recorded and with the journal, so a
receiver that acknowledged too early, lost a line or journaled a line it did not write is caught.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.common.home import Home
from ingestion.receiver.store import RECEIVER_DIR, read_journal, reconciliation


def landing_files(home: Home) -> list[Path]:
    return sorted(p for p in (home.landing / "monitoring").glob("**/date=*/recv-*.hj212"))


def landing_lines(home: Home) -> dict[tuple[str, int], bytes]:
    """(file relative to the home, line number) → packet bytes (CR LF included) of every receiver file."""
    out: dict[tuple[str, int], bytes] = {}
    for path in landing_files(home):
        rel = str(path.relative_to(home.root))
        for n, line in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
            out[(rel, n)] = line
    return out


def rejected_records(home: Home) -> dict[tuple[str, int], dict]:
    """(rejected file relative to the home, line number) → record, for every rejected file."""
    rows = {}
    for path in sorted((home.landing / RECEIVER_DIR / "rejected").glob("date=*/*.jsonl")):
        rel = str(path.relative_to(home.root))
        for n, line in enumerate(path.read_bytes().split(b"\n")[:-1], start=1):
            rows[(rel, n)] = json.loads(line)
    return rows


@dataclass
class Verdict:
    acked: int = 0
    acked_missing: int = 0                      # acknowledged packets not found in the landing log
    landed_lines: int = 0                       # lines in the receiver's landing files
    torn_lines: int = 0                         # lines without CR LF (must be 0 after recovery)
    journal_landed: int = 0
    journal_only: int = 0                       # journal says landed, the file has no such line
    file_only: int = 0                          # a landing line the journal does not know
    journal_quarantined: int = 0
    rejected_records: int = 0
    rejected_mismatch: int = 0                  # rejected records and quarantined journal rows that differ
    duplicate_lines: int = 0                    # the same packet on two landing lines
    unbalanced: list[dict] = field(default_factory=list)
    receivers: int = 0                          # receiver processes that wrote the journal

    @property
    def ok(self) -> bool:
        return (self.acked_missing == 0 and self.torn_lines == 0 and self.journal_only == 0
                and self.file_only == 0 and self.rejected_mismatch == 0
                and not self.unbalanced)


def verify(home: Home, acked: list[bytes]) -> Verdict:
    v = Verdict(acked=len(acked))
    lines = landing_lines(home)
    v.landed_lines = len(lines)
    v.torn_lines = sum(1 for b in lines.values() if not b.endswith(b"\r\n"))
    present = Counter(lines.values())
    v.duplicate_lines = sum(n - 1 for n in present.values() if n > 1)
    v.acked_missing = sum(1 for pkt in acked if pkt not in present)
    j = read_journal(home)
    outcome = j.column("outcome").to_pylist()
    files = j.column("landing_file").to_pylist()
    line_nos = j.column("landing_line").to_pylist()
    journaled = {(f, n) for f, n, o in zip(files, line_nos, outcome, strict=True) if o == "landed"}
    v.journal_landed = len(journaled)
    v.journal_only = len(journaled - lines.keys())
    v.file_only = len(lines.keys() - journaled)
    quarantined = {(f, n) for f, n, o in zip(files, line_nos, outcome, strict=True) if o == "quarantined"}
    rejected = rejected_records(home)
    v.journal_quarantined = outcome.count("quarantined")
    v.rejected_records = len(rejected)
    v.rejected_mismatch = len(quarantined ^ rejected.keys()) + (v.journal_quarantined - len(quarantined))
    v.unbalanced = [r for r in reconciliation(home) if not r["balanced"]]
    v.receivers = len(set(j.column("receiver").to_pylist()))
    return v
