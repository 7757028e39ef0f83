"""Durable side of the receiver: landing log, rejected-bytes quarantine, receipt journal, recovery.

One :class:`Store` per receiver process. :meth:`Store.commit` takes a batch of frames (raw bytes as
cut from the TCP streams, with connection facts) and, in this order:

1. decodes them (``parse_many``: length, CRC, fields), authenticates MN/PW against the registries,
   recognises duplicates (the same bytes already landed: a device resending after a lost ack);
2. appends landed packets to ``landing/<root>/date=<DataTime day>/recv-<boot>-<pid>.hj212`` and
   rejected bytes to ``landing/monitoring/receiver/rejected/date=<arrival day>/recv-<boot>-<pid>.jsonl``;
3. fsyncs every file written, then writes the batch's journal Parquet
   (``lake/ops/receiver_journal/date=<arrival day>/recv-<boot>-<pid>-<batch>.parquet``) atomically
   (temp file, fsync, rename, directory fsync);
4. returns, per frame, its outcome and the 9014 response to send — only now may it be sent.

A receiver killed between 2 and 3 leaves landed lines without journal rows and maybe a torn last
line. The next receiver of the same home recovers the files of every boot that did not close cleanly
(``landing/monitoring/receiver/state/<boot>-<pid>.json`` lists them): it cuts a torn tail into the
rejected file (rule ``torn_write``; it was never acknowledged, the device resends it) and journals
the orphan lines (rule ``recovered``), so received = landed + quarantined + duplicates still holds.
"""

from __future__ import annotations

import csv
import fcntl
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.common.home import Home
from ingestion.hj212.codec import FLAG_ACK, Hj212Error, Packet, crc16_many, parse_many

#: ST → landing root (relative to ``landing/``), as agreed between the monitoring families.
ST_ROOTS = {
    "22": "monitoring/hj212",
    "21": "monitoring/water/hj212",
    "31": "monitoring/sources/hj212",
    "32": "monitoring/sources/hj212",
}
OTHER_ROOT = "monitoring/other/hj212"
REGISTRY_DIR = "monitoring/registry"
RECEIVER_DIR = "monitoring/receiver"
JOURNAL_DIR = "ops/receiver_journal"
#: arrival days over which the receiver recognises resends itself
SEEN_DAYS = 2
#: consecutive authentication failures after which a connection is closed
MAX_AUTH_FAILURES = 3

JOURNAL_SCHEMA = pa.schema([
    ("received_at", pa.timestamp("us")),
    ("receiver", pa.string()),
    ("peer", pa.string()),
    ("mn", pa.string()),
    ("st", pa.string()),
    ("cn", pa.string()),
    ("qn", pa.string()),
    ("data_time", pa.timestamp("us")),
    ("day", pa.date32()),
    ("outcome", pa.string()),
    ("rule", pa.string()),
    ("bytes", pa.int64()),
    ("landing_file", pa.string()),
    ("landing_line", pa.int64()),
    ("digest", pa.string()),
])

_MN_RE = re.compile(rb";MN=([^;&\r\n]{1,64});")


def root_for_st(st: str) -> str:
    return ST_ROOTS.get(st, OTHER_ROOT)


def digest(raw: bytes) -> str:
    """Identity of a packet's bytes (CR LF excluded): same MN, CN, DataTime and content."""
    return hashlib.blake2b(raw.rstrip(b"\r\n"), digest_size=12).hexdigest()


def escape(raw: bytes) -> str:
    """Bytes as text, anything that is not printable ASCII escaped (``\\r``, ``\\x00``, ``\\xe4``)."""
    return raw.decode("ascii", errors="backslashreplace").encode("unicode_escape").decode("ascii") \
        .replace("\\\\x", "\\x")


def response_segments(packets: list[tuple[str, str, str]]) -> list[bytes]:
    """HJ 212-2017 data responses (CN=9014, ST=91) to packets given as (QN, PW, MN).

    The standard's example (annex C)::

        QN=20160801085857223;ST=91;CN=9014;PW=100000;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&

    The response repeats the request's QN, PW and MN; Flag=4 (HJ 212-2017, no response wanted).
    """
    segs = [f"QN={qn};ST=91;CN=9014;PW={pw};MN={mn};Flag=4;CP=&&&&".encode("ascii", "replace")
            for qn, pw, mn in packets]
    crcs = crc16_many(segs)
    return [b"##%04d%s%04X\r\n" % (len(s), s, int(c)) for s, c in zip(segs, crcs, strict=True)]


