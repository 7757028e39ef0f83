"""Suite ``monitoring/air_hourly``: hourly air packets (HJ 212-2017, CN=2061), as received.

The batch is every decoded hourly packet of the run's landing files, before anything is
quarantined for quality (packets that fail framing, CRC or registry lookup never decode into a
row: they are quarantined by the loader under ``quarantine/hj212``). Besides the lake columns it
carries helper columns: ``partition_key``/``partition_date`` (the day of the landing file),
``data_date`` (the day of DataTime), ``seconds_past_hour`` (minutes and seconds of DataTime, in
seconds), ``station_code``/``county_code`` (from the registry) and ``<pollutant>_text`` (the value
as sent, only where it did not convert to a number).

A second frame, ``station_days``, has one row per registered station and partition day with the
number of hourly packets received (``packets``): the volume rule runs on it.
"""

from __future__ import annotations

from quality.rules import BLOCKING, NOW, STATION_DAYS, WARNING, Expect, Rule, Suite

DATASET = "monitoring/air_hourly"
POLLUTANTS = ["so2", "no2", "co", "o3", "pm10", "pm2_5"]
UNITS = {"co": "mg/m³"}
HJ212_FLAGS = list("NFMSDCTB")
REQUIRED_COLUMNS = ["load_id", "source_file", "line_no", "qn", "mn", "cn", "data_time", *POLLUTANTS,
                    *(f"{p}_flag" for p in POLLUTANTS)]
# Warn above these hourly means (CO in mg/m³, the others µg/m³). PM2.5 and CO as the issue sets them;
# the others at the top of the HJ 633-2012 scale (IAQI 500): SO2 24-h 2620, NO2 1-h 3840, O3 1-h 1200,
# and PM10 at 1500 (dust episodes reach 1000 in the north, never in Zhaotong).
OUTLIER_MAX = {"pm2_5": 1000, "pm10": 1500, "co": 50, "so2": 2620, "no2": 3840, "o3": 1200}
MIN_PACKETS_PER_DAY = 18

