"""`zteco evaluate` on the small world of the `pipeline_home` fixture (2020-2021): the extract's files,
its workbook and PDF, the as-of freezing and the diff against today's warehouse.

Freezing: the solid-waste platform is pulled monthly in the world (fetched_at = the pull's clock), so an
annual 2021 extract as of 2021-06-30 must not see the record versions of the later pulls (manifests received
in the second half, corrected reports): its solid-waste figures differ from today's and nothing else does
(the other sources have no arrival time, see evaluation/extract.py), a re-run writes the same workbook
bytes although the lake holds the later versions, and the diff names the later loads and the arrival after
the as-of time as the reason of every change.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
from pathlib import Path

import duckdb
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from openpyxl import load_workbook
from pngutil import write_png

from tests.conftest import REPO, run_zteco

pytestmark = pytest.mark.integration

REGISTRY = REPO / "dbt_project" / "seeds" / "indicator_registry.csv"
EARLY = "2021-06-30"  # mid-year: the platform pulls of July-December come later


def registry() -> dict[str, dict]:
    with REGISTRY.open(encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def annual(pipeline_home: Path) -> Path:
    run_zteco(pipeline_home, "evaluate", "--kind", "annual", "--year", "2021")
    return pipeline_home / "extracts" / "annual-2021-12-31"


@pytest.fixture(scope="module")
def early(pipeline_home: Path) -> Path:
    run_zteco(pipeline_home, "evaluate", "--kind", "annual", "--year", "2021", "--as-of", EARLY)
    return pipeline_home / "extracts" / f"annual-{EARLY}"


def test_progress_mart_has_every_indicator_and_area(pipeline_home: Path):
    reg = registry()
    con = duckdb.connect(str(pipeline_home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select indicator_code, area_code, value, status, status_zh, missing_reason_code "
            "from main.fct_indicator_progress where year = 2021"
        ).fetchall()
        values = dict(
            ((c, a), v)
            for c, a, v in con.execute(
                "select indicator_code, area_code, value from main.fct_indicator_values "
                "where period_start = date '2021-01-01'"
            ).fetchall()
        )
    finally:
        con.close()
    with (REPO / "dbt_project" / "seeds" / "counties.csv").open(encoding="utf-8") as f:
        areas = {r["area_code"]: r["area_level"] for r in csv.DictReader(f)}
    expected = {
        (c, a)
        for c, r in reg.items()
        for a, level in areas.items()
        if level == "city" or "county" in r["areas"]
    }
    assert {(c, a) for c, a, *_ in rows} == expected
    for code, area, value, status, status_zh, reason in rows:
        assert status_zh
        assert value == values[(code, area)]  # the value is fct_indicator_values', never filled
        if value is None:
            assert status == "no_data" and reason, (code, area)


def test_extract_files_and_manifest(annual: Path):
    assert sorted(p.name for p in annual.iterdir()) == ["evaluation.pdf", "evaluation.xlsx", "manifest.json"]
    m = json.loads((annual / "manifest.json").read_text(encoding="utf-8"))
    assert m["kind"] == "annual" and m["assessment_year"] == 2021 and m["as_of"] == "2021-12-31 23:59:59"
    for name in ("evaluation.xlsx", "evaluation.pdf"):
        assert m["outputs"][name] == "sha256:" + sha(annual / name)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    assert m["code_version"].startswith(head)
    assert m["registry_version"] == "sha256:" + sha(REGISTRY)
    assert any(x.startswith("solidwaste:") for x in m["load_ids"])
    assert any(x.startswith("monitoring.hj212") for x in m["load_ids"])
    assert "HJ 663-2013" in " ".join(m["method_versions"])
    assert m["figures"] == sum(12 if "county" in r["areas"] else 1 for r in registry().values())


def test_workbook_has_every_indicator_in_chinese(annual: Path):
    wb = load_workbook(annual / "evaluation.xlsx", read_only=True)
    assert wb.sheetnames == ["摘要", "指标", "分区县", "数据质量与完整性", "方法说明"]
    wb.close()
    reg = registry()
    city = sheet_rows(annual / "evaluation.xlsx", "指标")
    assert {r["指标代码"] for r in city} == set(reg)
    for r in city:
        assert r["指标名称"] == reg[r["指标代码"]]["name_zh"]
        assert r["目标值"] == pytest.approx(float(reg[r["指标代码"]]["target_2025"]))
        assert r["综合评价"]
        if r["status"] == "no_data":
            assert r["当年值"] is None and r["缺失原因"]  # never zero-filled
    counties = sheet_rows(annual / "evaluation.xlsx", "分区县")
    assert len({r["地区代码"] for r in counties}) == 11
    pm = sorted(
        (r for r in counties if r["指标代码"] == "AIR_PM25_MEAN" and r["当年值"] is not None),
        key=lambda r: r["区县排名"],
    )
    assert pm and [r["区县排名"] for r in pm][0] == 1
    assert all(a["当年值"] <= b["当年值"] for a, b in zip(pm, pm[1:], strict=False))  # lower is better
    quality = sheet_rows(annual / "evaluation.xlsx", "数据质量与完整性")
    assert {r["指标代码"] for r in quality} == set(reg)


def test_pdf_renders_chinese_with_embedded_fonts(annual: Path, tmp_path: Path):
    pdf = pdfium.PdfDocument(str(annual / "evaluation.pdf"))
    page = pdf[0]
    # every text object of page 1 uses an embedded font (Chromium embeds subsets of Noto Sans CJK)
    fonts = []
    for i in range(pdfium_raw.FPDFPage_CountObjects(page)):
        obj = pdfium_raw.FPDFPage_GetObject(page, i)
        if pdfium_raw.FPDFPageObj_GetType(obj) == pdfium_raw.FPDF_PAGEOBJ_TEXT:
            fonts.append(pdfium_raw.FPDFTextObj_GetFont(obj))
    assert fonts and all(pdfium_raw.FPDFFont_GetIsEmbedded(f) for f in fonts)
    bitmap = page.render(scale=1.0)
    pixels = bitmap.to_numpy()[:, :, :3]
    write_png(tmp_path / "page1.png", pixels)
    assert (tmp_path / "page1.png").stat().st_size > 1000
    ink = (pixels.min(axis=2) < 128).mean()
    assert 0.005 < ink < 0.5, ink  # text and charts, neither blank nor a black page
    # table cells wrap long names: compare without white space
    text = re.sub(r"\s", "", "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    pdf.close()
    assert "年度调度报告" in text
    for code, r in registry().items():
        assert re.sub(r"\s", "", r["name_zh"]) in text, code


def test_rerun_gives_identical_workbook(pipeline_home: Path, early: Path):
    before = sha(early / "evaluation.xlsx")
    manifest_before = json.loads((early / "manifest.json").read_text(encoding="utf-8"))
    run_zteco(pipeline_home, "evaluate", "--kind", "annual", "--year", "2021", "--as-of", EARLY)
    assert sha(early / "evaluation.xlsx") == before
    after = json.loads((early / "manifest.json").read_text(encoding="utf-8"))
    for key in ("load_ids", "as_of", "data_as_of_max", "registry_version", "figures", "figures_with_value"):
        assert after[key] == manifest_before[key]


def test_frozen_extract_does_not_see_later_pulls_and_the_diff_explains(pipeline_home: Path, early: Path):
    reg = registry()
    frozen = {
        (r["指标代码"], r["地区代码"]): r
        for r in sheet_rows(early / "evaluation.xlsx", "指标")
        + sheet_rows(early / "evaluation.xlsx", "分区县")
    }
    solid = [
        r
        for r in frozen.values()
        if reg[r["指标代码"]]["source_family"] == "solid_waste_platform" and r["数据截至"] is not None
    ]
    assert solid
    # nothing the extract used from the platform arrived after its as-of time
    assert all(str(r["数据截至"]) <= f"{EARLY} 23:59:59" for r in solid)
    # ... while today's warehouse has the later pulls
    con = duckdb.connect(str(pipeline_home / "warehouse.duckdb"), read_only=True)
    try:
        (later,) = con.execute(
            "select count(*) from staging.stg_solidwaste__manifests_history where fetched_at > ?",
            [f"{EARLY} 23:59:59"],
        ).fetchone()
    finally:
        con.close()
    assert later > 0

    proc = run_zteco(pipeline_home, "evaluate", "diff", str(early), check=False)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # figures changed since
    lines = proc.stdout.splitlines()
    changed = [i for i, line in enumerate(lines) if " -> " in line and ", status " in line]
    assert changed
    codes = {lines[i].split()[0] for i in changed}
    # only sources cut at the as-of time can differ: the platform (fetch time), the county forms (receipt
    # time), the air network and lab results (data time); the census is never cut
    families = {reg[c]["source_family"] for c in codes}
    assert "solid_waste_platform" in families and "census" not in families
    assert families <= {"solid_waste_platform", "county_forms", "monitoring"}, families
    # the air figures of 2021 as known in mid-year rest on the first half only
    assert "AIR_PM25_MEAN" in codes or "AIR_GOOD_DAYS_RATIO" in codes
    # ... and so do the surface-water and pollution-source figures (cut by their data time too)
    assert codes & {"WATER_SECTION_GOOD_RATIO", "WATER_AUTO_MONITORING_RATE", "DRINKING_WATER_COMPLIANCE",
                    "WATER_SECTION_BELOW_V_RATIO"}, codes
    assert codes & {"ONLINE_DATA_VALID_TRANSMISSION_RATE", "ONLINE_MONITORING_NETWORKED_RATE",
                    "EMISSION_COD_CHANGE", "EMISSION_NOX_CHANGE"}, codes
    assert "HW_MANIFEST_CLOSED_RATE" in codes
    # every change says why; for the platform: the later load, data that arrived after the as-of time
    for i in changed:
        reasons = []
        for line in lines[i + 1 :]:
            if not line.startswith("    because: "):
                break
            reasons.append(line)
        assert reasons, lines[i]
        code = lines[i].split()[0]
        if reg[code]["source_family"] == "solid_waste_platform":
            assert any("later load solidwaste:" in r for r in reasons), lines[i]
            assert any("solidwaste/" in r and "record version(s) fetched" in r for r in reasons), lines[i]
        if reg[code]["source_family"] == "solid_waste_platform" or code.startswith("AIR_"):
            assert any(f"after the extract's as-of {EARLY} 23:59:59" in r for r in reasons), lines[i]


def test_diff_of_an_up_to_date_extract_finds_no_platform_or_monitoring_change(
    pipeline_home: Path, annual: Path
):
    # as of the world's last day the extract saw every platform pull: nothing of the platform, the monitoring
    # networks, the lab files or the census may differ from today's warehouse (county forms received after
    # the year's end may, they are judged by their receipt time)
    reg = registry()
    proc = run_zteco(pipeline_home, "evaluate", "diff", str(annual), check=False)
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    changed = [line.split()[0] for line in proc.stdout.splitlines() if " -> " in line and ", status " in line]
    assert {reg[c]["source_family"] for c in changed} <= {"county_forms"}, proc.stdout[:3000]
    assert ("0 changed" in proc.stdout) == (proc.returncode == 0)


def test_extract_figures_match_the_world_ground_truth(pipeline_home: Path, annual: Path):
    # world/solidwaste_truth.csv: the medical waste generated and disposed per area in 2020 (the complete
    # year); the extract's 2020 baseline of MEDICAL_WASTE_DISPOSAL_RATE is disposed / generated in %, 1 decimal
    with (pipeline_home / "world" / "solidwaste_truth.csv").open(encoding="utf-8") as f:
        truth = {r["county_code"]: r for r in csv.DictReader(f) if r["year"] == "2020"}
    rows = sheet_rows(annual / "evaluation.xlsx", "指标") + sheet_rows(annual / "evaluation.xlsx", "分区县")
    checked = 0
    for r in rows:
        if r["指标代码"] != "MEDICAL_WASTE_DISPOSAL_RATE":
            continue
        t = truth[r["地区代码"]]
        generated, disposed = float(t["medical_generated_t"]), float(t["medical_disposed_t"])
        if generated > 0:
            assert r["基准值"] == pytest.approx(100 * disposed / generated, abs=0.051), r["地区代码"]
            checked += 1
        else:
            assert r["基准值"] is None  # no centre: no baseline, never 0
    assert checked >= 2
