"""Every rule a leader can see has its Chinese name in the seed quality_rule_labels (one vocabulary).

The 数据质量 dashboard (fct_quality_check_results, fct_quarantine_summary) and the county page
(fct_county_file_rejections) name a rule by the seed; a rule missing there would show its code.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from quality.suites import SUITES
from quality.suites.counties_submissions import REASON_ZH

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "quality_rule_labels.csv"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _labels() -> dict[str, dict]:
    with SEED.open(encoding="utf-8", newline="") as f:
        return {r["rule"]: r for r in csv.DictReader(f)}


def test_every_suite_rule_has_a_chinese_name_and_its_severity():
    labels = _labels()
    for suite in SUITES.values():
        for rule in suite.rules:
            assert rule.code in labels, f"{suite.dataset}: rule {rule.code} has no row in {SEED.name}"
            assert CJK.search(labels[rule.code]["rule_zh"]), rule.code
            assert labels[rule.code]["severity"] == rule.severity, rule.code


def test_every_county_file_outcome_has_a_chinese_name():
    # the intake's outcomes: each rule of its suite plus 'duplicate' (same bytes as an accepted file)
    labels = _labels()
    missing = sorted(set(REASON_ZH) - set(labels))
    assert not missing, f"county intake rules without a name in {SEED.name}: {missing}"
