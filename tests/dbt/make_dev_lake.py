"""Write a small synthetic lake under a ZTECO_HOME, matching docs/CONTRACTS.md ("Lake tables").

For developing and testing the dbt project without the simulator:

    python tests/dbt/make_dev_lake.py /tmp/dbtdev
    ZTECO_HOME=/tmp/dbtdev .venv/bin/dbt build --project-dir dbt_project --profiles-dir dbt_project

Six stations in three counties (530602 has two city-assessment stations and one that is not), hourly rows for
2020-01-01 .. 2021-12-31 with realistic seasonal and diurnal shapes, a few pollution episodes,
invalid data flags, missing packets, and two deliberate anomalies the tests rely on:

- OUTAGE: the only station of 530621 sends nothing for eight days of February 2021, so that county
  has fewer than 25 valid days that month and 2021 fails HJ 663-2013 validity;
- RESUBMITTED: one station-day is sent again in a later load with different PM2.5 values; the
  warehouse must keep the later load.

Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2021, 12, 31)
POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm2_5")
INVALID_FLAGS = ("D", "M", "C", "F", "B", "T", "S")


@dataclass(frozen=True)
class Station:
    station_code: str
    station_name_zh: str
    county_code: str
    longitude: float
    latitude: float
    is_city_assessment: bool
    pollution_factor: float

    @property
    def mn(self) -> str:
        return f"{self.county_code}{self.station_code}".ljust(24, "0")


STATIONS = (
    Station("ZT0101", "昭阳区监测站", "530602", 103.7667, 27.3736, True, 1.00),
    Station("ZT0102", "昭阳区环保局", "530602", 103.7225, 27.3361, True, 1.08),
    Station("ZT0103", "昭阳区工业园区", "530602", 103.7012, 27.3104, False, 1.25),
    Station("ZT0201", "鲁甸县城", "530621", 103.5581, 27.1917, False, 0.95),
    Station("ZT0701", "镇雄县城", "530627", 104.8731, 27.4414, False, 1.15),
    Station("ZT0702", "镇雄县中学", "530627", 104.8604, 27.4301, False, 1.05),
)
COUNTY_OF = {s.station_code: s.county_code for s in STATIONS}

# (station_code, first day, last day) without any packet.
OUTAGE = ("ZT0201", dt.date(2021, 2, 1), dt.date(2021, 2, 8))
# (station_code, day, PM2.5 added in the resubmission, load id of the resubmission)
RESUBMITTED = ("ZT0101", dt.date(2021, 6, 30), 20.0, "20210702T030000-air-resubmit")


def load_id_for(day: dt.date) -> str:
    return f"{day + dt.timedelta(days=1):%Y%m%d}T010000-air"


def _days() -> list[dt.date]:
    n = (LAST_DAY - FIRST_DAY).days + 1
    return [FIRST_DAY + dt.timedelta(days=i) for i in range(n)]


def _county_weather(rng: np.random.Generator, n_days: int) -> dict[str, np.ndarray]:
    """A daily pollution multiplier per county: AR(1) in log space plus a few episodes."""
    weather = {}
    for county in sorted(set(COUNTY_OF.values())):
        log_factor = np.zeros(n_days)
        for i in range(1, n_days):
            log_factor[i] = 0.75 * log_factor[i - 1] + rng.normal(0, 0.25)
        episodes = rng.choice(n_days, size=6, replace=False)
        for start in episodes:
            log_factor[start:start + 3] += rng.uniform(0.9, 1.8)
        weather[county] = np.exp(log_factor)
    return weather


def _station_hours(rng: np.random.Generator, station: Station, days: list[dt.date],
                   weather: np.ndarray) -> dict[str, np.ndarray]:
    n_days = len(days)
    doy = np.array([d.timetuple().tm_yday for d in days], dtype=float)
    hour = np.tile(np.arange(24, dtype=float), n_days)
    day_index = np.repeat(np.arange(n_days), 24)
    winter = 0.5 * (1 + np.cos(2 * np.pi * (doy - 15) / 365.25))  # 1 in mid-January
    summer = 1 - winter
    daily_pm = (14 + 22 * winter) * weather * station.pollution_factor
    diurnal_pm = 1 + 0.18 * np.cos(2 * np.pi * (hour - 21) / 24)
    noise = rng.lognormal(0, 0.15, hour.size)
    pm2_5 = daily_pm[day_index] * diurnal_pm * noise
    pm10 = pm2_5 * rng.uniform(1.4, 1.9, hour.size)
    traffic = 1 + 0.35 * np.exp(-((hour - 8) ** 2) / 4) + 0.45 * np.exp(-((hour - 19) ** 2) / 5)
    no2 = (14 + 10 * winter[day_index]) * traffic * rng.lognormal(0, 0.2, hour.size)
    so2 = (8 + 8 * winter[day_index]) * rng.lognormal(0, 0.3, hour.size)
    co = (0.5 + 0.5 * winter[day_index]) * (0.6 + 0.4 * weather[day_index]) * rng.lognormal(0, 0.15, hour.size)
    sunlight = np.clip(np.sin(np.pi * (hour - 7) / 14), 0, None)
    o3_peak = (45 + 50 * summer[day_index]) * rng.lognormal(0, 0.25, n_days)[day_index]
    o3 = 25 + o3_peak * sunlight ** 1.5 + rng.normal(0, 6, hour.size)
    values = {
        "so2": np.round(so2, 1), "no2": np.round(no2, 1), "co": np.round(co, 3),
        "o3": np.round(np.clip(o3, 2, None), 1), "pm10": np.round(pm10, 1), "pm2_5": np.round(pm2_5, 1),
    }
    return values


HOURLY_SCHEMA = pa.schema(
    [("load_id", pa.string()), ("source_file", pa.string()), ("line_no", pa.int64()),
     ("qn", pa.string()), ("mn", pa.string()), ("cn", pa.string()), ("data_time", pa.timestamp("us"))]
    + [(p, pa.float64()) for p in POLLUTANTS]
    + [(f"{p}_flag", pa.string()) for p in POLLUTANTS]
)
LOAD_LOG_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source", pa.string()), ("partition", pa.string()),
    ("source_file", pa.string()), ("received", pa.int64()), ("loaded", pa.int64()),
    ("quarantined", pa.int64()), ("duplicates", pa.int64()),
    ("started_at", pa.timestamp("us")), ("finished_at", pa.timestamp("us")),
])


def _write_load(lake: Path, load_id: str, day: dt.date, rows: list[dict], started: dt.datetime,
                quarantined: int, duplicates: int) -> None:
    source_file = f"landing/monitoring/hj212/date={day:%Y-%m-%d}/{load_id}.hj212"
    for line_no, row in enumerate(rows, start=1):
        row["load_id"] = load_id
        row["source_file"] = source_file
        row["line_no"] = line_no
    folder = lake / "monitoring" / "air_hourly" / f"date={day:%Y-%m-%d}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=HOURLY_SCHEMA), folder / f"{load_id}.parquet")
    log = pa.table({
        "load_id": [load_id], "source": ["monitoring.hj212"], "partition": [f"{day:%Y-%m-%d}"],
        "source_file": [source_file], "received": [len(rows) + quarantined + duplicates],
        "loaded": [len(rows)], "quarantined": [quarantined], "duplicates": [duplicates],
        "started_at": [started], "finished_at": [started + dt.timedelta(seconds=42)],
    }, schema=LOAD_LOG_SCHEMA)
    (lake / "load_log").mkdir(parents=True, exist_ok=True)
    pq.write_table(log, lake / "load_log" / f"{load_id}.parquet")


def make_dev_lake(home: Path, seed: int = 20210101) -> Path:
    """Write the lake under ``home/lake`` (replacing the tables it writes); returns the lake path."""
    rng = np.random.default_rng(seed)
    lake = Path(home) / "lake"
    for table in ("monitoring/air_stations", "monitoring/air_hourly", "load_log"):
        target = lake / table
        if target.exists():
            for file in sorted(target.rglob("*.parquet")):
                file.unlink()

    stations_dir = lake / "monitoring" / "air_stations"
    stations_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({
        "station_code": [s.station_code for s in STATIONS],
        "station_name_zh": [s.station_name_zh for s in STATIONS],
        "county_code": [s.county_code for s in STATIONS],
        "mn": [s.mn for s in STATIONS],
        "longitude": [s.longitude for s in STATIONS],
        "latitude": [s.latitude for s in STATIONS],
        "is_city_assessment": [s.is_city_assessment for s in STATIONS],
        "commissioned_on": [dt.date(2015, 1, 1)] * len(STATIONS),
    }), stations_dir / "air_stations.parquet")

    days = _days()
    weather = _county_weather(rng, len(days))
    per_day: dict[dt.date, list[dict]] = {d: [] for d in days}
    resubmission: list[dict] = []
    for station in STATIONS:
        values = _station_hours(rng, station, days, weather[station.county_code])
        n = len(days) * 24
        flags = {p: np.full(n, "N", dtype=object) for p in POLLUTANTS}
        for p in POLLUTANTS:
            invalid = rng.random(n) < 0.012
            flags[p][invalid] = rng.choice(INVALID_FLAGS, size=int(invalid.sum()))
            absent = rng.random(n) < 0.002
            flags[p][absent] = None
        missing_packet = rng.random(n) < 0.004
        for i in range(n):
            day = days[i // 24]
            if missing_packet[i]:
                continue
            if station.station_code == OUTAGE[0] and OUTAGE[1] <= day <= OUTAGE[2]:
                continue
            data_time = dt.datetime.combine(day, dt.time(i % 24))
            row = {
                "qn": f"{data_time:%Y%m%d%H}0500{i % 1000:03d}", "mn": station.mn, "cn": "2061",
                "data_time": data_time,
            }
            for p in POLLUTANTS:
                flag = flags[p][i]
                row[p] = None if flag is None else float(values[p][i])
                row[f"{p}_flag"] = flag
            per_day[day].append(row)
            if (station.station_code, day) == RESUBMITTED[:2]:
                again = dict(row, qn=row["qn"][:-3] + "999")
                again["pm2_5"] = None if row["pm2_5"] is None else round(row["pm2_5"] + RESUBMITTED[2], 1)
                resubmission.append(again)

    for day in days:
        started = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1))
        _write_load(lake, load_id_for(day), day, per_day[day], started,
                    quarantined=int(rng.random() < 0.05), duplicates=int(rng.random() < 0.03))
    day = RESUBMITTED[1]
    _write_load(lake, RESUBMITTED[3], day, resubmission,
                dt.datetime.combine(day + dt.timedelta(days=2), dt.time(3)), quarantined=0, duplicates=0)
    return lake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="ZTECO_HOME to write lake/ into")
    parser.add_argument("--seed", type=int, default=20210101)
    args = parser.parse_args()
    lake = make_dev_lake(args.home.resolve(), args.seed)
    print(f"dev lake written to {lake}")


if __name__ == "__main__":
    main()
