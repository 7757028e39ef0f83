"""One deterministic simulated Zhaotong, 2020-01-01 to a configurable end date.

Every random stream is drawn from its own generator keyed by (seed, entity, stream), so the
world is *prefix-stable*: extending the end date never changes what an earlier day looked like,
and a re-run writes exactly the same bytes.

The world knows the truth. Everything it injects on purpose (outages, instrument faults,
flat-lined analysers, corrupt or duplicated packets, an unregistered device) is written to
``world/anomalies.csv`` so tests can check that the pipeline finds it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORLD_START = date(2020, 1, 1)

# HJ 212-2017 pollutant codes of an ambient air station, in the order a station sends them.
AIR_CODES = {
    "so2": "a21026",
    "no2": "a21004",
    "co": "a21005",
    "o3": "a05024",
    "pm10": "a34002",
    "pm2_5": "a34004",
}
GASES = ("so2", "no2", "co", "o3")


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 14
    start: date = WORLD_START
    # default: yesterday, the last complete day (a daily partition closes at midnight)
    end: date = field(default_factory=lambda: date.today() - timedelta(days=1))
    size: int = 1  # multiplies stations (and later enterprises); 12 ≈ a province

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"world end {self.end} is before its start {self.start}")
        if self.size < 1:
            raise ValueError("world size must be >= 1")


@dataclass(frozen=True)
class County:
    county_code: str
    name_zh: str
    name_en: str
    lon: float
    lat: float
    pm25_base: float
    episode_sigma: float
    o3_base: float
    city_assessment_stations: int


@dataclass(frozen=True)
class AirStation:
    index: int
    station_code: str
    station_name_zh: str
    county_code: str
    mn: str
    pw: str
    longitude: float
    latitude: float
    is_city_assessment: bool
    commissioned_on: date


@dataclass(frozen=True)
class Anomaly:
    kind: str
    station_code: str
    mn: str
    start: str
    end: str
    pollutant: str = ""
    detail: str = ""


def load_counties() -> list[County]:
    with (HERE / "counties.csv").open(encoding="utf-8") as f:
        return [
            County(
                county_code=r["county_code"], name_zh=r["name_zh"], name_en=r["name_en"],
                lon=float(r["lon"]), lat=float(r["lat"]), pm25_base=float(r["pm25_base"]),
                episode_sigma=float(r["episode_sigma"]), o3_base=float(r["o3_base"]),
                city_assessment_stations=int(r["city_assessment_stations"]),
            )
            for r in csv.DictReader(f)
        ]


def rng(cfg: WorldConfig, *key: int) -> np.random.Generator:
    """An independent generator per (entity, stream): the world's prefix stability rests on this."""
    return np.random.default_rng([cfg.seed, *key])


# The two national assessment stations of Zhaotong really are 2596A and 2597A (CNEMC sample).
NATIONAL_STATIONS = [("2596A", "监测站"), ("2597A", "环保局")]


def air_stations(cfg: WorldConfig) -> list[AirStation]:
    out: list[AirStation] = []
    for ci, c in enumerate(load_counties()):
        r = rng(cfg, 1, ci)
        n_city = c.city_assessment_stations
        n = max(cfg.size, n_city) if n_city == 0 else n_city + cfg.size - 1
        for k in range(n):
            idx = len(out)
            if k < n_city:
                code, name = NATIONAL_STATIONS[k]
            else:
                code, name = f"ZT{c.county_code[-3:]}{k + 1:02d}", f"{c.name_zh[:-1]}{k + 1:02d}号站"
            out.append(AirStation(
                index=idx, station_code=code, station_name_zh=name, county_code=c.county_code,
                mn=f"{c.county_code}0022{idx + 1:014d}", pw=f"{int(r.integers(100000, 999999)):06d}",
                longitude=round(c.lon + float(r.normal(0, 0.02)), 4),
                latitude=round(c.lat + float(r.normal(0, 0.02)), 4),
                is_city_assessment=k < n_city, commissioned_on=date(2015, 1, 1),
            ))
    return out


