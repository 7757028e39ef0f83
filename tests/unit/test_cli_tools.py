"""The stream tools behind `zteco hj212 decode` and `zteco aqi`, on literal inputs."""

from __future__ import annotations

import io
import json

import pytest

from ingestion.hj212.tools import decode_stream
from ingestion.standards.hj633 import aqi_csv_stream

# DOMAIN.md §4 test vector (length 0101, CRC 1C80)
VECTOR = (
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&1C80"
)
# An air hourly packet; its length (0159) and CRC (3180) were computed with the bitwise algorithm of DOMAIN.md.
AIR = (
    "##0159QN=20200101010005000;ST=22;CN=2061;PW=123456;MN=88888880000001;Flag=4;"
    "CP=&&DataTime=20200101000000;a34004-Avg=25.0,a34004-Flag=N;a21026-Avg=7.0,a21026-Flag=N&&3180"
)

VECTOR_RECORD = {
    "ok": True, "error": None, "rule": None,
    "qn": "20160801085857223", "st": "32", "cn": "1062", "pw": "100000",
    "mn": "010000A8900016F000169DC0", "flag": 5, "cp": {"RtdInterval": "30"},
}


def _decode(text_lines: list[str]) -> list[dict]:
    out = io.StringIO()
    decode_stream(text_lines, out)
    text = out.getvalue()
    assert text.endswith("\n") or text == ""
    return [json.loads(line) for line in text.splitlines()]


def test_decode_stream_terminators_and_order() -> None:
    records = _decode([VECTOR + "\r\n", VECTOR + "\n", VECTOR, AIR + "\r\n"])
    assert records[:3] == [VECTOR_RECORD] * 3
    assert records[3] == {
        "ok": True, "error": None, "rule": None,
        "qn": "20200101010005000", "st": "22", "cn": "2061", "pw": "123456", "mn": "88888880000001",
        "flag": 4,
        "cp": {"DataTime": "20200101000000", "a34004-Avg": "25.0", "a34004-Flag": "N",
               "a21026-Avg": "7.0", "a21026-Flag": "N"},
    }
    assert list(records[3]["cp"]) == ["DataTime", "a34004-Avg", "a34004-Flag", "a21026-Avg", "a21026-Flag"]


def test_decode_stream_reads_a_text_file_object() -> None:
    # sys.stdin in text mode turns CR LF into LF; iterating the file gives lines with '\n'
    records = _decode(io.StringIO(VECTOR + "\r\n" + AIR + "\r\n", newline=None))
    assert [r["qn"] for r in records] == ["20160801085857223", "20200101010005000"]


def test_decode_stream_reports_garbage_and_skips_only_empty_lines() -> None:
    lines = [
        "\n",
        VECTOR.replace("1C80", "1C81") + "\r\n",
        "",
        "乱码 garbage\n",
        "   \n",
        VECTOR[:50] + "\r\n",
        "\r\n",
        VECTOR + "\r\n",
    ]
    out = io.StringIO()
    decode_stream(lines, out)
    text = out.getvalue()
    assert "乱码" in text and "\\u" not in text  # ensure_ascii=False: Chinese stays readable
    records = [json.loads(line) for line in text.splitlines()]
    assert [(r["ok"], r["rule"]) for r in records] == [
        (False, "crc_mismatch"), (False, "bad_frame"), (False, "bad_frame"), (False, "bad_length"), (True, None),
    ]
    assert records[0]["error"] == (
        "CRC mismatch: packet says 1C81, data segment gives 1C80; the data segment was altered in "
        "transit or the sender uses another CRC (e.g. CRC-16/MODBUS)"
    )
    # the reason quotes the first 12 bytes of the line: 乱码 is 6 bytes in UTF-8
    assert records[1]["error"] == "packet does not start with '##' (it starts with '乱码 garba')"
    failed = records[0]
    assert {k: failed[k] for k in ("qn", "st", "cn", "pw", "mn", "flag", "cp")} == dict.fromkeys(
        ("qn", "st", "cn", "pw", "mn", "flag", "cp"))
    assert records[4] == VECTOR_RECORD


def test_decode_stream_empty_input() -> None:
    assert _decode([]) == []


# ------------------------------------------------------------------------------ zteco aqi

