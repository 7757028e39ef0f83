"""HJ 212-2017 decoding with CRC verification: the project's decoder against a per-packet reference.

Both decode the SAME packet file (air-station packets of a small generated world, as landed, including
the world's injected faults): from the file's bytes to one record per line, line splitting included.
The project's decoder is the loader's own path (``air_loader._split_lines`` then ``codec.parse_many``);
the reference is a straightforward per-packet Python decoder with the bit-by-bit CRC of the standard.
The project's decoder is timed best of three, the reference once (it is slow); both must agree on
which packets are valid and on their fields.
"""

from __future__ import annotations

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


def project_decode_file(data: bytes) -> list:
    from ingestion.hj212.codec import parse_many
    from ingestion.monitoring.air_loader import _split_lines

    return parse_many(_split_lines(data))


def packet_file(dest: Path, n_packets: int) -> Path:
    """The first ``n_packets`` landed air packets of a small world, concatenated into one file."""
    from ingestion.monitoring.simulator import land_air_packets
    from ingestion.simulate.world import WorldConfig

    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp)).ensure()
        days = max(2, n_packets // (12 * 24) + 1)
        cfg = WorldConfig(end=date.fromordinal(date(2020, 1, 1).toordinal() + days - 1))
        land_air_packets(cfg, home)
        lines: list[bytes] = []
        for p in sorted((home.landing / "monitoring/hj212").glob("date=*/*.hj212")):
            lines += p.read_bytes().splitlines(keepends=True)
            if len(lines) >= n_packets:
                break
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(b"".join(lines[:n_packets]))
    return dest


def bench_decode(n_packets: int, work: Path) -> dict:
    from ingestion.hj212.codec import Hj212Error

    path = packet_file(work / "hj212-packets.txt", n_packets)
    data = path.read_bytes()
    ours_s = []
    for _ in range(3):
        t0 = time.perf_counter()
        ours = project_decode_file(data)
        ours_s.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    ref = reference_decode_file(data)
    ref_s = time.perf_counter() - t0
    n = len(ref)
    valid_ours = [not isinstance(r, Hj212Error) for r in ours]
    valid_ref = [r is not None for r in ref]
    same_fields = (
        all(
            (r.get("MN"), r.get("CN"), r["CP"]) == (o.mn, o.cn, dict(o.cp))
            for r, o in zip(ref, ours, strict=True)
            if r is not None and not isinstance(o, Hj212Error)
        )
        if len(ours) == n
        else False
    )
    best = min(ours_s)
    return {
        "hj212_decode_packets_per_s": round(n / best),
        "hj212_reference_packets_per_s": round(n / ref_s),
        "packets": n,
        "file": str(path),
        "file_bytes": len(data),
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "valid_packets": sum(valid_ours),
        "agree_on_validity": valid_ours == valid_ref,
        "agree_on_fields": same_fields,
        "project_runs_s": [round(x, 3) for x in ours_s],
        "reference_run_s": round(ref_s, 2),
    }
