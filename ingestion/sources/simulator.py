"""Pollution-source online monitoring (污染源自动监控) as the city platform receives it.

The outlets of the world's key pollutant-discharging units send HJ 212-2017 packets: flue-gas
outlets ST=31 (SO2 a21026, NOx a21002, smoke/particulates a34013, NMHC a24088 for VOC emitters,
flue flow a00000), wastewater outlets ST=32 (COD w01018, NH3-N w21003, pH w01001, flow w00000).
Hourly packets (CN=2061) for the whole history, daily packets (CN=2031) and, for the last two days
of the world only, minute packets (CN=2051). Each value carries ``-Avg``, ``-Cou`` (emission in the
period: kg for pollutants, m³ for flow) and ``-Flag``.

Units (HJ 212-2017 appendix): flue-gas concentrations mg/m³ (standard state, dry), flue flow Avg
m³/s and Cou m³; wastewater concentrations mg/L, pH dimensionless, flow Avg L/s and Cou m³.

What the world injects on purpose is written to ``world/source_anomalies.csv`` (see README.md):
flat-lined analysers, values stuck at zero while flow runs, values clipped just under the limit,
maintenance flags far beyond normal, real exceedances, outages, damaged and resent packets.
Random streams 300-309 (see ``STREAM_*``).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ingestion.common.home import Home
from ingestion.monitoring.simulator import frame
from ingestion.simulate.enterprises import Enterprise, enterprises
from ingestion.simulate.world import WORLD_START, WorldConfig, ar1, load_counties, rng

HERE = Path(__file__).resolve().parent
OUTLETS_PER_SIZE = 24

STREAM_SELECT = 300      # which key units / outlets
STREAM_DAILY = 301       # (outlet, parameter): day-to-day AR(1) of a concentration
STREAM_HOURLY = 302      # (outlet, parameter): hour-to-hour noise
STREAM_TREND = 303       # (county): 2020→2025 change of discharge
STREAM_EVENTS = 304      # (outlet, year): outages, faults, injected patterns
STREAM_EVENT_VALUES = 305  # (outlet, year, pattern): values drawn inside an injected window
STREAM_LINK = 306        # (outlet): damaged and resent packets
STREAM_REGISTRY = 307    # networking status, passwords, registry spelling
STREAM_MINUTE = 308      # (outlet, day): minute values of the last two days
STREAM_LEVELS = 309      # (outlet): concentration levels and flow

GAS_CODES = ("a21026", "a21002", "a34013", "a24088")
WATER_CODES = ("w01018", "w21003", "w01001")
FLOW_CODE = {"flue_gas": "a00000", "wastewater": "w00000"}
ST = {"flue_gas": "31", "wastewater": "32"}
OUTLET_NAME = {"flue_gas": "废气排放口", "wastewater": "废水总排口"}

REGISTRY_COLUMNS = ["mn", "pw", "outlet_code", "outlet_name", "outlet_type", "st", "enterprise_credit_code",
                    "enterprise_name", "county_code", "industry_code", "longitude", "latitude", "parameters",
                    "required_from", "networked", "networked_on"]
LIMIT_COLUMNS = ["outlet_code", "mn", "pollutant_code", "pollutant_name_zh", "lower_limit", "upper_limit", "unit",
                 "standard", "clause", "assumed"]
PATTERNS = ("flatline", "stuck_at_zero", "clipped_below_limit", "excessive_maintenance_flags", "exceedance")
PATTERN_PROB = (0.3, 0.25, 0.25, 0.25, 0.35)


@dataclass(frozen=True)
class Limit:
    pollutant_code: str
    name_zh: str
    lower: float | None
    upper: float
    unit: str
    standard: str
    clause: str
    assumed: bool


def load_limits() -> dict[tuple[str, str], dict[str, Limit]]:
    """(industry_code, outlet_type) → pollutant code → limit (ingestion/sources/discharge_limits.csv)."""
    out: dict[tuple[str, str], dict[str, Limit]] = defaultdict(dict)
    with (HERE / "discharge_limits.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[(r["industry_code"], r["outlet_type"])][r["pollutant_code"]] = Limit(
                r["pollutant_code"], r["pollutant_name_zh"], float(r["lower_limit"]) if r["lower_limit"] else None,
                float(r["upper_limit"]), r["unit"], r["standard"], r["clause"], r["assumed"] == "true")
    return dict(out)


@dataclass(frozen=True)
class Outlet:
    index: int
    outlet_code: str
    outlet_type: str  # flue_gas | wastewater
    mn: str
    pw: str
    enterprise: Enterprise
    registry_credit_code: str
    registry_name: str
    longitude: float
    latitude: float
    required_from: date
    networked_on: date | None  # None: never networked
    codes: tuple[str, ...]     # concentration parameters, in packet order (flow last, separately)
    limits: dict[str, Limit] = field(hash=False)
    levels: dict[str, float] = field(hash=False)
    flow_base: float = 0.0     # m³/s (flue gas) or L/s (wastewater)

    @property
    def st(self) -> str:
        return ST[self.outlet_type]

    @property
    def flow_code(self) -> str:
        return FLOW_CODE[self.outlet_type]


@dataclass(frozen=True)
class SourceAnomaly:
    kind: str
    outlet_code: str
    mn: str
    credit_code: str
    county_code: str
    pollutant_code: str
    start: str
    end: str
    detail: str = ""


def outlets(cfg: WorldConfig) -> list[Outlet]:
    """The outlets under online monitoring: flue-gas and wastewater outlets of key units."""
    limits = load_limits()
    pop = [e for e in enterprises(cfg)
           if e.is_key_unit and e.closed is None and e.founded < date(2019, 1, 1)
           and any((e.industry_code, t) in limits for t in ST)]
    order = rng(cfg, STREAM_SELECT).permutation(len(pop))
    target = OUTLETS_PER_SIZE * cfg.size
    chosen: list[tuple[Enterprise, str]] = []
    for k in order:
        e = pop[int(k)]
        chosen += [(e, t) for t in ST if (e.industry_code, t) in limits]
        if len(chosen) >= target:
            break
    r = rng(cfg, STREAM_REGISTRY)
    n = len(chosen)
    perm = r.permutation(n)
    n_never, n_late = max(1, round(0.06 * n)), max(2, round(0.12 * n))
    never, late = set(perm[:n_never].tolist()), set(perm[n_never:n_never + n_late].tolist())
    out = []
    for i, (e, t) in enumerate(chosen):
        d = r.random(6)
        lv = rng(cfg, STREAM_LEVELS, i)
        lim = limits[(e.industry_code, t)]
        codes = tuple(c for c in (GAS_CODES if t == "flue_gas" else WATER_CODES) if c in lim)
        levels = {c: (7.2 + 0.4 * float(lv.random()) if c == "w01001" else lim[c].upper * float(lv.uniform(0.3, 0.55)))
                  for c in codes}
        if t == "flue_gas":
            tonnes, key = max(e.emissions_2017["nox_t"], 1.0), "a21002"
            flow = tonnes * 1e9 / (levels[key] * 8760) / 3600  # m³/s
            flow = float(np.clip(flow, 2, 1500))
        else:
            tonnes, key = max(e.emissions_2017["cod_t"], 1.0), "w01018"
            flow = tonnes * 1e9 / (levels[key] * 8760) / 3600  # L/s
            flow = float(np.clip(flow, 1, 500))
        networked_on: date | None = date(2019, 1, 1) + timedelta(days=int(d[0] * 300))
        if i in never:
            networked_on = None
        elif i in late:
            networked_on = date(2021, 3, 1) + timedelta(days=int(d[1] * 850))
        county = e.county_code
        seq = i + 1
        outlet_code = f"{'FQ' if t == 'flue_gas' else 'DW'}{seq:03d}"
        name = e.name
        if d[2] < 0.3:  # the platform's operators often typed the name without the legal-form suffix
            name = name.replace("股份有限公司", "").replace("有限责任公司", "").replace("有限公司", "")
        out.append(Outlet(
            index=i, outlet_code=f"{e.credit_code[-8:]}-{outlet_code}", outlet_type=t,
            mn=f"{county}00{ST[t]}{seq:014d}", pw=f"{int(100000 + d[3] * 899999):06d}", enterprise=e,
            registry_credit_code="" if d[4] < 0.1 else e.credit_code, registry_name=name,
            longitude=round(e.longitude + 0.002 * (d[5] - 0.5), 5), latitude=e.latitude,
            required_from=date(2019, 1, 1), networked_on=networked_on, codes=codes, limits=lim,
            levels=levels, flow_base=round(flow, 3),
        ))
    return out


def county_trends(cfg: WorldConfig) -> dict[str, tuple[float, float]]:
    """county → (wastewater change 2020→2025, flue-gas change 2020→2025) as fractions."""
    out = {}
    for ci, c in enumerate(load_counties()):
        d = rng(cfg, STREAM_TREND, ci).random(4)
        water = -0.04 + 0.07 * d[1] if d[0] < 0.3 else -0.16 + 0.05 * d[1]
        air = -0.04 + 0.07 * d[3] if d[2] < 0.3 else -0.18 + 0.05 * d[3]
        out[c.county_code] = (round(water, 4), round(air, 4))
    return out


@dataclass
class OutletSeries:
    hours: np.ndarray              # datetime64[h], from WORLD_START to the world's end
    values: dict[str, np.ndarray]  # concentration per code, and flow under the flow code
    flags: dict[str, np.ndarray]
    sent: np.ndarray


def _hour_index(hours: np.ndarray, t: np.datetime64) -> int:
    return int((t - hours[0]).astype(int))


def simulate_outlet(cfg: WorldConfig, o: Outlet, trend: float, anomalies: list[SourceAnomaly]) -> OutletSeries:
    """Hourly values of one outlet from WORLD_START (prefix-stable) to the world's end."""
    hours = np.arange(np.datetime64(WORLD_START, "h"), np.datetime64(cfg.end + timedelta(days=1), "h"),
                      dtype="datetime64[h]")
    n = len(hours)
    n_days = n // 24
    day_idx = np.arange(n) // 24
    hour = np.arange(n) % 24
    t_years = np.arange(n) / 8766.0
    level_trend = 1 + trend * t_years / 5
    values: dict[str, np.ndarray] = {}
    flags: dict[str, np.ndarray] = {}
    for j, code in enumerate(o.codes):
        daily = ar1(rng(cfg, STREAM_DAILY, o.index, j), n_days, 0.7, 0.1)[day_idx]
        z = rng(cfg, STREAM_HOURLY, o.index, j).standard_normal(n)
        if code == "w01001":
            values[code] = o.levels[code] + 0.25 * daily + 0.08 * z
        else:
            values[code] = o.levels[code] * level_trend * np.exp(daily + 0.08 * z)
        flags[code] = np.full(n, "N", dtype="<U1")
    zf = rng(cfg, STREAM_HOURLY, o.index, 99).standard_normal(n)
    values[o.flow_code] = o.flow_base * (1 + 0.1 * np.sin(2 * np.pi * (hour - 6) / 24)) * np.exp(0.05 * zf)
    flags[o.flow_code] = np.full(n, "N", dtype="<U1")
    # Weekly zero/span calibration of the analysers, Monday 03:00: flag C.
    weekday = (hours.astype("datetime64[D]").astype(int) + 3) % 7
    for code in o.codes:
        flags[code][(weekday == 0) & (hour == 3)] = "C"
    sent = np.zeros(n, dtype=bool)
    if o.networked_on is None:
        return OutletSeries(hours, values, flags, sent)
    first = max(0, _hour_index(hours, np.datetime64(o.networked_on, "h")))
    sent[first:] = True

    def note(kind: str, code: str, s: slice, detail: str) -> None:
        anomalies.append(SourceAnomaly(kind, o.outlet_code, o.mn, o.enterprise.credit_code, o.enterprise.county_code,
                                       code, str(hours[s.start]), str(hours[s.stop - 1]), detail))

    conc = [c for c in o.codes if c != "w01001"]
    for year in range(WORLD_START.year, cfg.end.year + 1):
        ev = rng(cfg, STREAM_EVENTS, o.index, year)
        y0 = _hour_index(hours, np.datetime64(date(year, 1, 1), "h"))
        y_len = (date(year + 1, 1, 1) - date(year, 1, 1)).days * 24
        outages = [(int(ev.integers(0, y_len - 100)), int(ev.integers(6, 97))) for _ in range(2)]
        fault = (int(ev.integers(0, y_len - 30)), int(ev.integers(6, 25)))
        months = ev.permutation(12)
        occurs = ev.random(len(PATTERNS))
        picks = ev.random(len(PATTERNS))
        offsets = ev.random(len(PATTERNS))
        lengths = ev.random(len(PATTERNS))

        def window(i0: int, length: int, y0: int = y0) -> slice | None:
            s = slice(y0 + i0, y0 + i0 + length)
            return s if s.start >= first and s.stop <= n else None

        for i0, length in outages:
            s = window(i0, length)
            if s is not None:
                sent[s] = False
                note("missing_hours", "", s, f"{length} hours not sent")
        s = window(*fault)
        if s is not None:
            for code in o.codes:
                flags[code][s] = "D"
            note("instrument_fault", ",".join(o.codes), s, "flag D on every analyser")
        for k, pattern in enumerate(PATTERNS):
            if occurs[k] >= PATTERN_PROB[k]:
                continue
            month = int(months[k]) + 1
            m0 = (date(year, month, 1) - date(year, 1, 1)).days * 24
            m_len = ((date(year + (month == 12), month % 12 + 1, 1) - date(year, month, 1)).days) * 24
            candidates = o.codes if pattern in ("flatline", "excessive_maintenance_flags") else conc
            code = candidates[int(picks[k] * len(candidates))]
            length = {"flatline": 18 + int(lengths[k] * 43), "stuck_at_zero": 8 + int(lengths[k] * 29),
                      "clipped_below_limit": 24 * (10 + int(lengths[k] * 11)),
                      "excessive_maintenance_flags": 24 * (7 + int(lengths[k] * 9)),
                      "exceedance": 6 + int(lengths[k] * 43)}[pattern]
            s = window(m0 + int(offsets[k] * (m_len - length - 1)), length)
            if s is None:
                continue
            vr = rng(cfg, STREAM_EVENT_VALUES, o.index, year, k)
            sent[s] = True
            upper = o.limits[code].upper
            if pattern == "flatline":
                values[code][s] = round(float(values[code][s.start]), 2)
                flags[code][s] = "N"
                detail = f"constant {values[code][s.start]:.2f} with flag N"
            elif pattern == "stuck_at_zero":
                values[code][s] = 0.0
                flags[code][s] = "N"
                detail = "0 with flag N while flow runs"
            elif pattern == "clipped_below_limit":
                values[code][s] = upper * vr.uniform(0.955, 0.995, length)
                flags[code][s] = "N"
                detail = f"reported between 95.5% and 99.5% of the limit {upper:g}"
            elif pattern == "excessive_maintenance_flags":
                code = ",".join(o.codes)
                m = vr.random(length) < 0.7
                for c in o.codes:
                    flags[c][s][m] = "M"
                detail = f"flag M on {int(m.sum())} of {length} hours"
            else:
                values[code][s] = upper * vr.uniform(1.2, 2.0, length)
                flags[code][s] = "N"
                detail = f"{length} hours between 1.2 and 2 times the limit {upper:g}"
            note(pattern, code, s, detail)
    return OutletSeries(hours, values, flags, sent)