# -- the device registries -----------------------------------------------------------------------

class Registry:
    """MN → PW from every ``landing/monitoring/registry/*.csv``; reloaded when a file changes."""

    def __init__(self, home: Home, check_every: float = 1.0) -> None:
        self.dir = home.landing / REGISTRY_DIR
        self.check_every = check_every
        self._sig: tuple = ()
        self._checked = 0.0
        self.devices: dict[str, str] = {}
        self.problems: list[str] = []
        self.refresh(force=True)

    def _signature(self) -> tuple:
        files = sorted(self.dir.glob("*.csv")) if self.dir.exists() else []
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)

    def refresh(self, force: bool = False) -> bool:
        now = time.monotonic()
        if not force and now - self._checked < self.check_every:
            return False
        self._checked = now
        sig = self._signature()
        if sig == self._sig and not force:
            return False
        devices: dict[str, str] = {}
        problems: list[str] = []
        for name, _, _ in sig:
            path = self.dir / name
            try:
                with path.open(encoding="utf-8-sig", newline="") as f:
                    reader = csv.DictReader(f)
                    if not reader.fieldnames or "mn" not in reader.fieldnames or "pw" not in reader.fieldnames:
                        problems.append(f"{name}: no mn/pw columns; its devices cannot authenticate")
                        continue
                    for row in reader:
                        mn, pw = (row.get("mn") or "").strip(), (row.get("pw") or "").strip()
                        if mn and pw:
                            devices[mn] = pw
            except (OSError, UnicodeDecodeError, csv.Error) as e:
                problems.append(f"{name}: unreadable ({e}); its devices cannot authenticate")
        self._sig, self.devices, self.problems = sig, devices, problems
        return True


# -- one batch -----------------------------------------------------------------------------------

@dataclass
class Conn:
    """What the store needs to know about a device connection (the server's protocol object)."""

    peer: str
    mn: str | None = None            # last MN that authenticated on this connection
    failures: int = 0                # consecutive authentication failures
    closing: bool = False


@dataclass
class Outcome:
    outcome: str                     # landed | duplicate | quarantined
    rule: str = ""
    response: bytes | None = None    # the 9014 response to write back, when asked for


@dataclass
class _Append:
    path: Path
    rel: str
    fd: int
    lines: int                       # lines in the file so far (pending ones included)
    new: bool = False
    pending: list[bytes] | None = None   # lines of the current batch not written yet

    def flush(self) -> bool:
        """Write the pending lines; True when something was written."""
        if not self.pending:
            return False
        _write_all(self.fd, b"".join(self.pending))
        self.pending = None
        return True


@dataclass
class CommitStats:
    frames: int = 0
    landed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    fsyncs: int = 0
    fsync_seconds: float = 0.0


