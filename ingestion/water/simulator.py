"""Surface-water monitoring of Zhaotong as the city platform receives it, driven by the simulated world.

* The section catalogue (``sections.csv`` in this folder, exported to
  ``landing/monitoring/water/water_sections.csv``): 国考/省考/市考 sections, county-boundary and
  out-of-province sections, the reservoirs and the county-level and above centralised
  drinking-water sources (groundwater sources are modelled as reservoirs or rivers).
* Automatic stations (sections with ``auto_since``) send an HJ 212-2017 packet every 4 hours
  (ST=21, CN=2061, pH, DO, CODMn, NH3-N, TP, TN with -Avg and -Flag) into
  ``landing/monitoring/water/hj212/date=YYYY-MM-DD/water-YYYYMMDD.hj212``, with link faults (bad
  CRC, bad length, truncated frames, resent duplicates), outages and maintenance/fault flags; the
  registry ``landing/monitoring/registry/water_stations.csv`` (mn, pw, station and section code).
* Monthly manual sampling of every section (GB 3838-2002 basic items incl. COD, BOD5 and heavy
  metals): one lab result file per month,
  ``landing/monitoring/lab/water/YYYY-MM/昭通市生态环境监测站_地表水_YYYY-MM.csv`` (UTF-8 with BOM,
  Chinese headers with units, As and Hg in µg/L; values below the detection limit as 未检出 or
  "<DL"), with the odd bad row (non-numeric value, unknown section, impossible date, a row sent twice).

Ground truth: ``world/water_episodes.csv`` (pollution episodes injected) and
``world/water_anomalies.csv`` (link faults, outages, bad lab rows). Random streams 200-209 (see ``rng`` keys below).
Concentrations are daily series per section and parameter; a section's ``pollution`` factor
scales the organic/nutrient items relative to their class III limit (0.4 ≈ class II, 0.6-0.8 ≈ III,
1.0-1.5 ≈ IV, 1.6 ≈ V); reservoirs carry less organic load and more nutrients (TP/TN decide their class).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from ingestion.common.home import Home
from ingestion.monitoring.simulator import _corrupt, frame
from ingestion.simulate.world import WORLD_START, WorldConfig, rng

HERE = Path(__file__).resolve().parent

# Items of an automatic station, in the order it sends them (HJ 212 codes).
AUTO_CODES = {"ph": "w01001", "do": "w01009", "codmn": "w01019", "nh3n": "w21003", "tp": "w21011",
              "tn": "w21001"}
# Lab file columns: (parameter, header with unit, unit factor to mg/L, decimals, detection limit mg/L)
LAB_COLUMNS = [
    ("ph", "pH(无量纲)", 1.0, 2, None),
    ("do", "溶解氧(mg/L)", 1.0, 2, None),
    ("codmn", "高锰酸盐指数(mg/L)", 1.0, 1, 0.5),
    ("cod", "化学需氧量(mg/L)", 1.0, 0, 4.0),
    ("bod5", "五日生化需氧量(mg/L)", 1.0, 1, 0.5),
    ("nh3n", "氨氮(mg/L)", 1.0, 3, 0.025),
    ("tp", "总磷(mg/L)", 1.0, 3, 0.01),
    ("tn", "总氮(mg/L)", 1.0, 2, 0.05),
    ("cu", "铜(mg/L)", 1.0, 3, 0.006),
    ("zn", "锌(mg/L)", 1.0, 3, 0.05),
    ("as", "砷(μg/L)", 0.001, 1, 0.0003),
    ("hg", "汞(μg/L)", 0.001, 2, 0.00004),
    ("cd", "镉(mg/L)", 1.0, 4, 0.0005),
    ("cr6", "六价铬(mg/L)", 1.0, 3, 0.004),
    ("pb", "铅(mg/L)", 1.0, 4, 0.0025),
]
LAB_HEAD = ["断面编码", "断面名称", "采样日期", "水温(℃)"]
LAB_FILE = "昭通市生态环境监测站_地表水_{month}.csv"
REGISTRY_COLUMNS = ["station_code", "station_name_zh", "section_code", "county_code", "mn", "pw",
                    "commissioned_on", "longitude", "latitude"]

# f = 1 level of each item (its class III limit; TP/TN differ for lakes); metals do not scale with f.
_REF = {"codmn": 6.0, "cod": 20.0, "bod5": 4.0, "nh3n": 1.0, "tp": 0.2, "tn": 2.0}
_REF_LAKE = {"tp": 0.05, "tn": 1.2}
# Reservoirs are driven by nutrients: their organic load and oxygen deficit are lower than a river's.
_LAKE_SCALE = {"codmn": 0.7, "cod": 0.7, "bod5": 0.7, "nh3n": 0.5}
_METALS = {"cu": 0.004, "zn": 0.02, "as": 0.002, "hg": 0.00002, "cd": 0.0006, "cr6": 0.004, "pb": 0.003}
_PARAMS = ["ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", *_METALS]


@dataclass(frozen=True)
class Section:
    index: int
    section_code: str
    section_name_zh: str
    river_zh: str
    water_body: str
    county_code: str
    level: str
    is_assessment_section: bool
    is_county_boundary: bool
    is_out_of_province: bool
    is_drinking_source: bool
    target_class: int
    auto_since: date | None
    pollution: float
    longitude: float
    latitude: float


@dataclass(frozen=True)
class Episode:
    """A pollution episode: ``factor`` multiplies ``parameter`` (DO is divided) from start to end."""

    section_code: str
    start: date
    end: date
    parameter: str
    factor: float
    kind: str
    expected: str


EPISODES = [
    Episode("ZT02", date(2021, 7, 1), date(2021, 9, 30), "nh3n", 4.0, "sewage_overflow",
            "monthly class 劣V (NH3-N) in 2021-07..09; annual 2021 劣V (NH3-N) on the annual mean"),
    Episode("ZT02", date(2021, 7, 1), date(2021, 9, 30), "tp", 2.5, "sewage_overflow", "TP raised with NH3-N"),
    Episode("ZT15", date(2020, 9, 1), date(2020, 10, 31), "cd", 20.0, "mine_wastewater",
            "monthly class 劣V (Cd, lab samples only) in 2020-09 and 2020-10"),
    Episode("ZT06", date(2020, 8, 1), date(2020, 8, 31), "tp", 3.0, "flood_runoff",
            "drinking-water source 龙潭水库 misses its class III in 2020-08 (TP): 鲁甸 2020 compliance < 100%"),
    Episode("ZT24", date(2023, 6, 1), date(2023, 6, 30), "nh3n", 3.5, "sewage_overflow",
            "monthly class 劣V (NH3-N) in 2023-06"),
]


def load_sections() -> list[Section]:
    def b(s: str) -> bool:
        return s.strip().lower() == "true"

    with (HERE / "sections.csv").open(encoding="utf-8") as f:
        return [Section(i, r["section_code"], r["section_name_zh"], r["river_zh"], r["water_body"], r["county_code"],
                        r["level"], b(r["is_assessment_section"]), b(r["is_county_boundary"]),
                        b(r["is_out_of_province"]), b(r["is_drinking_source"]), int(r["target_class"]),
                        date.fromisoformat(r["auto_since"]) if r["auto_since"] else None, float(r["pollution"]),
                        float(r["longitude"]), float(r["latitude"]))
                for i, r in enumerate(csv.DictReader(f))]


def station_of(s: Section, cfg: WorldConfig) -> dict:
    pw = f"{int(rng(cfg, 204, s.index).integers(100000, 999999)):06d}"
    return {"station_code": f"W{s.section_code}", "station_name_zh": f"{s.section_name_zh}水质自动站",
            "section_code": s.section_code, "county_code": s.county_code,
            "mn": f"{s.county_code}0021{s.index + 1:014d}", "pw": pw,
            "commissioned_on": s.auto_since.isoformat() if s.auto_since else "",
            "longitude": s.longitude, "latitude": s.latitude}


def _years(cfg: WorldConfig) -> range:
    return range(max(cfg.start.year, WORLD_START.year), cfg.end.year + 1)


def daily_series(cfg: WorldConfig, s: Section) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """True daily concentrations (mg/L; pH) of a section from the world start to ``cfg.end``.

    Drawn per (section, parameter, year) so extending the world never changes an earlier day.
    """
    days_all, vals = [], {p: [] for p in _PARAMS}
    for year in _years(cfg):
        d0 = np.datetime64(f"{year}-01-01")
        days = np.arange(d0, np.datetime64(f"{year + 1}-01-01"), dtype="datetime64[D]")
        doy = np.arange(len(days))
        summer = np.cos(2 * np.pi * (doy - 200) / 365.25)  # +1 in mid July (rainy season)
        days_all.append(days)
        for pi, p in enumerate(_PARAMS):
            r = rng(cfg, 200, s.index, pi, year)
            e = r.standard_normal(len(days))
            x = np.empty(len(days))  # AR(1), stationary sd 0.18
            prev = e[0] * 0.18
            for i in range(len(days)):
                prev = 0.7 * prev + e[i] * 0.18 * np.sqrt(1 - 0.49)
                x[i] = prev
            if p == "ph":
                v = 7.7 + 0.8 * x - 0.1 * summer
            elif p == "do":
                deficit = 3.6 * (0.6 if s.water_body == "lake" else 1.0)
                v = np.clip((9.2 - 0.5 * summer) - deficit * s.pollution * np.exp(x), 0.3, None)
            elif p in _METALS:
                v = _METALS[p] * np.exp(1.5 * x)
            else:
                ref = _REF_LAKE.get(p, _REF[p] * _LAKE_SCALE.get(p, 1.0)) if s.water_body == "lake" else _REF[p]
                v = ref * s.pollution * (1 + 0.12 * summer) * np.exp(x - 0.016)
            vals[p].append(v)
    days = np.concatenate(days_all)
    keep = (days >= np.datetime64(cfg.start)) & (days <= np.datetime64(cfg.end))
    out = {p: np.concatenate(v)[keep] for p, v in vals.items()}
    days = days[keep]
    for ep in EPISODES:
        if ep.section_code != s.section_code:
            continue
        m = (days >= np.datetime64(ep.start)) & (days <= np.datetime64(ep.end))
        if ep.parameter == "do":
            out["do"][m] = out["do"][m] / ep.factor
        else:
            out[ep.parameter][m] = out[ep.parameter][m] * ep.factor
        if ep.parameter == "nh3n":  # ammonia consumes oxygen
            out["do"][m] = np.clip(out["do"][m] * 0.55, 0.3, None)
    return days, out


# -- automatic stations ----------------------------------------------------------------------------

def _auto_packets(cfg: WorldConfig, s: Section, st: dict, days: np.ndarray, series: dict[str, np.ndarray],
                  ground: list[dict]) -> list[tuple[np.datetime64, str]]:
    """(DataTime, packet) of one station: 6 packets a day from its commissioning on."""
    out: list[tuple[np.datetime64, str]] = []
    for year in _years(cfg):
        r = rng(cfg, 202, s.index, year)
        idx = np.flatnonzero(days.astype("datetime64[Y]").astype(int) + 1970 == year)
        n_full = 366 * 6
        noise = r.standard_normal((len(AUTO_CODES), n_full)) * 0.08
        flag_draw = r.random(n_full)
        outage_start = int(r.integers(0, 330 * 6))
        outage_len = int(r.integers(6, 6 * 6))
        for k, di in enumerate(idx):
            day = days[di]
            if s.auto_since is None or day < np.datetime64(s.auto_since):
                continue
            for slot in range(6):
                j = k * 6 + slot
                t = day + np.timedelta64(4 * slot, "h")
                if outage_start <= j < outage_start + outage_len:
                    continue
                flag = "N"
                if flag_draw[j] < 0.01:
                    flag = "M"  # maintenance / calibration
                elif flag_draw[j] > 0.995:
                    flag = "D"  # analyser fault
                items = []
                for ci, (p, code) in enumerate(AUTO_CODES.items()):
                    v = series[p][di]
                    v = v + noise[ci, j] if p == "ph" else v * np.exp(noise[ci, j])
                    if flag == "D":
                        v = v * 4
                    dec = 3 if p in ("nh3n", "tp") else 2
                    items.append(f"{code}-Avg={v:.{dec}f},{code}-Flag={flag}")
                stamp = str(t).replace("-", "").replace("T", "").replace(":", "")[:10] + "0000"
                qn = stamp[:10] + f"05{(j * 7) % 60:02d}{(j * 37) % 1000:03d}"
                seg = (f"QN={qn};ST=21;CN=2061;PW={st['pw']};MN={st['mn']};Flag=4;"
                       f"CP=&&DataTime={stamp};{';'.join(items)}&&")
                out.append((t, seg))
        if outage_len and idx.size and s.auto_since is not None:
            j0 = outage_start
            if j0 // 6 < len(idx) and days[idx[j0 // 6]] >= np.datetime64(s.auto_since):
                ground.append({"kind": "station_outage", "section_code": s.section_code, "mn": st["mn"],
                               "start": str(days[idx[j0 // 6]]), "end": "", "parameter": "",
                               "detail": f"{outage_len} 4-hour packets not sent"})
    return out


def land_auto(cfg: WorldConfig, home: Home, sections: list[Section], ground: list[dict]) -> dict:
    by_day: dict[str, list[str]] = {}
    n_packets = 0
    for s in sections:
        if s.auto_since is None or s.auto_since > cfg.end:
            continue
        st = station_of(s, cfg)
        days, series = daily_series(cfg, s)
        pk = _auto_packets(cfg, s, st, days, series, ground)
        if not pk:
            continue
        packets = frame([seg for _, seg in pk])
        r = rng(cfg, 203, s.index)
        fault = r.random(len(packets))
        for (t, _), pkt, fv in zip(pk, packets, fault, strict=True):
            day = str(t.astype("datetime64[D]"))
            lst = by_day.setdefault(day, [])
            if fv < 0.001:
                kind, pkt = _corrupt(r, pkt)
                ground.append({"kind": kind, "section_code": s.section_code, "mn": st["mn"], "start": str(t),
                               "end": str(t), "parameter": "", "detail": "damaged in transit"})
            elif fv > 0.999:
                lst.append(pkt)
                ground.append({"kind": "duplicate_packet", "section_code": s.section_code, "mn": st["mn"],
                               "start": str(t), "end": str(t), "parameter": "", "detail": "resent"})
            lst.append(pkt)
    root = home.landing / "monitoring" / "water" / "hj212"
    written = kept = 0
    for day, pkts in sorted(by_day.items()):
        n_packets += len(pkts)
        target = root / f"date={day}" / f"water-{day.replace('-', '')}.hj212"
        if target.exists():
            kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes("".join(pkts).encode("utf-8"))
        tmp.replace(target)
        written += 1
    return {"water_auto_packets": n_packets, "water_auto_files_written": written, "water_auto_files_kept": kept}


# -- lab files -------------------------------------------------------------------------------------

def _fmt(v: float, decimals: int) -> str:
    return f"{v:.{decimals}f}"


def _cell(p: str, v: float, factor: float, decimals: int, dl: float | None, style: int) -> str:
    if dl is not None and v < dl:
        # below the detection limit: most labs write 未检出, some "<DL" (in the column's unit)
        return "未检出" if style else f"<{dl / factor:g}"
    return _fmt(v / factor, decimals)


def land_lab(cfg: WorldConfig, home: Home, sections: list[Section], ground: list[dict]) -> dict:
    series = {s.section_code: daily_series(cfg, s) for s in sections}
    first = date(cfg.start.year, cfg.start.month, 1)
    month = first
    files = rows = 0
    root = home.landing / "monitoring" / "lab" / "water"
    header = LAB_HEAD + [c[1] for c in LAB_COLUMNS]
    while month <= cfg.end:
        key = f"{month:%Y-%m}"
        r = rng(cfg, 201, month.year, month.month)
        sample_day = date(month.year, month.month, int(r.integers(5, 16)))
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        if sample_day > cfg.end:
            break
        lab_noise = r.standard_normal((len(sections), len(LAB_COLUMNS))) * 0.06
        lines = []
        for s in sections:
            days, vals = series[s.section_code]
            di = int((np.datetime64(sample_day) - days[0]).astype(int))
            style = int(r.integers(0, 4)) > 0
            cells = [s.section_code, s.section_name_zh, sample_day.isoformat(),
                     _fmt(14 + 8 * np.sin(2 * np.pi * (sample_day.timetuple().tm_yday - 110) / 365.25), 1)]
            for ci, (p, _, factor, dec, dl) in enumerate(LAB_COLUMNS):
                v = vals[p][di]
                v = v + lab_noise[s.index, ci] if p == "ph" else v * np.exp(lab_noise[s.index, ci])
                cells.append(_cell(p, v, factor, dec, dl, style))
            lines.append(cells)
        # the odd bad row: stream 205, prefix-stable per month
        d = rng(cfg, 205, month.year, month.month)
        u = d.random()
        if u < 0.12:
            i = int(d.integers(0, len(lines)))
            col = LAB_HEAD.__len__() + int(d.integers(2, len(LAB_COLUMNS)))
            lines[i][col] = ("1.2.3", "--", "见备注")[int(d.integers(0, 3))]
            ground.append({"kind": "lab_bad_number", "section_code": lines[i][0], "mn": "", "start": key, "end": "",
                           "parameter": header[col], "detail": lines[i][col]})
        elif u < 0.18:
            i = int(d.integers(0, len(lines)))
            lines[i][2] = f"{month.year}-{month.month:02d}-32"
            ground.append({"kind": "lab_bad_date", "section_code": lines[i][0], "mn": "", "start": key, "end": "",
                           "parameter": "", "detail": lines[i][2]})
        elif u < 0.24:
            bad = list(lines[0])
            bad[0], bad[1] = "ZT99", "试验断面"
            lines.append(bad)
            ground.append({"kind": "lab_unknown_section", "section_code": "ZT99", "mn": "", "start": key, "end": "",
                           "parameter": "", "detail": "section not in the catalogue"})
        elif u < 0.30:
            i = int(d.integers(0, len(lines)))
            lines.append(list(lines[i]))
            ground.append({"kind": "lab_duplicate_row", "section_code": lines[i][0], "mn": "", "start": key,
                           "end": "", "parameter": "", "detail": "row sent twice"})
        target = root / key / LAB_FILE.format(month=key)
        rows += len(lines)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f, lineterminator="\r\n")
                w.writerow(header)
                w.writerows(lines)
            tmp.replace(target)
            files += 1
        month = nxt
    return {"water_lab_files_written": files, "water_lab_rows": rows}


def write_catalogue(home: Home, cfg: WorldConfig, sections: list[Section]) -> None:
    cat = home.landing / "monitoring" / "water" / "water_sections.csv"
    cat.parent.mkdir(parents=True, exist_ok=True)
    with (HERE / "sections.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with cat.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[k for k in rows[0] if k != "pollution"], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    reg = home.landing / "monitoring" / "registry" / "water_stations.csv"
    reg.parent.mkdir(parents=True, exist_ok=True)
    with reg.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=REGISTRY_COLUMNS)
        w.writeheader()
        for s in sections:
            if s.auto_since is not None and s.auto_since <= cfg.end:
                w.writerow(station_of(s, cfg))


GROUND_COLUMNS = ["kind", "section_code", "mn", "start", "end", "parameter", "detail"]


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Catalogue, registry, automatic-station packets, lab files and their ground truth."""
    home.ensure()
    sections = load_sections()
    write_catalogue(home, cfg, sections)
    ground: list[dict] = []
    summary = {"water_sections": len(sections),
               "water_auto_stations": sum(s.auto_since is not None and s.auto_since <= cfg.end for s in sections)}
    summary.update(land_auto(cfg, home, sections, ground))
    summary.update(land_lab(cfg, home, sections, ground))
    with (home.world / "water_episodes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section_code", "start", "end", "parameter", "factor", "kind", "expected"])
        for ep in EPISODES:
            if ep.start <= cfg.end:
                w.writerow([ep.section_code, ep.start, ep.end, ep.parameter, ep.factor, ep.kind, ep.expected])
    with (home.world / "water_anomalies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=GROUND_COLUMNS)
        w.writeheader()
        w.writerows(ground)
    return summary