def _stamp(t: np.ndarray, unit: str) -> list[str]:
    s = np.datetime_as_string(t, unit=unit)
    return [x.replace("-", "").replace("T", "").replace(":", "") for x in s]


def _cou(o: Outlet, code: str, conc: np.ndarray, flow: np.ndarray, seconds: float) -> np.ndarray:
    """Emission of the period in kg: mg/m³ × m³/s × s / 1e6, or mg/L × L/s × s / 1e6."""
    return conc * flow * seconds / 1e6


def _flow_cou(o: Outlet, flow: np.ndarray, seconds: float) -> np.ndarray:
    return flow * seconds if o.outlet_type == "flue_gas" else flow * seconds / 1000.0


def _segments(o: Outlet, cn: str, times: list[str], qns: list[str], vals: dict[str, np.ndarray],
              cous: dict[str, np.ndarray], flags: dict[str, np.ndarray], pw: str | None = None) -> list[str]:
    codes = [*o.codes, o.flow_code]
    text_v = {c: [f"{x:.2f}" for x in vals[c]] for c in codes}
    # pH has no discharge amount: no -Cou item
    text_c = {c: [f"{x:.3f}" if c != o.flow_code else f"{x:.1f}" for x in cous[c]] for c in codes if c != "w01001"}
    head = f";ST={o.st};CN={cn};PW={pw or o.pw};MN={o.mn};Flag=4;CP=&&DataTime="
    out = []
    for i in range(len(times)):
        cp = ";".join(f"{c}-Avg={text_v[c][i]},{c}-Cou={text_c[c][i]},{c}-Flag={flags[c][i]}" if c in text_c
                      else f"{c}-Avg={text_v[c][i]},{c}-Flag={flags[c][i]}" for c in codes)
        out.append(f"QN={qns[i]}{head}{times[i]};{cp}&&")
    return out