class Store:
    """Durable landing for one receiver process (not thread-safe: one committer calls it)."""

    def __init__(self, home: Home, *, boot: str | None = None, fsync: bool = True, max_open: int = 128) -> None:
        self.home = home
        self.pid = os.getpid()
        self.boot = boot or datetime.now().strftime("%Y%m%dT%H%M%S")
        self.fsync = fsync
        self.max_open = max_open
        self.registry = Registry(home)
        #: digests of landed packets per arrival day, kept for SEEN_DAYS days (bounded memory)
        self._seen: dict[str, set[str]] = {}
        self._files: dict[tuple[str, str], _Append] = {}       # (root, day) → open landing file
        self._line_counts: dict[str, int] = {}                # rel → lines, also for closed files
        self._rejected: dict[str, _Append] = {}               # arrival day → open jsonl
        self._dirty: dict[int, _Append] = {}                  # files written by the batch being committed
        self._batch = 0
        self.receiver_dir = home.landing / RECEIVER_DIR
        self.state_dir = self.receiver_dir / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock_fd = os.open(self.receiver_dir / "receiver.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise RuntimeError(f"another receiver is running on {home.root} "
                               f"(lock {self.receiver_dir}/receiver.lock)") from None
        # A restarted receiver never appends into a file of an earlier boot: the name is new.
        stamp, k = self.boot, 0
        while (self.state_dir / f"{self.boot}-{self.pid}.json").exists():
            k += 1
            self.boot = f"{stamp}.{k}"
        self.name = f"recv-{self.boot}-{self.pid}"
        self.state_path = self.state_dir / f"{self.boot}-{self.pid}.json"
        self._state = {"receiver": self.name, "started_at": datetime.now().isoformat(), "clean": False, "files": []}
        self._write_state()
        self._heal_compaction()
        self.recovered = self.recover()
        self._warm_seen()

    # -- files ---------------------------------------------------------------------------------

    def _write_state(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self._state, f, indent=1)
            f.flush()
            if self.fsync:
                os.fsync(f.fileno())
        os.replace(tmp, self.state_path)
        self._fsync_dir(self.state_dir)

    def _fsync_dir(self, d: Path) -> None:
        if not self.fsync:
            return
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _open(self, path: Path, rel: str) -> _Append:
        new = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        return _Append(path, rel, fd, self._line_counts.get(rel, 0), new=new)

    def _close_file(self, key: tuple[str, str]) -> None:
        a = self._files.pop(key)
        wrote = a.flush()
        dirty = self._dirty.pop(id(a), None) is not None
        if wrote or dirty:
            if self.fsync:
                os.fsync(a.fd)  # durable before it is closed (nothing is acknowledged yet)
            if a.new:
                self._fsync_dir(a.path.parent)
                self._fsync_dir(a.path.parent.parent)
        self._line_counts[a.rel] = a.lines
        os.close(a.fd)

    def _trim_open(self) -> None:
        while len(self._files) > self.max_open:  # least recently used first
            self._close_file(next(iter(self._files)))

    def _landing_file(self, root: str, day: str) -> _Append:
        key = (root, day)
        a = self._files.get(key)
        if a is None:
            if len(self._files) >= 4 * self.max_open:  # a batch spanning very many days: stay under the fd limit
                self._close_file(next(iter(self._files)))
            rel = f"landing/{root}/date={day}/{self.name}.hj212"
            a = self._open(self.home.root / rel, rel)
            if a.new:
                self._state["files"].append(rel)
                self._write_state()  # recovery must know the file before a byte is in it
            self._files[key] = a
        else:
            self._files[key] = self._files.pop(key)  # most recently used last
        return a

    def _rejected_file(self, day: str) -> _Append:
        a = self._rejected.get(day)
        if a is None:
            rel = f"landing/{RECEIVER_DIR}/rejected/date={day}/{self.name}.jsonl"
            a = self._rejected[day] = self._open(self.home.root / rel, rel)
            if a.new:
                self._state["files"].append(rel)
                self._write_state()
        return a

    # -- the batch -----------------------------------------------------------------------------

    def commit(self, frames: list[tuple[Conn, bytes, float]]) -> tuple[list[Outcome], CommitStats]:
        """Land one batch durably; returns an outcome per frame (same order) once it is on disk."""
        t0 = time.perf_counter()
        self.registry.refresh()
        stats = CommitStats(frames=len(frames))
        parsed = parse_many([raw for _, raw, _ in frames])
        outcomes: list[Outcome] = []
        journal: dict[str, list] = {n: [] for n in JOURNAL_SCHEMA.names}
        appends = self._dirty                    # id(_Append) → files written in this batch
        want_resp: list[tuple[int, tuple[str, str, str]]] = []
        devices = self.registry.devices
        batch_seen: set[str] = set()
        for i, ((conn, raw, t), res) in enumerate(zip(frames, parsed, strict=True)):
            received, arrival_day = _arrival(t)
            mn = st = cn = qn = None
            data_time = data_day = None
            rule = reason = ""
            if isinstance(res, Hj212Error):
                rule, reason = res.rule, res.reason
                m = _MN_RE.search(raw)
                mn = m[1].decode("ascii", "replace") if m else conn.mn
                data_time = _guess_datatime(raw)  # attribute the frame to its device-day when readable
            else:
                p: Packet = res
                mn, st, cn, qn = p.mn, p.st, p.cn, p.qn
                expected = devices.get(p.mn)
                if expected is None:
                    rule, reason = "unknown_mn", f"MN {p.mn} is in no device registry ({REGISTRY_DIR}/*.csv)"
                elif p.pw != expected:
                    rule, reason = "bad_password", f"PW for MN {p.mn} does not match the device registry"
                if rule:
                    data_time = _guess_datatime(raw)
                    conn.failures += 1
                    if conn.failures >= MAX_AUTH_FAILURES and not conn.closing:
                        conn.closing = True
                        reason += f"; connection closed after {conn.failures} consecutive authentication failures"
                else:
                    conn.failures = 0
                    conn.mn = p.mn
                    dt_text = p.cp.get("DataTime")
                    if dt_text is not None:
                        data_time, data_day = _datatime(dt_text)
                        if data_time is None:
                            rule, reason = "bad_datatime", f"DataTime {dt_text!r} is not yyyyMMddHHmmss"
            if data_time is not None and data_day is None:
                data_day = data_time.date().isoformat()
            day = data_day or arrival_day
            landing_file = None
            landing_line = None
            dig = None
            if rule:
                outcome = Outcome("quarantined", rule)
                stats.quarantined += 1
                rec = {"received_at": received.isoformat(timespec="microseconds"), "receiver": self.name,
                       "peer": conn.peer, "mn": mn, "rule": rule, "reason": reason, "bytes": len(raw),
                       "raw": escape(raw)}
                rf = self._rejected_file(arrival_day)
                appends[id(rf)] = rf
                rf.pending = rf.pending or []
                rf.pending.append(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
                landing_file = rf.rel
                rf.lines += 1
                landing_line = rf.lines
            else:
                dig = digest(raw)
                if dig in batch_seen or any(dig in days_seen for days_seen in self._seen.values()):
                    outcome = Outcome("duplicate", "duplicate")
                    stats.duplicates += 1
                else:
                    batch_seen.add(dig)
                    a = self._landing_file(root_for_st(st), day)
                    appends[id(a)] = a
                    a.pending = a.pending or []
                    a.pending.append(raw if raw.endswith(b"\r\n") else raw + b"\r\n")
                    a.lines += 1
                    landing_file, landing_line = a.rel, a.lines
                    outcome = Outcome("landed")
                    stats.landed += 1
                if p.flag is not None and p.flag & FLAG_ACK:
                    want_resp.append((i, (p.qn, p.pw or "", p.mn)))
            outcomes.append(outcome)
            journal["received_at"].append(received)
            journal["receiver"].append(self.name)
            journal["peer"].append(conn.peer)
            journal["mn"].append(mn)
            journal["st"].append(st)
            journal["cn"].append(cn)
            journal["qn"].append(qn)
            journal["data_time"].append(data_time)
            journal["day"].append(_iso_date(day))
            journal["outcome"].append(outcome.outcome)
            journal["rule"].append(outcome.rule or None)
            journal["bytes"].append(len(raw))
            journal["landing_file"].append(landing_file)
            journal["landing_line"].append(landing_line)
            journal["digest"].append(dig)

        # 2-3: append, fsync, then the journal; acknowledgements only after all of it.
        for a in appends.values():
            a.flush()
        t_sync = time.perf_counter()
        if self.fsync:
            for a in appends.values():
                os.fsync(a.fd)
                stats.fsyncs += 1
            for d in {a.path.parent for a in appends.values() if a.new}:
                self._fsync_dir(d)
                self._fsync_dir(d.parent)
        for a in appends.values():
            a.new = False
        appends.clear()
        self._write_journal(journal)
        self._trim_open()
        stats.fsync_seconds = time.perf_counter() - t_sync
        self._remember(batch_seen)
        if want_resp:
            for (i, _), resp in zip(want_resp, response_segments([w for _, w in want_resp]), strict=True):
                outcomes[i].response = resp
        stats.seconds = time.perf_counter() - t0
        return outcomes, stats

    def _write_journal(self, journal: dict[str, list], name: str | None = None) -> Path | None:
        if not journal["outcome"]:
            return None
        table = pa.table({n: pa.array(journal[n], type=JOURNAL_SCHEMA.field(n).type) for n in JOURNAL_SCHEMA.names},
                         schema=JOURNAL_SCHEMA)
        self._batch += 1
        day = journal["received_at"][0].date().isoformat()
        d = self.home.lake / JOURNAL_DIR / f"date={day}"
        new_dir = not d.exists()
        d.mkdir(parents=True, exist_ok=True)
        target = d / f"{name or self.name}-{self._batch:06d}.parquet"
        tmp = d / f".{target.name}.tmp"
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            if self.fsync:
                os.fsync(f.fileno())
        os.replace(tmp, target)
        self._fsync_dir(d)
        if new_dir:
            self._fsync_dir(d.parent)
        return target

    def compact(self) -> int:
        """Merge this receiver's per-batch journal files into one file per arrival day.

        The merged file is named after the batches it holds (``<name>-c<first>-<last>.parquet``); it is
        in place (fsynced, renamed) before the batch files are removed, and a start-up removes batch
        files that a merged file already holds (a crash between the two), so no row is lost or doubled.
        """
        merged = 0
        for d in sorted((self.home.lake / JOURNAL_DIR).glob("date=*")):
            files = sorted(d.glob(f"{self.name}-[0-9]*.parquet"))
            if len(files) < 2:
                continue
            nums = [int(f.stem.rsplit("-", 1)[1]) for f in files]
            target = d / f"{self.name}-c{nums[0]:06d}-{nums[-1]:06d}.parquet"
            table = pa.concat_tables([pq.read_table(f, schema=JOURNAL_SCHEMA) for f in files])
            tmp = d / f".{target.name}.tmp"
            with open(tmp, "wb") as f:
                pq.write_table(table, f, compression="zstd")
                f.flush()
                if self.fsync:
                    os.fsync(f.fileno())
            os.replace(tmp, target)
            self._fsync_dir(d)
            for f in files:
                f.unlink()
            self._fsync_dir(d)
            merged += len(files)
        return merged

    def _heal_compaction(self) -> None:
        """Remove batch journal files that a merged file already holds (left by a crash mid-compaction)."""
        for merged in (self.home.lake / JOURNAL_DIR).glob("date=*/recv-*-c[0-9]*-[0-9]*.parquet"):
            name, first, last = re.fullmatch(r"(.+)-c(\d+)-(\d+)", merged.stem).groups()
            for f in merged.parent.glob(f"{name}-[0-9]*.parquet"):
                if int(first) <= int(f.stem.rsplit("-", 1)[1]) <= int(last):
                    f.unlink()

    def close(self) -> None:
        """Clean shutdown: fsync and close every file, merge the journal, mark this boot clean."""
        self.compact()
        for a in [*self._files.values(), *self._rejected.values()]:
            if self.fsync:
                os.fsync(a.fd)
            os.close(a.fd)
        self._files.clear()
        self._rejected.clear()
        self._state["clean"] = True
        self._state["stopped_at"] = datetime.now().isoformat()
        self._write_state()
        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)

    # -- start-up: recovery and the duplicate filter ------------------------------------------

    def recover(self) -> dict:
        """Finish the files of receivers that died (kill -9, power loss) before their journal caught up.

        Landing logs: a torn last line (no CR LF) is cut and quarantined (rule ``torn_write``; it was never
        acknowledged); complete lines without a journal row are journaled (rule ``recovered``). Rejected
        files: records without a journal row are journaled with their own rule; a torn last record is
        cut and quarantined again as ``torn_write``.
        """
        summary = {"boots": 0, "torn": 0, "orphans": 0}
        for state_path in sorted(self.state_dir.glob("*.json")):
            if state_path == self.state_path:
                continue
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("clean"):
                continue
            summary["boots"] += 1
            name = state["receiver"]
            journaled: set[tuple[str, int]] = set()
            for jp in (self.home.lake / JOURNAL_DIR).glob(f"date=*/{name}-*.parquet"):
                t = pq.read_table(jp, columns=["landing_file", "landing_line"])
                journaled.update(zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True))
            journal: dict[str, list] = {n: [] for n in JOURNAL_SCHEMA.names}
            torn: list[dict] = []
            now = datetime.now()
            for rel in state.get("files", []):
                path = self.home.root / rel
                if not path.exists():
                    continue
                data = path.read_bytes()
                rejected_file = rel.endswith(".jsonl")
                sep = b"\n" if rejected_file else b"\r\n"
                cut = data.rfind(sep) + len(sep) if data.rfind(sep) >= 0 else 0
                tail = data[cut:]
                if tail:
                    summary["torn"] += 1
                    m = _MN_RE.search(tail)
                    torn.append({"received_at": now.isoformat(timespec="microseconds"), "receiver": name,
                                 "peer": None, "mn": m[1].decode("ascii", "replace") if m else None,
                                 "rule": "torn_write",
                                 "reason": f"{rel}: the last {len(tail)} bytes were being written when receiver "
                                           f"{name} stopped; never acknowledged (the device resends the packet); "
                                           "cut from that file",
                                 "bytes": len(tail), "raw": escape(tail), "_dt": _guess_datatime(tail)})
                lines = data[:cut].split(sep)[:-1] if cut else []
                mtime = datetime.fromtimestamp(path.stat().st_mtime)
                orphans = [(n, ln) for n, ln in enumerate(lines, start=1) if (rel, n) not in journaled]
                summary["orphans"] += len(orphans)
                if rejected_file:
                    for n, ln in orphans:
                        rec = json.loads(ln)
                        dt = _guess_datatime(rec["raw"].encode())
                        _journal_row(journal, mtime, name, rec.get("mn"), None, "quarantined", rec["rule"],
                                     rec["bytes"], rel, n, dt, dt.date() if dt else mtime.date())
                else:
                    raws = [ln + b"\r\n" for _, ln in orphans]
                    for (n, raw), res in zip(orphans, parse_many(raws), strict=True):
                        p = res if isinstance(res, Packet) else None
                        dt = _datatime(p.cp["DataTime"])[0] if p is not None and "DataTime" in p.cp else None
                        _journal_row(journal, mtime, name, p.mn if p else None, p, "landed", "recovered",
                                     len(raw), rel, n, dt, _day_of(rel), dig=digest(raw))
                if tail:
                    fd = os.open(path, os.O_WRONLY)
                    try:
                        os.ftruncate(fd, cut)
                        if self.fsync:
                            os.fsync(fd)
                    finally:
                        os.close(fd)
            if torn:
                rf = self._rejected_file(now.date().isoformat())
                for rec in torn:
                    dt = rec.pop("_dt")
                    _write_all(rf.fd, json.dumps(rec).encode() + b"\n")
                    rf.lines += 1
                    _journal_row(journal, now, name, rec["mn"], None, "quarantined", "torn_write", rec["bytes"],
                                 rf.rel, rf.lines, dt, dt.date() if dt else now.date())
                if self.fsync:
                    os.fsync(rf.fd)
            self._write_journal(journal)
            state["clean"] = True
            state["recovered_by"] = self.name
            state["recovered"] = dict(summary)
            tmp = state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
            os.replace(tmp, state_path)
            self._fsync_dir(self.state_dir)
        return summary

    def _remember(self, digests: set[str], day: date | None = None) -> None:
        key = (day or date.today()).isoformat()
        self._seen.setdefault(key, set()).update(digests)
        oldest = (date.today() - timedelta(days=SEEN_DAYS - 1)).isoformat()
        for k in [k for k in self._seen if k < oldest]:
            del self._seen[k]  # resends older than that are left to the loaders' duplicate removal

    def seen(self, raw: bytes) -> bool:
        """Whether these packet bytes were landed (by this or an earlier boot) in the last SEEN_DAYS days."""
        dig = digest(raw)
        return any(dig in days_seen for days_seen in self._seen.values())

    def _warm_seen(self) -> None:
        """Remember the packets landed on the last SEEN_DAYS arrival days, to recognise resends."""
        today = date.today()
        for k in range(SEEN_DAYS):
            day = today - timedelta(days=k)
            d = self.home.lake / JOURNAL_DIR / f"date={day}"
            for jp in d.glob("*.parquet") if d.exists() else []:
                t = pq.read_table(jp, columns=["digest", "outcome"])
                dig = t.column("digest").to_numpy(zero_copy_only=False)
                oc = t.column("outcome").to_numpy(zero_copy_only=False)
                self._remember(set(dig[oc == "landed"].tolist()), day)


