"""The intake of the county drop folders against the world's truth: each bad-file kind handled as described,
nothing lost (received = accepted + rejected + duplicates), landing untouched, feedback reports in Chinese."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from ingestion.common.home import Home
from ingestion.counties import intake, world


def _truth(home: Home) -> dict[str, dict]:
    with (home.world / "county_files_truth.csv").open(encoding="utf-8") as f:
        return {r["path"]: r for r in csv.DictReader(f)}


def _files(run) -> dict[str, dict]:
    return {f["source_file"]: f for f in run.files}


def test_nothing_is_lost(county_intake) -> None:
    home, run = county_intake
    truth = _truth(home)
    assert set(_files(run)) == set(truth)
    assert len(run.files) == run.count("accepted") + run.count("rejected") + run.count("duplicate")
    assert all(fl.balanced and fl.received == 1 for fl in run.file_loads)
    # the lake holds one row per file of the run
    table = pq.read_table(intake.files_dir(home)).to_pylist()
    assert len(table) == len(truth)


def test_every_file_has_the_outcome_and_rule_of_the_truth(county_intake) -> None:
    home, run = county_intake
    got = _files(run)
    for path, t in _truth(home).items():
        assert (got[path]["outcome"], got[path]["rule"] or "") == (t["outcome"], t["rule"]), (path, t["kind"])


@pytest.mark.parametrize("kind", ["wrong_folder", "empty_file", "not_spreadsheet", "invalid_figures"])
def test_rejected_kinds_are_quarantined_with_a_reason(county_intake, kind) -> None:
    home, run = county_intake
    got = _files(run)
    bad = [p for p, t in _truth(home).items() if t["kind"] == kind and t["outcome"] == "rejected"]
    assert bad
    for path in bad:
        row = got[path]
        assert row["outcome"] == "rejected" and row["reason"] and row["reason_zh"]
        q = home.root / row["quarantine_path"]
        assert q.read_bytes() == (home.root / path).read_bytes()
        assert row["reason"] in q.with_name(q.name + ".reason.txt").read_text(encoding="utf-8")
        assert (home.root / path).exists()  # landing keeps it


def test_wrong_folder_is_attributed_to_the_county_in_the_file(county_intake) -> None:
    home, run = county_intake
    got = _files(run)
    for path, t in _truth(home).items():
        if t["kind"] == "wrong_folder" and t["outcome"] == "rejected":
            assert got[path]["folder_county"] == t["folder"] != t["county_code"]
            assert (
                got[path]["county_code"],
                got[path]["form_code"],
                got[path]["period_start"].isoformat(),
            ) == (t["county_code"], t["form_code"], t["period_start"])


def test_duplicate_upload_is_recognised_by_hash_and_not_loaded_twice(county_intake) -> None:
    home, run = county_intake
    got = _files(run)
    dups = [p for p, t in _truth(home).items() if t["outcome"] == "duplicate"]
    assert dups
    loaded = {f["source_file"] for f in run.figures}
    for path in dups:
        row = got[path]
        original = got[row["duplicate_of"]]
        assert (
            original["sha256"] == row["sha256"] == hashlib.sha256((home.root / path).read_bytes()).hexdigest()
        )
        assert original["outcome"] == "accepted" and path not in loaded


@pytest.mark.parametrize(
    "kind", ["resubmission", "sheet_renamed", "unit_changed", "county_alias", "old_template", "late", ""]
)
def test_accepted_files_give_the_true_figures(county_intake, kind) -> None:
    """Figures in the template's unit (after 万元/元, t/kg, 亩/公顷 conversion), county normalised."""
    home, run = county_intake
    figures: dict[str, dict[str, float]] = {}
    for f in run.figures:
        figures.setdefault(f["source_file"], {})[f["figure_code"]] = f["value"]
    got = _files(run)
    checked = 0
    for path, t in _truth(home).items():
        if t["kind"] != kind or t["outcome"] != "accepted":
            continue
        expected = json.loads(t["figures"])
        assert figures[path] == pytest.approx(expected, rel=1e-9, abs=1e-6), path
        assert got[path]["county_code"] == t["county_code"] and got[path]["form_code"] == t["form_code"]
        assert got[path]["period_start"].isoformat() == t["period_start"]
        checked += 1
    assert checked