def outlet_packets(cfg: WorldConfig, o: Outlet, series: OutletSeries) -> list[tuple[np.datetime64, int, str]]:
    """(DataTime, CN order, data segment) of every packet the outlet sent."""
    out: list[tuple[np.datetime64, int, str]] = []
    idx = np.flatnonzero(series.sent)
    if len(idx) == 0:
        return out
    flow_all = series.values[o.flow_code]
    # hourly, CN=2061
    hrs = series.hours[idx]
    vals = {c: series.values[c][idx] for c in [*o.codes, o.flow_code]}
    cous = {c: _cou(o, c, vals[c], vals[o.flow_code], 3600) for c in o.codes}
    cous[o.flow_code] = _flow_cou(o, vals[o.flow_code], 3600)
    flg = {c: series.flags[c][idx] for c in vals}
    times = [t + "0000" for t in _stamp(hrs, "h")]
    qns = [t + "0012" + f"{(i * 7) % 1000:03d}" for i, t in enumerate(_stamp(hrs + np.timedelta64(1, "h"), "m"))]
    out += [(h, 1, s) for h, s in zip(hrs, _segments(o, "2061", times, qns, vals, cous, flg), strict=True)]
    # daily, CN=2031: mean of the day's valid (flag N) hours, emission summed over the hours sent
    n_days = len(series.hours) // 24
    sent = series.sent.reshape(n_days, 24)
    days_sent = np.flatnonzero(sent.any(axis=1))
    dvals, dcous, dflags = {}, {}, {}
    for c in [*o.codes, o.flow_code]:
        v = series.values[c].reshape(n_days, 24)
        ok = sent & (series.flags[c].reshape(n_days, 24) == "N")
        cnt = ok.sum(axis=1)
        dvals[c] = (np.where(ok, v, 0).sum(axis=1) / np.maximum(cnt, 1))[days_sent]
        f = flow_all.reshape(n_days, 24)
        hourly_cou = _flow_cou(o, f, 3600) if c == o.flow_code else _cou(o, c, v, f, 3600)
        dcous[c] = np.where(sent, hourly_cou, 0).sum(axis=1)[days_sent]
        dflags[c] = np.where(cnt[days_sent] >= 20, "N", "D")
    day_t = series.hours[days_sent * 24].astype("datetime64[D]")
    dtimes = [t + "000000" for t in _stamp(day_t, "D")]
    dqns = [t + "000500" + "000" for t in _stamp(day_t + np.timedelta64(1, "D"), "D")]
    out += [(np.datetime64(d, "h") + np.timedelta64(23, "h"), 2, s)
            for d, s in zip(day_t, _segments(o, "2031", dtimes, dqns, dvals, dcous, dflags), strict=True)]
    # minute, CN=2051: the last two days only
    for day in (cfg.end - timedelta(days=1), cfg.end):
        h0 = _hour_index(series.hours, np.datetime64(day, "h"))
        hi = np.arange(h0, h0 + 24)
        hi = hi[(hi >= 0) & series.sent[hi.clip(0)]]
        if len(hi) == 0:
            continue
        rep = np.repeat(hi, 60)
        mins = series.hours[rep].astype("datetime64[m]") + np.tile(np.arange(60), len(hi)).astype("timedelta64[m]")
        z = rng(cfg, STREAM_MINUTE, o.index, day.toordinal()).standard_normal(len(rep))
        mvals = {c: series.values[c][rep] * np.exp(0.03 * z) for c in [*o.codes, o.flow_code]}
        mcous = {c: _cou(o, c, mvals[c], mvals[o.flow_code], 60) for c in o.codes}
        mcous[o.flow_code] = _flow_cou(o, mvals[o.flow_code], 60)
        mflags = {c: series.flags[c][rep] for c in mvals}
        mtimes = [t + "00" for t in _stamp(mins, "m")]
        mqns = [t + "05000" for t in _stamp(mins + np.timedelta64(1, "m"), "m")]
        out += [(m.astype("datetime64[h]"), 0, s)
                for m, s in zip(mins, _segments(o, "2051", mtimes, mqns, mvals, mcous, mflags), strict=True)]
    return out


