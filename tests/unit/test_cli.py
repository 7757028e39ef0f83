"""The `zteco` console script as users call it (subprocess, stdin/stdout, exit codes)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

ZTECO = str(Path(sys.executable).parent / "zteco")
# The HJ 212-2017 example from DOMAIN.md: data segment length 0101, CRC 1C80.
SEGMENT = "QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
PACKET = f"##0101{SEGMENT}1C80\r\n"


def zteco(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([ZTECO, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_help_lists_the_operational_verbs():
    out = zteco("--help")
    assert out.returncode == 0
    for verb in ("world", "run", "publish", "serve", "hj212", "aqi"):
        assert f"  {verb} " in out.stdout


def test_hj212_decode_from_stdin_keeps_order_and_reports_bad_packets(tmp_path):
    bad_crc = PACKET.replace("1C80", "1C81")
    out = zteco("hj212", "decode", stdin=PACKET + "garbage\r\n" + bad_crc)
    assert out.returncode == 0
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [o["ok"] for o in objs] == [True, False, False]
    assert objs[0]["cn"] == "1062" and objs[0]["mn"] == "010000A8900016F000169DC0"
    assert objs[0]["cp"] == {"RtdInterval": "30"} and objs[0]["flag"] == 5
    assert "1C80" in objs[2]["error"] and "1C81" in objs[2]["error"]
    f = tmp_path / "p.txt"
    f.write_bytes(PACKET.encode())
    assert json.loads(zteco("hj212", "decode", str(f)).stdout)["qn"] == "20160801085857223"


def test_aqi_csv_round_trip():
    # PM2.5 24h 80 → 100 + (150-100)(80-75)/(115-75) = 106.25 → 107 (rounded up): 轻度污染, primary pm2_5
    src = "kind,pm2_5,pm10,so2,no2,co,o3,o3_8h\ndaily,80,100,10,20,0.8,120,100\nhourly,10,20,5,10,0.3,30,\n"
    out = zteco("aqi", stdin=src)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows[0]["aqi"] == "107" and rows[0]["primary_pollutant"] == "pm2_5" and rows[0]["category"] == "轻度污染"
    # hourly: PM10 20 → 20, PM2.5 10 → 10*50/35 = 14.3 → 15; O3 1h 30 → 30*50/160 = 9.4 → 10: AQI 20, no primary
    assert rows[1]["aqi"] == "20" and rows[1]["primary_pollutant"] == "" and rows[1]["category"] == "优"


def test_aqi_rejects_a_bad_number_with_its_row():
    out = zteco("aqi", stdin="pm2_5,pm10,so2,no2,co,o3\nabc,1,1,1,1,1\n")
    assert out.returncode != 0
    assert "pm2_5" in out.stderr and "2" in out.stderr
