"""HJ 212-2017 decoding with CRC verification: the project's decoder against a per-packet reference.

All decode the SAME packet file (pollution-source packets of a generated world, as landed, including the
world's injected transmission faults): from the file's bytes to one record per line, line splitting and
CRC included.

* The project's decoder (``hj212_decode_packets_per_s``) is the path the pollution-source loader uses
  (``ingestion/sources/loader.parse_day``): ``ingestion.hj212.columnar.decode_file`` — file bytes to Arrow
  columns (packets, CP items, errors), CRC verified, one thread (as the loader calls it).
* ``parse_many_packets_per_s`` (in the section, for comparison): the per-line path the air and water
  loaders and the TCP receiver still use (``_split_lines`` then ``codec.parse_many``: one Packet object
  per line).
* The reference is a straightforward per-packet Python decoder with the bit-by-bit CRC of the standard.

The project's decoders are timed best of three, the reference once (it is slow); all must agree on which
packets are valid and on their fields.
"""

from __future__ import annotations

import gc
import hashlib
import tempfile
import time
from datetime import date
from pathlib import Path

from ingestion.common.home import Home


def reference_crc(data: bytes) -> int:
    """HJ 212-2017 CRC exactly as the standard describes it, bit by bit."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
    return crc


def reference_decode(line: str) -> dict | None:
    """A straightforward per-packet decoder: the baseline the project's decoder is compared with."""
    if not line.startswith("##") or not line.endswith("\r\n"):
        return None
    try:
        n = int(line[2:6])
    except ValueError:
        return None
    seg = line[6 : 6 + n]
    if len(seg) != n or f"{reference_crc(seg.encode()):04X}" != line[6 + n : 6 + n + 4]:
        return None
    head, _, cp = seg.partition("CP=&&")
    try:
        fields = dict(kv.split("=", 1) for kv in head.rstrip(";").split(";") if kv)
    except ValueError:
        return None
    items = {}
    for group in cp.rstrip("&").split(";"):
        for kv in group.split(","):
            if "=" in kv:
                k, v = kv.split("=", 1)
                items[k] = v
    fields["CP"] = items
    return fields


def reference_decode_file(data: bytes) -> list[dict | None]:
    text = data.decode("utf-8", errors="replace")
    return [reference_decode(ln) for ln in text.splitlines(keepends=True) if ln.strip()]


def project_decode_file(data: bytes):
    """The pollution-source loader's decoder: file bytes to Arrow columns, CRC verified."""
    from ingestion.hj212.columnar import decode_file

    return decode_file(data)


def per_line_decode_file(data: bytes) -> list:
    """The per-line path (air and water loaders, receiver): one Packet or Hj212Error per line."""
    from ingestion.hj212.codec import parse_many
    from ingestion.monitoring.air_loader import _split_lines

    return parse_many(_split_lines(data))


#: pollution-source packets landed per day by a size-12 (province) world in January 2020, roughly
_SOURCE_PACKETS_PER_DAY = 6_000


def packet_file(dest: Path, n_packets: int) -> Path:
    """The first ``n_packets`` landed pollution-source packets of a province-sized world (size 12),
    concatenated in day order into one file (hourly CN=2061 and daily CN=2031 packets, the world's
    transmission faults, resends and wrong-password replays; no minute packets, which only the last two
    days of a world carry)."""
    from ingestion.simulate.world import WorldConfig
    from ingestion.sources import simulator

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp)).ensure()
        days = max(3, n_packets // _SOURCE_PACKETS_PER_DAY + 4)
        cfg = WorldConfig(end=date.fromordinal(date(2020, 1, 1).toordinal() + days - 1), size=12)
        simulator.generate(cfg, home)
        lines: list[bytes] = []
        files = sorted((home.landing / "monitoring/sources/hj212").glob("date=*/*.hj212"))
        for p in files[:-2]:  # the last two days also carry minute packets
            lines += p.read_bytes().splitlines(keepends=True)
            if len(lines) >= n_packets:
                break
    if len(lines) < n_packets:
        raise RuntimeError(f"the world landed {len(lines)} source packets, fewer than {n_packets}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(b"".join(lines[:n_packets]))
    return dest


def _same_fields(ref: list[dict | None], ours: list) -> bool:
    from ingestion.hj212.codec import Hj212Error

    if len(ours) != len(ref):
        return False
    return all(
        (r.get("MN"), r.get("CN"), r["CP"]) == (o.mn, o.cn, dict(o.cp))
        for r, o in zip(ref, ours, strict=True)
        if r is not None and not isinstance(o, Hj212Error)
    )


def bench_decode(n_packets: int, work: Path) -> dict:
    from ingestion.hj212.codec import Hj212Error

    path = packet_file(work / "hj212-source-packets.txt", n_packets)
    data = path.read_bytes()
    # Each run starts with the previous run's result released (as a loader does from one file to the next).
    ours_s, cpu_s = [], []
    decoded = None
    for _ in range(3):
        decoded = None
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        decoded = project_decode_file(data)
        ours_s.append(time.perf_counter() - t0)
        cpu_s.append(time.process_time() - c0)
    per_line_s = []
    per_line = None
    for _ in range(3):
        per_line = None
        gc.collect()
        t0 = time.perf_counter()
        per_line = per_line_decode_file(data)
        per_line_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    ref = reference_decode_file(data)
    ref_s = time.perf_counter() - t0
    n = len(ref)
    ours = decoded.results()  # per-line objects, built outside the timing, to compare
    valid_ref = [r is not None for r in ref]
    valid_ours = [not isinstance(r, Hj212Error) for r in ours]
    valid_per_line = [not isinstance(r, Hj212Error) for r in per_line]
    best = min(ours_s)
    return {
        "hj212_decode_packets_per_s": round(n / best),
        "hj212_reference_packets_per_s": round(n / ref_s),
        "parse_many_packets_per_s": round(n / min(per_line_s)),
        "decoder": "ingestion.hj212.columnar.decode_file (the pollution-source loader's path, one thread)",
        "packets": n,
        "packets_columnar_path": decoded.fast,
        "file": str(path),
        "file_kind": "pollution-source packets (CN=2061/2031) of a size-12 world, as landed, faults included",
        "file_bytes": len(data),
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "valid_packets": sum(valid_ours),
        "agree_on_validity": valid_ours == valid_ref == valid_per_line,
        "agree_on_fields": _same_fields(ref, ours) and _same_fields(ref, per_line),
        "project_runs_s": [round(x, 3) for x in ours_s],
        "project_runs_cpu_s": [round(x, 3) for x in cpu_s],
        "parse_many_runs_s": [round(x, 3) for x in per_line_s],
        "reference_run_s": round(ref_s, 2),
    }