def ar1(r: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """AR(1) series with stationary standard deviation ``sigma``."""
    prev = r.standard_normal() * sigma  # first: the start value must not depend on n (prefix stability)
    e = r.standard_normal(n) * sigma * np.sqrt(1 - phi * phi)
    x = np.empty(n)
    for i in range(n):  # n is days (≈2,500): a Python loop is fine here
        prev = phi * prev + e[i]
        x[i] = prev
    return x


@dataclass
class AirSeries:
    """Hourly values of one station; NaN = hour not sent at all."""

    hours: np.ndarray  # datetime64[h]
    values: dict[str, np.ndarray]
    flags: dict[str, np.ndarray]  # '<U1'
    sent: np.ndarray  # bool: a packet exists for the hour


def hours_of(cfg: WorldConfig) -> np.ndarray:
    start = np.datetime64(cfg.start, "h")
    stop = np.datetime64(cfg.end + timedelta(days=1), "h")
    return np.arange(start, stop, dtype="datetime64[h]")


def simulate_air(cfg: WorldConfig, st: AirStation, county: County, county_idx: int,
                 anomalies: list[Anomaly]) -> AirSeries:
    """Hourly concentrations with season, diurnal cycle, trend, weather episodes and faults."""
    hours = hours_of(cfg)
    n = len(hours)
    days_full = (hours.astype("datetime64[D]") - np.datetime64(WORLD_START, "D")).astype(int)
    day0 = int(days_full[0])
    di = days_full - day0
    n_days = int(di[-1]) + 1
    n_days_full = day0 + n_days
    hour = (hours - hours.astype("datetime64[D]")).astype(int)
    doy = (hours.astype("datetime64[D]") - hours.astype("datetime64[Y]")).astype(int)
    years = hours.astype("datetime64[Y]").astype(int) + 1970
    t_years = (years - 2020) + doy / 365.25

    # Weather: a regional episode shared by the whole city, a county part, and a station part.
    # Drawn from the world start so a later start date sees the same weather.
    regional = ar1(rng(cfg, 2, 0), n_days_full, 0.78, 0.32)[day0:]
    county_ep = ar1(rng(cfg, 2, 1000 + county_idx), n_days_full, 0.7, county.episode_sigma * 0.6)[day0:]
    local = ar1(rng(cfg, 2, 5000 + st.index), n_days_full, 0.6, 0.12)[day0:]
    sunny = ar1(rng(cfg, 2, 1), n_days_full, 0.6, 0.18)[day0:]
    # One stream per pollutant (the first keeps the station's original stream): a shared stream would
    # make the second pollutant's noise depend on how many hours the first one drew.
    hourly_noise = {p: (rng(cfg, 3, st.index) if k == 0 else rng(cfg, 3, st.index, k)).standard_normal(n)
                    for k, p in enumerate(AIR_CODES)}

    ep = (regional + county_ep + local)[di]
    ep_var = 0.32**2 + (county.episode_sigma * 0.6) ** 2 + 0.12**2
    season_pm = 1 + 0.55 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    diurnal_pm = 1 + 0.15 * np.cos(2 * np.pi * (hour - 21) / 24)
    trend = 0.965**t_years
    pm25 = (county.pm25_base * season_pm * diurnal_pm * trend
            * np.exp(ep - ep_var / 2 + 0.15 * hourly_noise["pm2_5"]))
    pm10 = pm25 * (1.6 + 0.12 * hourly_noise["pm10"]).clip(1.15)
    so2 = 11 * (1 + 0.3 * np.cos(2 * np.pi * (doy - 15) / 365.25)) * np.exp(0.5 * ep + 0.2 * hourly_noise["so2"])
    rush = 1 + 0.25 * np.cos(2 * np.pi * (hour - 8) / 12)
    no2 = 17 * rush * (1 + 0.25 * np.cos(2 * np.pi * (doy - 15) / 365.25)) * np.exp(0.5 * ep + 0.15 * hourly_noise["no2"])
    co = 0.75 * (1 + 0.3 * np.cos(2 * np.pi * (doy - 15) / 365.25)) * np.exp(0.4 * ep + 0.1 * hourly_noise["co"])
    season_o3 = 1 + 0.32 * np.cos(2 * np.pi * (doy - 160) / 365.25)
    diurnal_o3 = 0.5 + 0.82 * np.clip(np.sin(np.pi * (hour - 7) / 14), 0, None)
    o3 = (county.o3_base * season_o3 * diurnal_o3 * (1.01 ** t_years)
          * np.exp(sunny[di] - 0.2 * np.clip(ep, 0, None) + 0.1 * hourly_noise["o3"]))

    values = {"so2": so2, "no2": no2, "co": co, "o3": o3, "pm10": pm10, "pm2_5": pm25}
    flags = {p: np.full(n, "N", dtype="<U1") for p in AIR_CODES}
    sent = np.ones(n, dtype=bool)

    # Weekly zero/span calibration of the gas analysers (04:00 every Monday): flag C.
    weekday = (hours.astype("datetime64[D]").astype(int) + 3) % 7  # 0 = Monday
    cal = (weekday == 0) & (hour == 4)
    for p in GASES:
        flags[p][cal] = "C"

    def span(i0: int, length: int) -> slice | None:
        """The part of an event inside the simulated range (None: it has not happened yet / at all)."""
        first, stop = max(i0, 0), min(n, i0 + length)
        return slice(first, stop) if stop > first else None

    def stamp(i: int) -> str:
        return str(hours[min(i, n - 1)])

    # Faults are drawn over the whole calendar year, whatever part of it the world covers, so that a
    # later end date never moves an event that already happened (prefix stability).
    for year in range(int(years[0]), int(years[-1]) + 1):
        ar = rng(cfg, 4, st.index, year)
        lo = int((np.datetime64(f"{year}-01-01T00", "h") - hours[0]).astype(int))
        hi = int((np.datetime64(f"{year + 1}-01-01T00", "h") - hours[0]).astype(int)) - 1
        # Outages: the station sends nothing (power, network).
        for _ in range(int(ar.integers(1, 3))):
            i0, length = int(ar.integers(lo, hi)), int(ar.integers(6, 24 * 4))
            if (s := span(i0, length)) is None:
                continue
            sent[s] = False
            anomalies.append(Anomaly("missing_hours", st.station_code, st.mn, stamp(s.start), stamp(s.stop - 1),
                                     detail=f"{s.stop - s.start} hours not sent"))
        # Particulate analyser fault: values sent with flag D.
        for _ in range(int(ar.integers(1, 4))):
            i0, length = int(ar.integers(lo, hi)), int(ar.integers(6, 48))
            factors = {p: ar.uniform(0, 3) for p in ("pm10", "pm2_5")}
            if (s := span(i0, length)) is None:
                continue
            for p, factor in factors.items():
                flags[p][s] = "D"
                values[p][s] = values[p][s] * factor
            anomalies.append(Anomaly("instrument_fault", st.station_code, st.mn, stamp(s.start), stamp(s.stop - 1),
                                     pollutant="pm2_5,pm10", detail="flag D"))
        # A flat-lined PM2.5 analyser that still says N: only a quality check can catch it.
        i0, length = int(ar.integers(lo, hi)), int(ar.integers(12, 36))
        if (s := span(i0, length)) is None:
            continue
        values["pm2_5"][s] = values["pm2_5"][s.start]
        anomalies.append(Anomaly("flatline", st.station_code, st.mn, stamp(s.start), stamp(s.stop - 1),
                                 pollutant="pm2_5", detail=f"constant {values['pm2_5'][s.start]:.1f} with flag N"))
    return AirSeries(hours=hours, values=values, flags=flags, sent=sent)


def world_summary(cfg: WorldConfig) -> dict:
    d = asdict(cfg)
    d["start"], d["end"] = cfg.start.isoformat(), cfg.end.isoformat()
    return d


def write_ground_truth(world_dir: Path, cfg: WorldConfig, stations: list[AirStation],
                       anomalies: list[Anomaly], extra: dict) -> None:
    world_dir.mkdir(parents=True, exist_ok=True)
    doc = {
        "config": world_summary(cfg),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "air_stations": [
            {**asdict(s), "commissioned_on": s.commissioned_on.isoformat()} for s in stations
        ],
        **extra,
    }
    (world_dir / "world.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    with (world_dir / "anomalies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kind", "station_code", "mn", "start", "end", "pollutant", "detail"])
        for a in anomalies:
            w.writerow([a.kind, a.station_code, a.mn, a.start, a.end, a.pollutant, a.detail])