@dataclass
class Landed:
    files: int = 0
    packets: int = 0
    kept: int = 0
    by_cn: dict[str, int] = field(default_factory=dict)


def _corrupt(kind_draw: float, cut_draw: float, packet: str) -> tuple[str, str]:
    """Damage a packet the ways serial/4G links do (draws in [0, 1) decide how). Returns (kind, packet)."""
    kind = ("crc_mismatch", "bad_length", "truncated")[int(kind_draw * 3)]
    body = packet[:-2]
    if kind == "crc_mismatch":
        pos = body.find("-Avg=") + 5
        body = body[:pos] + ("7" if body[pos] != "7" else "3") + body[pos + 1:]
        return kind, body + "\r\n"
    if kind == "bad_length":
        return kind, f"##{int(body[2:6]) + 3:04d}{body[6:]}\r\n"
    return kind, body[: 20 + int(cut_draw * (len(body) - 30))] + "\r\n"


def land_packets(cfg: WorldConfig, home: Home, outs: list[Outlet],
                 anomalies: list[SourceAnomaly]) -> Landed:
    trends = county_trends(cfg)
    by_day: dict[np.datetime64, list[tuple[np.datetime64, int, int, str]]] = defaultdict(list)
    first_day = np.datetime64(cfg.start, "D")
    landed = Landed()
    for o in outs:
        water, air = trends[o.enterprise.county_code]
        series = simulate_outlet(cfg, o, water if o.outlet_type == "wastewater" else air, anomalies)
        items = outlet_packets(cfg, o, series)
        items = [it for it in items if it[0].astype("datetime64[D]") >= first_day]
        packets = frame([s for _, _, s in items])
        # one draw per packet from each stream: the first k packets' fate does not depend on the world's end
        fault = rng(cfg, STREAM_LINK, o.index, 0).random(len(packets))
        kind_draw = rng(cfg, STREAM_LINK, o.index, 1).random(len(packets))
        cut_draw = rng(cfg, STREAM_LINK, o.index, 2).random(len(packets))
        for i, ((h, cn_order, _), pkt) in enumerate(zip(items, packets, strict=True)):
            day = h.astype("datetime64[D]")
            if cn_order == 1 and fault[i] < 0.0005:
                kind, pkt = _corrupt(kind_draw[i], cut_draw[i], pkt)
                anomalies.append(SourceAnomaly(kind, o.outlet_code, o.mn, o.enterprise.credit_code,
                                               o.enterprise.county_code, "", str(h), str(h), "damaged in transit"))
            elif cn_order == 1 and fault[i] > 0.9995:
                by_day[day].append((h, cn_order, o.index, pkt))
                anomalies.append(SourceAnomaly("duplicate_packet", o.outlet_code, o.mn, o.enterprise.credit_code,
                                               o.enterprise.county_code, "", str(h), str(h),
                                               "resent after a lost acknowledgement"))
            by_day[day].append((h, cn_order, o.index, pkt))
            key = {0: "2051", 1: "2061", 2: "2031"}[cn_order]
            landed.by_cn[key] = landed.by_cn.get(key, 0) + 1
    # A maintenance contractor's laptop replays three hours of one outlet with a wrong password.
    networked = [o for o in outs if o.networked_on is not None and o.networked_on < date(2020, 2, 1)]
    probe = np.datetime64("2020-02-03", "D")
    if networked and probe in by_day:
        o = networked[0]
        segs = [s.split("##", 1)[1][4:-6] for h, c, i, s in by_day[probe] if i == o.index and c == 1][:3]
        segs = [s.replace(f"PW={o.pw}", "PW=000000") for s in segs]
        for pkt in frame(segs):
            by_day[probe].append((np.datetime64("2020-02-03T23", "h"), 3, o.index, pkt))
        anomalies.append(SourceAnomaly("bad_password", o.outlet_code, o.mn, o.enterprise.credit_code,
                                       o.enterprise.county_code, "", "2020-02-03T00", "2020-02-03T02",
                                       f"{len(segs)} packets with PW=000000"))
    root = home.landing / "monitoring" / "sources" / "hj212"
    for day in sorted(by_day):
        rows = sorted(by_day[day], key=lambda t: (t[0], t[1], t[2]))
        landed.packets += len(rows)
        target = root / f"date={day}" / f"sources-{str(day).replace('-', '')}.hj212"
        if target.exists():  # landing is immutable; the world is prefix-stable
            landed.kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes("".join(p for *_, p in rows).encode("utf-8"))
        tmp.replace(target)
        landed.files += 1
    return landed