AQI_INPUT = """station,pm2_5,pm10,so2,no2,co,o3
A,80,100,10,250,0.8,170
B,75,150,,20,,
C,35,50,5,10,0.2,60
D,,,,,,
E,10,20,900,10,0.5,20
"""

# A: pm2_5 100+50*5/40=106.25->107; pm10 50+50*50/100=75; so2 50*10/150=3.33->4;
#    no2 100+50*50/500=105; co 50*0.8/5=8; o3 50+50*10/40=62.5->63  => 107, pm2_5, 轻度污染
# B: pm2_5 75->100, pm10 150->100, no2 50*20/100=10             => 100, tie pm10,pm2_5, 良
# C: pm2_5 35->50, pm10 50->50, so2 50*5/150=1.67->2, no2 5, co 2, o3 50*60/160=18.75->19 => 50, none, 优
# D: nothing                                                      => empty
# E: so2 1h 900 > 800 -> 24h table: 200+100*100/800=212.5->213; pm2_5 50*10/35=14.29->15;
#    pm10 20; no2 5; co 5; o3 50*20/160=6.25->7                     => 213, so2, 重度污染
AQI_OUTPUT = """station,pm2_5,pm10,so2,no2,co,o3,iaqi_pm2_5,iaqi_pm10,iaqi_so2,iaqi_no2,iaqi_co,iaqi_o3,aqi,primary_pollutant,category
A,80,100,10,250,0.8,170,107,75,4,105,8,63,107,pm2_5,轻度污染
B,75,150,,20,,,100,100,,10,,,100,"pm10,pm2_5",良
C,35,50,5,10,0.2,60,50,50,2,5,2,19,50,,优
D,,,,,,,,,,,,,,,
E,10,20,900,10,0.5,20,15,20,213,5,5,7,213,so2,重度污染
"""


def _aqi(text: str) -> str:
    out = io.StringIO()
    aqi_csv_stream(io.StringIO(text, newline=""), out)
    return out.getvalue()


def test_aqi_csv_stream_hourly() -> None:
    assert _aqi(AQI_INPUT) == AQI_OUTPUT


def test_aqi_csv_stream_daily_kind_and_o3_8h() -> None:
    text = "kind,pm2_5,o3,o3_8h\ndaily,20,100,170\nhourly,20,100,170\n,20,100,170\ndaily,20,850,850\n"
    # daily row 1: pm2_5 50*20/35=28.57->29; o3 1h 50*100/160=31.25->32;
    #   o3_8h 100+50*(170-160)/(215-160)=109.09->110                     => 110, o3_8h, 轻度污染
    # hourly rows (explicit and default): o3_8h gets no IAQI; AQI = max(29, 32) = 32, 优
    # daily row 4: o3_8h 850 > 800 -> none; o3 1h 300+100*50/200=325 => 325, o3, 严重污染
    assert _aqi(text) == (
        "kind,pm2_5,o3,o3_8h,iaqi_pm2_5,iaqi_o3,iaqi_o3_8h,aqi,primary_pollutant,category\n"
        "daily,20,100,170,29,32,110,110,o3_8h,轻度污染\n"
        "hourly,20,100,170,29,32,,32,,优\n"
        ",20,100,170,29,32,,32,,优\n"
        "daily,20,850,850,29,325,,325,o3,严重污染\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pm2_5,pm10\n10,20\n12,abc\n", "data row 2 (line 3), column pm10: 'abc' is not a number"),
        ("pm2_5,pm10\n10,-5\n", "data row 1 (line 2), column pm10: concentration -5 is negative"),
        ("pm2_5,pm10\nnan,5\n", "data row 1 (line 2), column pm2_5: 'nan' is not a finite number"),
        ("pm2_5,kind\n10,weekly\n", "data row 1 (line 2), column kind: 'weekly'"),
        ("pm2_5,pm10\n10\n", "data row 1 (line 2): 1 fields, the header has 2"),
        ("station,name\nA,B\n", "none of the pollutant columns"),
        ("pm2_5,aqi\n10,20\n", "already has output column(s) aqi"),
        ("", "input is empty"),
    ],
)
def test_aqi_csv_stream_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        _aqi(text)
    assert message in str(info.value)
