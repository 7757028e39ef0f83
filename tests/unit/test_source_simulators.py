"""The census and permit simulators against their readers: every injected defect is found where the
world says it is, and every value reads back as the world wrote it."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from datetime import date
from pathlib import Path

import pytest

from ingestion.census import reader
from ingestion.census import simulator as census
from ingestion.common.home import Home
from ingestion.permits import loader
from ingestion.permits import simulator as permits
from ingestion.simulate.world import WorldConfig

CFG = WorldConfig(end=date(2021, 12, 31))


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Home:
    h = Home(tmp_path_factory.mktemp("sim")).ensure()
    census.generate(CFG, h)
    permits.generate(CFG, h)
    return h


@pytest.fixture(scope="module")
def census_read(home: Home) -> reader.ReadResult:
    return reader.read_delivery(home, home.landing / "census" / census.DELIVERY, "L")


def test_census_delivery_is_deterministic(home: Home, tmp_path: Path):
    other = Home(tmp_path).ensure()
    census.generate(CFG, other)
    for p in sorted((home.landing / "census" / census.DELIVERY).glob("*.xlsx")):
        q = other.landing / "census" / census.DELIVERY / p.name
        assert hashlib.md5(p.read_bytes()).digest() == hashlib.md5(q.read_bytes()).digest(), p.name


def test_census_defects_cover_every_kind(home: Home):
    kinds = {d["kind"] for d in rows(home.world / "census_defects.csv")}
    assert kinds >= {"credit_code_check_char", "credit_code_17_chars", "credit_code_letter_o", "duplicate_row",
                     "near_duplicate", "unreadable_number", "unknown_county", "number_as_text", "county_variant",
                     "industry_code_as_number", "wrong_permit_no"}


def test_every_census_defect_is_found_where_the_world_put_it(home: Home, census_read: reader.ReadResult):
    found: dict[tuple[str, int], list[reader.Issue]] = {}
    for i in census_read.issues:
        found.setdefault((i.sheet, i.row), []).append(i)
    loaded = {(r["sheet"], r["row_no"]) for t in reader.load_spec().tables for r in census_read.records(t)}
    expected_rule = {"credit_code_check_char": "invalid_credit_code", "credit_code_17_chars": "invalid_credit_code",
                     "credit_code_letter_o": "invalid_credit_code", "unreadable_number": "bad_number",
                     "unknown_county": "unknown_county", "duplicate_row": "duplicate_record",
                     "industry_code_as_number": "industry_code_padded"}
    for d in rows(home.world / "census_defects.csv"):
        where = (d["sheet"], int(d["row"]))
        issues = found.get(where, [])
        if d["expected"] in ("loaded", "loaded_flagged"):
            assert where in loaded, d
        else:
            assert where not in loaded, d
        if d["kind"] in expected_rule:
            assert expected_rule[d["kind"]] in {i.rule for i in issues}, (d, issues)
    quarantined = {(i.sheet, i.row) for i in census_read.issues if i.disposition == "quarantined"}
    assert quarantined == {(d["sheet"], int(d["row"])) for d in rows(home.world / "census_defects.csv")
                           if d["expected"] == "quarantined"}


def test_census_values_read_back_exactly(home: Home, census_read: reader.ReadResult):
    records = {r["source_record_id"]: r for t in reader.load_spec().tables for r in census_read.records(t)}
    checked = 0
    for t in rows(home.world / "census_truth.csv"):
        if t["expected"] not in ("loaded", "loaded_flagged"):
            assert t["source_record_id"] not in records
            continue
        rec = records[t["source_record_id"]]
        assert rec["county_code"] == t["county_code"]
        for k, v in json.loads(t["values"]).items():
            got = rec[k]
            assert (v is None and got is None) or math.isclose(v, got, rel_tol=1e-9, abs_tol=1e-6), (t, k, v, got)
            checked += 1
    assert checked > 2000


def test_every_permit_line_is_loaded_quarantined_or_a_duplicate(home: Home):
    (res,) = loader.load_permits(home, "P")
    truth = rows(home.world / "permits_truth.csv")
    assert res.file_load.received == len(truth) and res.file_load.balanced
    loaded = {r["line_no"]: r["source_record_id"] for r in res.rows}
    quarantined = {q["line_no"]: q["rule"] for q in res.quarantine}
    defects = {(int(d["line"]), d["kind"]) for d in rows(home.world / "permits_defects.csv")}
    for t in truth:
        line = int(t["line"])
        if t["expected"] == "loaded":
            assert loaded[line] == t["source_record_id"]
        elif t["expected"] == "duplicate":
            assert line in res.duplicate_lines
        else:
            assert (line, quarantined[line]) in defects
    blank = {line for line, kind in defects if kind == "blank_credit_code"}
    assert blank and all(r["credit_code"] is None and r["permit_credit_code"] for r in res.rows
                         if r["line_no"] in blank)