SUITE = Suite(
    dataset=DATASET,
    description="Hourly air-station values (CN=2061), one row per station-hour packet.",
    rules=(
        Rule(
            code="missing_column", severity=BLOCKING, acceptable=False,
            title="The parsed batch has every lake column",
            why="Guards the loader itself: a batch without a lake column cannot be written in the lake's "
                "schema, so every row of it is quarantined.",
            reason="the parsed batch lacks column(s) {missing_columns}: the loader and the lake schema "
                   "disagree (a code change, not a data problem)",
            expectations=(Expect("ExpectTableColumnsToMatchSet",
                                 {"column_set": REQUIRED_COLUMNS, "exact_match": False}),),
        ),
        Rule(
            code="future_timestamp", severity=BLOCKING,
            title="DataTime is not in the future",
            why="A measurement from the future is a device clock error; its hour would be counted on the "
                "wrong day and crowd out the real packet of that hour.",
            reason="DataTime {data_time} of {mn} ({station_code}) is after the check time {checked_at}: "
                   "the device clock is wrong; set it right (NTP) and have the hour resent",
            expectations=(Expect("ExpectColumnValuesToBeBetween", {"column": "data_time", "max_value": NOW}),),
        ),
        Rule(
            code="unaligned_hour", severity=BLOCKING,
            title="DataTime is the start of an hour",
            why="An hourly mean (CN=2061) is labelled by the start of its hour (mm:ss = 00:00); any other "
                "time cannot be placed in the hourly series and would sit beside the real hour.",
            reason="DataTime {data_time} of {mn} ({station_code}) is not on the hour: an hourly packet must be "
                   "stamped HH:00:00; check the device's upload settings",
            expectations=(Expect("ExpectColumnValuesToBeBetween",
                                 {"column": "seconds_past_hour", "min_value": 0, "max_value": 0}),),
        ),
        Rule(
            code="outside_partition", severity=BLOCKING,
            title="DataTime falls on the day of the landing file",
            why="Each day is loaded (and re-loaded) as one partition; a row of another day would be "
                "replaced or doubled when either day is re-processed.",
            reason="DataTime {data_time} of {mn} ({station_code}) is not on {partition_key}, the day of "
                   "the landing file: the receiver filed the packet under the wrong day or the device "
                   "clock is off",
            expectations=(Expect("ExpectColumnPairValuesToBeEqual",
                                 {"column_A": "data_date", "column_B": "partition_date"}),),
        ),
        Rule(
            code="unconvertible_value", severity=BLOCKING,
            title="Every value converts to a number",
            why="A value that is not a number (text, a unit suffix, NaN) cannot be averaged; landing "
                "the packet without it would hide that the device sends garbage.",
            reason="{column} '{value}' from {mn} ({station_code}) at {data_time} is not a number: fix the "
                   "device's data format and have the hour resent",
            expectations=tuple(Expect("ExpectColumnValuesToBeNull", {"column": f"{p}_text"}) for p in POLLUTANTS),
        ),
        Rule(
            code="invalid_flag", severity=BLOCKING,
            title="Data flags are HJ 212 flags",
            why="Validity rests on the flag (only N counts, HJ 212-2017); a flag outside N F M S D C T B "
                "cannot be interpreted as valid or invalid.",
            reason="{column} '{value}' from {mn} ({station_code}) at {data_time} is not an HJ 212 data "
                   "flag (N F M S D C T B): fix the device configuration",
            expectations=tuple(Expect("ExpectColumnValuesToBeInSet", {"column": f"{p}_flag",
                                                                      "value_set": HJ212_FLAGS})
                               for p in POLLUTANTS),
        ),
        Rule(
            code="negative_concentration", severity=BLOCKING,
            title="Concentrations are not negative",
            why="A concentration cannot be below zero; a negative hourly mean comes from a zero-calibration "
                "drift or a sign error, and would pull daily means and the AQI down.",
            reason="{column} = {value} from {mn} ({station_code}) at {data_time} is negative: check the "
                   "analyser's zero calibration and have the hour resent, or accept it "
                   "(`zteco quality accept`) if the value cannot be corrected",
            expectations=tuple(Expect("ExpectColumnValuesToBeBetween", {"column": p, "min_value": 0})
                               for p in POLLUTANTS),
        ),
        Rule(
            code="duplicate_key", severity=BLOCKING,
            title="One packet per station and hour",
            why="Two different packets for the same station-hour (a resend with other values, or two "
                "devices sharing an MN) leave no way to tell which is right: both are quarantined until "
                "the source says which one stands. Byte-identical resends are not violations: the loader "
                "counts them as duplicates.",
            reason="{mn} ({station_code}) sent {data_time} more than once with different values: find out "
                   "which packet is right at the source",
            expectations=(Expect("ExpectCompoundColumnsToBeUnique", {"column_list": ["mn", "data_time"]}),),
        ),
        Rule(
            code="outlier", severity=WARNING,
            title="Values are physically plausible",
            why="Values beyond these limits are more often unit or decimal errors than air, but real "
                "extreme episodes (fires, dust) exist and must not be hidden: warn, land the value.",
            reason="{column} = {value} from {mn} ({station_code}) at {data_time} is above {max_value}: check "
                   "the analyser's units and range, and the station's neighbours that hour",
            expectations=tuple(Expect("ExpectColumnValuesToBeBetween", {"column": p, "max_value": limit})
                               for p, limit in OUTLIER_MAX.items()),
        ),
        Rule(
            code="low_volume", severity=WARNING, scope=STATION_DAYS,
            title=f"At least {MIN_PACKETS_PER_DAY} hourly packets per station and day",
            why="A station with fewer than 18 of 24 hours fails the HJ 663 daily validity (20 h) for that "
                "day anyway; the packets it did send are fine, so warn (outage, network) and load them.",
            reason="{station_code} ({mn}) sent {packets} hourly packets on {partition_key} (24 expected): "
                   "check the station's power and network log",
            expectations=(Expect("ExpectColumnValuesToBeBetween",
                                 {"column": "packets", "min_value": MIN_PACKETS_PER_DAY}),),
        ),
    ),
)