def registry_path(home: Home) -> Path:
    return home.landing / "monitoring" / "registry" / "source_devices.csv"


def limits_path(home: Home) -> Path:
    return home.landing / "monitoring" / "sources" / "source_limits.csv"


def write_registry(home: Home, outs: list[Outlet]) -> None:
    """The platform's device registry and the permitted limits of every outlet and parameter."""
    path = registry_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(REGISTRY_COLUMNS)
        for o in outs:
            w.writerow([o.mn, o.pw, o.outlet_code, f"{o.registry_name}{OUTLET_NAME[o.outlet_type]}", o.outlet_type,
                        o.st, o.registry_credit_code, o.registry_name, o.enterprise.county_code,
                        o.enterprise.industry_code, o.longitude, o.latitude, ";".join([*o.codes, o.flow_code]),
                        o.required_from.isoformat(), "true" if o.networked_on else "false",
                        o.networked_on.isoformat() if o.networked_on else ""])
    path = limits_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(LIMIT_COLUMNS)
        for o in outs:
            for c in o.codes:
                lim = o.limits[c]
                w.writerow([o.outlet_code, o.mn, c, lim.name_zh, "" if lim.lower is None else f"{lim.lower:g}",
                            f"{lim.upper:g}", lim.unit, lim.standard, lim.clause, "true" if lim.assumed else "false"])


