"""Suite ``monitoring/air_stations``: the station/device registry export, as received.

The batch is the CSV as the network delivered it (``landing/monitoring/registry/air_stations.csv``):
every column as text, empty cells as NULL, one row per CSV record with its line number. Typed
helper columns (``longitude_deg``, ``latitude_deg``) are NaN where the text is not a number.
"""

from __future__ import annotations

import csv
from functools import cache

from ingestion.common.home import REPO_ROOT
from quality.rules import BLOCKING, FILE, WARNING, Expect, Rule, Suite

DATASET = "monitoring/air_stations"
# The export's columns (ingestion/monitoring/simulator.py REGISTRY_COLUMNS); all are needed to land a row.
REQUIRED_COLUMNS = ["station_code", "station_name_zh", "county_code", "mn", "pw", "longitude", "latitude",
                    "is_city_assessment", "commissioned_on"]
NOT_NULL = ["station_code", "county_code", "mn", "pw", "longitude", "latitude", "is_city_assessment",
            "commissioned_on"]
NUMBER_RE = r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$"
# Zhaotong lies within about 102.9-105.3 E, 26.9-28.7 N; the box leaves a margin for border stations.
AREA_BOX = {"longitude_deg": (102.5, 105.6), "latitude_deg": (26.5, 28.9)}
COUNTY_SEED = REPO_ROOT / "dbt_project" / "seeds" / "counties.csv"


@cache
def county_codes() -> list[str]:
    """The city's counties from the reference seed (the same rows dbt loads as ``counties``)."""
    with COUNTY_SEED.open(encoding="utf-8") as f:
        codes = sorted(r["area_code"] for r in csv.DictReader(f) if r["area_level"] == "county")
    if not codes:
        raise RuntimeError(f"no county rows in {COUNTY_SEED}")
    return codes


SUITE = Suite(
    dataset=DATASET,
    partitioned=False,
    landing_file="landing/monitoring/registry/air_stations.csv",
    description="Air station / device registry export: one row per station (MN, county, assessment flag).",
    rules=(
        Rule(
            code="bad_encoding", severity=BLOCKING, scope=FILE, acceptable=False,
            title="The file is UTF-8 text",
            why="A file that does not decode cannot be parsed at all; guessing the encoding would land "
                "garbled names and codes. The whole file is quarantined and the lake keeps the previous "
                "registry, so stations do not vanish downstream.",
            reason="{source_file} is not UTF-8 ({detail}){guess}. Ask the network operator to re-export "
                   "it as UTF-8{convert} and deliver it again",
        ),
        Rule(
            code="missing_column", severity=BLOCKING, acceptable=False,
            title="Every required column is present",
            why="Without a required column (county, MN, coordinates …) no row can be landed: the whole "
                "file is quarantined and the lake keeps the previous registry.",
            reason="{source_file} lacks required column(s) {missing_columns} (header: {header}); re-export "
                   "the registry with all of " + ", ".join(REQUIRED_COLUMNS),
            expectations=(Expect("ExpectTableColumnsToMatchSet",
                                 {"column_set": REQUIRED_COLUMNS, "exact_match": False}),),
        ),
        Rule(
            code="missing_value", severity=BLOCKING,
            title="Required fields are filled",
            why="A station without code, MN, password, county, coordinates, assessment flag or "
                "commissioning date cannot be attributed or authenticated.",
            reason="{column} is empty for station {station_code} (MN {mn}); fill it in the registry",
            expectations=tuple(Expect("ExpectColumnValuesToNotBeNull", {"column": c}) for c in NOT_NULL),
        ),
        Rule(
            code="unknown_county", severity=BLOCKING,
            title="The county code is one of the city's counties",
            why="Every county and city figure is built from the station → county mapping; a station in an "
                "unknown county would silently fall out of its county's values (and the dbt relationship "
                "test would fail the whole build).",
            reason="county_code {value} of station {station_code} is not a county of Zhaotong (530600); "
                   "correct it to one of the six-digit codes in dbt_project/seeds/counties.csv",
            expectations=(Expect("ExpectColumnValuesToBeInSet", {"column": "county_code",
                                                                  "value_set": county_codes()}),),
        ),
        Rule(
            code="unconvertible_value", severity=BLOCKING,
            title="Coordinates, flags and dates convert to their types",
            why="A value that does not convert to its type cannot be landed in the typed lake table.",
            reason="{column} '{value}' of station {station_code} does not convert (expected a decimal "
                   "number, true/false, or a YYYY-MM-DD date); correct the registry",
            expectations=(
                Expect("ExpectColumnValuesToMatchRegex", {"column": "longitude", "regex": NUMBER_RE}),
                Expect("ExpectColumnValuesToMatchRegex", {"column": "latitude", "regex": NUMBER_RE}),
                Expect("ExpectColumnValuesToBeInSet", {"column": "is_city_assessment",
                                                       "value_set": ["true", "false"]}),
                Expect("ExpectColumnValuesToMatchStrftimeFormat", {"column": "commissioned_on",
                                                                   "strftime_format": "%Y-%m-%d"}),
            ),
        ),
        Rule(
            code="duplicate_key", severity=BLOCKING,
            title="Station code and MN are unique",
            why="Two rows for one station or one device make every packet of that device ambiguous "
                "(which county, which station?); both rows are quarantined until the registry is fixed.",
            reason="{column} {value} appears on more than one row; keep one row per station and device",
            expectations=(Expect("ExpectColumnValuesToBeUnique", {"column": "station_code"}),
                          Expect("ExpectColumnValuesToBeUnique", {"column": "mn"})),
        ),
        Rule(
            code="outside_area", severity=WARNING,
            title="Coordinates lie in Zhaotong",
            why="Coordinates outside the city are usually swapped or mistyped, but they only place the "
                "station on a map: nothing is computed from them, so the row still lands.",
            reason="station {station_code} at ({longitude}, {latitude}) lies outside Zhaotong; check the "
                   "coordinates (swapped longitude/latitude?)",
            expectations=tuple(Expect("ExpectColumnValuesToBeBetween", {"column": c, "min_value": lo,
                                                                        "max_value": hi})
                               for c, (lo, hi) in AREA_BOX.items()),
        ),
    ),
)
