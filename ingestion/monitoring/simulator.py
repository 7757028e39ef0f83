"""The monitoring network as the city platform receives it, driven by the simulated world.

Each air station sends one HJ 212-2017 hourly packet (ST=22, CN=2061) per hour and, on the
world's last day, real-time packets (CN=2011) every ten minutes. The simulator writes what a
receiver would have appended to its landing log — one packet per line, CRLF kept — including
the faults real links produce: corrupted CRCs, wrong length fields, truncated frames, resent
duplicates and a device that is not in the registry. Issue 5 replaces the files with real TCP.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from ingestion.common.home import Home
from ingestion.hj212.codec import crc16_many
from ingestion.simulate.world import (
    AIR_CODES,
    AirSeries,
    AirStation,
    Anomaly,
    WorldConfig,
    air_stations,
    load_counties,
    rng,
    simulate_air,
    write_ground_truth,
)

REGISTRY_COLUMNS = ["station_code", "station_name_zh", "county_code", "mn", "pw", "longitude", "latitude",
                    "is_city_assessment", "commissioned_on"]
ROGUE_MN = "530600002299999999999999"  # a device nobody registered


def frame(segments: list[str]) -> list[str]:
    """Wrap data segments into HJ 212 packets: ## + length + segment + CRC + CRLF."""
    raw = [s.encode("utf-8") for s in segments]
    crcs = crc16_many(raw)
    return [f"##{len(b):04d}{s}{int(c):04X}\r\n" for s, b, c in zip(segments, raw, crcs, strict=True)]


def _fmt(p: str, v: np.ndarray) -> list[str]:
    return [f"{x:.3f}" for x in v] if p == "co" else [f"{x:.1f}" for x in v]


def hourly_segments(st: AirStation, series: AirSeries) -> tuple[np.ndarray, list[str]]:
    """Data segments of the station's hourly packets, for the hours it sent."""
    idx = np.flatnonzero(series.sent)
    hours = series.hours[idx]
    data_time = [str(h).replace("-", "").replace("T", "") + "0000" for h in hours]
    # QN: the moment the packet left the device, a few seconds after the hour closed.
    sent_at = hours + np.timedelta64(1, "h")
    secs = rng(WorldConfig(), 9, st.index).integers(1, 59, len(idx))  # stable per station
    qn = [str(t).replace("-", "").replace("T", "") + f"00{s:02d}{(s * 37) % 1000:03d}" for t, s in zip(sent_at, secs, strict=True)]
    cols = {p: _fmt(p, series.values[p][idx]) for p in AIR_CODES}
    flags = {p: series.flags[p][idx] for p in AIR_CODES}
    head = f";ST=22;CN=2061;PW={st.pw};MN={st.mn};Flag=4;CP=&&DataTime="
    items = []
    for i in range(len(idx)):
        cp = ";".join(f"{code}-Avg={cols[p][i]},{code}-Flag={flags[p][i]}" for p, code in AIR_CODES.items())
        items.append(f"QN={qn[i]}{head}{data_time[i]};{cp}&&")
    return hours, items


def realtime_segments(st: AirStation, series: AirSeries, day: np.datetime64) -> tuple[np.ndarray, list[str]]:
    """CN=2011 real-time packets every ten minutes of one day (values of the running hour)."""
    minutes = np.arange(day, day + np.timedelta64(1, "D"), np.timedelta64(10, "m"))
    hour_idx = ((minutes.astype("datetime64[h]") - series.hours[0]).astype(int)).clip(0, len(series.hours) - 1)
    out = []
    for t, hi in zip(minutes, hour_idx, strict=True):
        if not series.sent[hi]:
            continue
        stamp = str(t).replace("-", "").replace("T", "").replace(":", "") + "00"
        cp = ";".join(
            f"{code}-Rtd={_fmt(p, series.values[p][hi:hi + 1])[0]},{code}-Flag={series.flags[p][hi]}"
            for p, code in AIR_CODES.items()
        )
        out.append(f"QN={stamp}000;ST=22;CN=2011;PW={st.pw};MN={st.mn};Flag=4;CP=&&DataTime={stamp};{cp}&&")
    return minutes[: len(out)].astype("datetime64[h]"), out


@dataclass
class Landed:
    files: int
    packets: int
    skipped_existing: int


def _corrupt(r: np.random.Generator, packet: str) -> tuple[str, str]:
    """Damage a packet the ways serial/4G links do. Returns (kind, damaged packet)."""
    kind = ("crc_mismatch", "bad_length", "truncated")[int(r.integers(0, 3))]
    body = packet[:-2]
    if kind == "crc_mismatch":
        # flip one digit inside the data segment, keep the old CRC
        pos = body.find("-Avg=") + 5
        d = body[pos]
        body = body[:pos] + ("7" if d != "7" else "3") + body[pos + 1:]
        return kind, body + "\r\n"
    if kind == "bad_length":
        n = int(body[2:6])
        return kind, f"##{n + 3:04d}{body[6:]}\r\n"
    return kind, body[: int(r.integers(20, len(body) - 10))] + "\r\n"