def test_warnings_and_detection(county_intake) -> None:
    home, run = county_intake
    got = _files(run)
    truth = _truth(home)
    for path, t in truth.items():
        row = got[path]
        if t["kind"] == "sheet_renamed":
            assert row["sheet"] == "Sheet1" and "sheet_renamed" in row["warnings"]
        if t["kind"] == "old_template":
            assert row["template_version"] == "v1" and "old_template" in row["warnings"]
        if t["kind"] == "unit_changed":
            raw_units = {f["raw_unit"] for f in run.figures if f["source_file"] == path}
            assert raw_units & {"公顷", "元", "kg", "t"}
    encodings = {row["encoding"] for row in got.values() if row["file_format"] == "csv"}
    assert encodings == {"utf-8", "gbk"}
    assert {row["template_version"] for row in got.values() if row["outcome"] == "accepted"} == {"v1", "v2"}


def test_landing_is_not_modified(county_intake) -> None:
    home, run = county_intake
    for row in run.files:
        p = home.root / row["source_file"]
        assert hashlib.sha256(p.read_bytes()).hexdigest() == row["sha256"]
        assert world.from_epoch(p.stat().st_mtime) == row["received_at"]


def test_feedback_report_per_county_in_chinese(county_intake) -> None:
    home, run = county_intake
    assert len(run.reports) == 11
    got = _files(run)
    for report in run.reports:
        county = report.parent.name
        text = report.read_text(encoding="utf-8")
        mine = [r for r in got.values() if r["folder_county"] == county]
        assert "报表接收反馈" in text and f"本批次收到文件 {len(mine)} 个" in text
        for r in mine:
            assert r["file_name"] in text
            if r["outcome"] == "rejected":
                line = next(x for x in text.splitlines() if x.startswith(f"| {r['file_name']} |"))
                assert r["reason_zh"] in line


def test_a_second_intake_takes_only_new_files(county_intake, tmp_path) -> None:
    home, run = county_intake
    other = Home(tmp_path / "home").ensure()
    # a copy of the landing and lake, then one new upload (and a re-upload of accepted bytes)
    import shutil

    shutil.copytree(home.landing, other.landing, dirs_exist_ok=True, copy_function=shutil.copy2)
    shutil.copytree(home.lake, other.lake, dirs_exist_ok=True)
    accepted = next(r for r in run.files if r["outcome"] == "accepted")
    src = home.root / accepted["source_file"]
    again = other.root / accepted["source_file"].replace(src.name, "again-" + src.name)
    again.write_bytes(src.read_bytes())
    t = datetime(2022, 1, 3, 9, 30)
    os.utime(again, (world.to_epoch(t), world.to_epoch(t)))
    second = intake.intake(other, "counties.submissions:all:20220103T000000:test0002")
    assert [r["source_file"] for r in second.files] == [again.relative_to(other.root).as_posix()]
    assert second.files[0]["outcome"] == "duplicate" and second.files[0]["received_at"] == t
    assert second.files[0]["duplicate_of"] == accepted["source_file"]
    assert len(second.reports) == 1
    assert intake.intake(other, "counties.submissions:all:20220104T000000:test0003").files == []


def test_rule_outcomes_reach_the_quality_layer(county_intake) -> None:
    """Each rejected file is one failed result of its rule (blocking) in lake/quality/results, each warning
    of an accepted file one failed warning; accepted files pass every other rule. Duplicates are not checked
    again. The truth gives the expected counts."""
    home, run = county_intake
    truth = _truth(home)
    results = pq.read_table(run.quality_results).to_pylist()
    assert {r["dataset"] for r in results} == {"counties/submissions"}
    failed = [r for r in results if not r["success"]]
    rejected = [t for t in truth.values() if t["outcome"] == "rejected"]
    expected_rules = sorted(t["rule"] for t in rejected)
    got_blocking = sorted(r["rule"] for r in failed if r["severity"] == "blocking")
    assert got_blocking == expected_rules
    accepted = [f for f in run.files if f["outcome"] == "accepted"]
    warnings = sorted(w for f in accepted for w in (f["warnings"] or "").split(";") if w)
    assert sorted(r["rule"] for r in failed if r["severity"] == "warning") == warnings
    n_rules = len({r["rule"] for r in results})
    assert len(results) == len(rejected) + len(accepted) * n_rules
    # per county: the rejected file's county (the folder's) or the accepted form's county
    assert all(r["county_code"] for r in results if r["success"])