def write_truth(home: Home, cfg: WorldConfig, outs: list[Outlet], anomalies: list[SourceAnomaly]) -> None:
    home.world.mkdir(parents=True, exist_ok=True)
    with (home.world / "source_anomalies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kind", "outlet_code", "mn", "credit_code", "county_code", "pollutant_code", "start", "end",
                    "detail"])
        for a in anomalies:
            w.writerow([a.kind, a.outlet_code, a.mn, a.credit_code, a.county_code, a.pollutant_code, a.start, a.end,
                        a.detail])
    with (home.world / "source_outlets.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["outlet_code", "mn", "true_id", "credit_code", "county_code", "industry_code", "outlet_type",
                    "networked_on", "flow_base"])
        for o in outs:
            w.writerow([o.outlet_code, o.mn, o.enterprise.true_id, o.enterprise.credit_code, o.enterprise.county_code,
                        o.enterprise.industry_code, o.outlet_type,
                        o.networked_on.isoformat() if o.networked_on else "", o.flow_base])
    with (home.world / "source_county_trends.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["county_code", "wastewater_change_2025", "flue_gas_change_2025"])
        for county, (water, air) in county_trends(cfg).items():
            w.writerow([county, water, air])


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Simulate every outlet and write landing, registry, limits and ground truth. Returns a summary."""
    home.ensure()
    outs = outlets(cfg)
    anomalies: list[SourceAnomaly] = []
    landed = land_packets(cfg, home, outs, anomalies)
    write_registry(home, outs)
    write_truth(home, cfg, outs, anomalies)
    return {
        "outlets": len(outs),
        "networked_outlets": sum(o.networked_on is not None for o in outs),
        "landing_files_written": landed.files,
        "landing_files_kept": landed.kept,
        "packets": landed.packets,
        "packets_by_cn": landed.by_cn,
        "anomalies": len(anomalies),
    }