def land_air_packets(cfg: WorldConfig, home: Home) -> tuple[Landed, list[Anomaly], list[AirStation]]:
    """Simulate every air station and write the landing log, one file per day."""
    stations = air_stations(cfg)
    counties = {c.county_code: (i, c) for i, c in enumerate(load_counties())}
    anomalies: list[Anomaly] = []
    by_day: dict[np.datetime64, list[tuple[np.datetime64, int, str]]] = defaultdict(list)
    last_day = np.datetime64(cfg.end, "D")
    for st in stations:
        ci, county = counties[st.county_code]
        series = simulate_air(cfg, st, county, ci, anomalies)
        hours, segs = hourly_segments(st, series)
        rt_hours, rt_segs = realtime_segments(st, series, last_day)
        packets = frame(segs + rt_segs)
        all_hours = np.concatenate([hours, rt_hours])
        r = rng(cfg, 6, st.index)
        fault = r.random(len(packets))
        damage = rng(cfg, 6, st.index, 1)  # its own stream: the n-th damaged packet is the same in a longer world
        for i, (h, pkt) in enumerate(zip(all_hours, packets, strict=True)):
            day = h.astype("datetime64[D]")
            if fault[i] < 0.0006:
                kind, pkt = _corrupt(damage, pkt)
                anomalies.append(Anomaly(kind, st.station_code, st.mn, str(h), str(h), detail="damaged in transit"))
            elif fault[i] > 0.9993:
                by_day[day].append((h, st.index, pkt))  # resent: the same bytes twice
                anomalies.append(Anomaly("duplicate_packet", st.station_code, st.mn, str(h), str(h),
                                         detail="resent after a lost acknowledgement"))
            by_day[day].append((h, st.index, pkt))
    # A device the registry does not know sends for a few days in 2021 (a contractor test rig).
    rogue_days = [d for d in by_day if str(d).startswith("2021-03-0")]
    if rogue_days:
        rogue = AirStation(index=-1, station_code="", station_name_zh="", county_code="530602", mn=ROGUE_MN,
                           pw="000000", longitude=0, latitude=0, is_city_assessment=False,
                           commissioned_on=cfg.start)
        for d in sorted(rogue_days)[:3]:
            segs = [f"QN={str(d).replace('-', '')}{h:02d}0000000;ST=22;CN=2061;PW=000000;MN={ROGUE_MN};Flag=4;"
                    f"CP=&&DataTime={str(d).replace('-', '')}{h:02d}0000;a34004-Avg=20.0,a34004-Flag=N&&"
                    for h in range(0, 24, 6)]
            for h, pkt in zip(range(0, 24, 6), frame(segs), strict=True):
                by_day[d].append((d + np.timedelta64(h, "h"), 10**6, pkt))
            anomalies.append(Anomaly("unknown_mn", "", ROGUE_MN, f"{d}T00", f"{d}T18", detail="4 packets"))
        del rogue

    root = home.landing / "monitoring" / "hj212"
    files = packets = skipped = 0
    for day in sorted(by_day):
        rows = sorted(by_day[day], key=lambda t: (t[0], t[1]))
        target = root / f"date={day}" / f"air-{str(day).replace('-', '')}.hj212"
        packets += len(rows)
        if target.exists():  # landing is immutable: the world is prefix-stable, so the bytes agree
            skipped += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes("".join(p for _, _, p in rows).encode("utf-8"))
        tmp.replace(target)
        files += 1
    return Landed(files=files, packets=packets, skipped_existing=skipped), anomalies, stations


def write_registry(home: Home, stations: list[AirStation]) -> Path:
    """The monitoring network's station/device registry export (what the platform knows)."""
    path = home.landing / "monitoring" / "registry" / "air_stations.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(REGISTRY_COLUMNS)
        for s in stations:
            w.writerow([s.station_code, s.station_name_zh, s.county_code, s.mn, s.pw, s.longitude, s.latitude,
                        "true" if s.is_city_assessment else "false", s.commissioned_on.isoformat()])
    return path


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Generate the world and feed the monitoring network's landing. Returns a summary."""
    home.ensure()
    landed, anomalies, stations = land_air_packets(cfg, home)
    write_registry(home, stations)
    summary = {
        "air_stations": len(stations),
        "landing_files_written": landed.files,
        "landing_files_kept": landed.skipped_existing,
        "packets": landed.packets,
        "anomalies": len(anomalies),
        "days": (cfg.end - cfg.start + timedelta(days=1)).days,
    }
    write_ground_truth(home.world, cfg, stations, anomalies, {"summary": summary})
    return summary
