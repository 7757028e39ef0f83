"""The world is prefix-stable: extending the end date never changes what an earlier hour looked like
(landing is immutable and a re-generated day must agree byte for byte with the one already landed)."""

from __future__ import annotations

from datetime import date

import numpy as np

from ingestion.simulate.world import WorldConfig, air_stations, load_counties, simulate_air


def test_air_series_agree_on_the_common_prefix() -> None:
    short, long = WorldConfig(end=date(2020, 2, 29)), WorldConfig(end=date(2020, 7, 31))
    counties = {c.county_code: (i, c) for i, c in enumerate(load_counties())}
    for st in air_stations(short)[:3]:
        ci, county = counties[st.county_code]
        a = simulate_air(short, st, county, ci, [])
        b = simulate_air(long, st, county, ci, [])
        n = len(a.hours)
        assert np.array_equal(a.hours, b.hours[:n])
        assert np.array_equal(a.sent, b.sent[:n]), st.station_code
        for p in a.values:
            assert np.array_equal(a.values[p], b.values[p][:n], equal_nan=True), (st.station_code, p)
            assert np.array_equal(a.flags[p], b.flags[p][:n]), (st.station_code, p)


def test_landing_files_agree_on_the_common_days(tmp_path) -> None:
    """Every air landing day of a shorter world is byte-identical in a longer one (except the shorter
    world's last day, which also carries that day's real-time packets)."""
    from ingestion.common.home import Home
    from ingestion.monitoring.simulator import land_air_packets

    short, long = WorldConfig(end=date(2020, 3, 10)), WorldConfig(end=date(2020, 5, 31))
    homes = {}
    for name, cfg in (("short", short), ("long", long)):
        home = Home(tmp_path / name)
        home.ensure()
        land_air_packets(cfg, home)
        homes[name] = home.landing / "monitoring" / "hj212"
    days = sorted(p.name for p in homes["short"].glob("date=*"))
    assert len(days) == 70
    for day in days[:-1]:
        (a,) = (homes["short"] / day).glob("*.hj212")
        assert a.read_bytes() == (homes["long"] / day / a.name).read_bytes(), day
