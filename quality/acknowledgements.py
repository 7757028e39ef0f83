"""Operator acknowledgements: violations of a blocking rule accepted because the source cannot fix them.

Stored as data in ``$ZTECO_HOME/quality/acknowledgements.csv`` (append-only; one row per
``zteco quality accept``): ``dataset, rule, partition, note, accepted_by, accepted_at``.

``partition`` scopes the acceptance so that it never covers violations nobody has looked at:
- a daily dataset: one day ``2021-03-01`` or an inclusive range ``2021-03-01..2021-03-31``;
- an unpartitioned dataset (the registry): ``sha256:<16 hex>``, the fingerprint of the file that
  was accepted — the next delivery is validated afresh.

Accepted rows stay quarantined; the blocking check passes and reports how many were accepted.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from pathlib import Path

from ingestion.common.home import Home

COLUMNS = ["dataset", "rule", "partition", "note", "accepted_by", "accepted_at"]


def path(home: Home) -> Path:
    return home.root / "quality" / "acknowledgements.csv"


def fingerprint(file: Path) -> str:
    return "sha256:" + hashlib.sha256(file.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Acknowledgement:
    dataset: str
    rule: str
    partition: str
    note: str
    accepted_by: str = ""
    accepted_at: str = ""

    def covers(self, dataset: str, rule: str, partition: str) -> bool:
        if (self.dataset, self.rule) != (dataset, rule):
            return False
        if ".." in self.partition and ".." not in partition:
            lo, hi = self.partition.split("..", 1)
            return lo <= partition <= hi  # ISO dates order as text
        return self.partition == partition


def parse_partition(text: str) -> str:
    """Normalise ``D`` or ``D1..D2`` (ISO dates); raise ValueError with a usable message."""
    parts = text.split("..")
    if len(parts) > 2:
        raise ValueError(f"{text!r}: give one day (2021-03-01) or a range (2021-03-01..2021-03-31)")
    try:
        days = [date.fromisoformat(p.strip()) for p in parts]
    except ValueError:
        raise ValueError(f"{text!r} is not a day (YYYY-MM-DD) or a range of days (D1..D2)") from None
    if len(days) == 2 and days[1] < days[0]:
        raise ValueError(f"{text!r}: the range ends before it starts")
    return "..".join(d.isoformat() for d in days)


def load(home: Home) -> list[Acknowledgement]:
    p = path(home)
    if not p.exists():
        return []
    with p.open(encoding="utf-8", newline="") as f:
        return [Acknowledgement(**{k: r.get(k) or "" for k in COLUMNS}) for r in csv.DictReader(f)]


def add(home: Home, dataset: str, rule: str, partition: str, note: str) -> Acknowledgement:
    ack = Acknowledgement(dataset, rule, partition, note.strip(), accepted_by=getpass.getuser(),
                          accepted_at=datetime.now().isoformat(timespec="seconds"))
    p = path(home)
    p.parent.mkdir(parents=True, exist_ok=True)
    new = not p.exists()
    with p.open("a", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[fl.name for fl in fields(Acknowledgement)])
        if new:
            w.writeheader()
        w.writerow(asdict(ack))
    return ack