@functools.lru_cache(maxsize=4096)
def _arrival(t: float) -> tuple[datetime, str]:
    received = datetime.fromtimestamp(t)
    return received, received.date().isoformat()


@functools.lru_cache(maxsize=65536)
def _datatime(text: str) -> tuple[datetime | None, str | None]:
    """(DataTime, its ISO day) of a ``yyyyMMddHHmmss`` text; (None, None) when it is not one."""
    if len(text) != 14 or not text.isdigit():
        return None, None
    try:
        dt = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]),
                      int(text[12:14]))
    except ValueError:
        return None, None
    return dt, dt.date().isoformat()


_iso_date = functools.lru_cache(maxsize=65536)(date.fromisoformat)


_DT_RE = re.compile(rb"DataTime=([0-9]{14})")


def _guess_datatime(raw: bytes) -> datetime | None:
    m = _DT_RE.search(raw)
    if m is None:
        return None
    try:
        return datetime.strptime(m[1].decode(), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _day_of(rel: str) -> date | None:
    m = re.search(r"date=(\d{4}-\d{2}-\d{2})", rel)
    return date.fromisoformat(m[1]) if m else None


def _journal_row(journal: dict[str, list], received: datetime, receiver: str, mn: str | None, p: Packet | None,
                 outcome: str, rule: str | None, nbytes: int, landing_file: str | None, landing_line: int | None,
                 data_time: datetime | None, day: date | None, dig: str | None = None) -> None:
    row = {"received_at": received, "receiver": receiver, "peer": None, "mn": mn,
           "st": p.st if p else None, "cn": p.cn if p else None, "qn": p.qn if p else None,
           "data_time": data_time, "day": day or received.date(), "outcome": outcome, "rule": rule,
           "bytes": nbytes, "landing_file": landing_file, "landing_line": landing_line, "digest": dig}
    for k, v in row.items():
        journal[k].append(v)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_journal(home: Home, days: Iterable[str] | None = None) -> pa.Table:
    """The receipt journal (all arrival days, or the given ones) as one table."""
    root = home.lake / JOURNAL_DIR
    files = []
    for d in sorted(root.glob("date=*")) if root.exists() else []:
        if days is None or d.name.split("=", 1)[1] in set(days):
            files += sorted(d.glob("*.parquet"))
    if not files:
        return JOURNAL_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(f, schema=JOURNAL_SCHEMA) for f in files])


def reconciliation(home: Home, day: date | None = None) -> list[dict]:
    """Per device (MN) and day: received, landed, quarantined, duplicates, balanced.

    ``day`` is the packet's DataTime day (arrival day for packets without one), as in the landing log.
    """
    t = read_journal(home)
    if t.num_rows == 0:
        return []
    mn = t.column("mn").to_numpy(zero_copy_only=False)
    days = t.column("day").to_numpy(zero_copy_only=False)
    outcome = t.column("outcome").to_numpy(zero_copy_only=False)
    out: dict[tuple, dict] = {}
    for m, d, o in zip(mn.tolist(), days.tolist(), outcome.tolist(), strict=True):
        if day is not None and d != day:
            continue
        r = out.setdefault((m or "", d), {"mn": m, "day": d, "received": 0, "landed": 0, "quarantined": 0,
                                          "duplicates": 0})
        r["received"] += 1
        r["duplicates" if o == "duplicate" else o] += 1
    rows = sorted(out.values(), key=lambda r: (r["day"], r["mn"] or ""))
    for r in rows:
        r["balanced"] = r["received"] == r["landed"] + r["quarantined"] + r["duplicates"]
    return rows

