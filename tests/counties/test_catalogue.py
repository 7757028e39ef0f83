"""The forms catalogue (seeds read by Python): periods, deadlines, mid-period introductions, period parsing."""

from __future__ import annotations

from datetime import date

import pytest

from ingestion.counties import catalogue as cat


def test_every_form_has_a_v1_and_a_v2_template_and_the_domain_forms_are_there() -> None:
    forms = cat.forms()
    assert len(forms) == 12
    for code in forms:
        versions = {t.version for t in cat.templates() if t.form_code == code}
        assert versions == {"v1", "v2"}, code
    # every indicator of ../shared/indicators.csv with source_family county_forms is fed by a form, except the
    # two reporting rates computed from the submissions themselves
    fed = {i for f in forms.values() for i in f.indicator_codes}
    assert len(fed) == 15


def test_mid_period_introductions_hand_worked() -> None:
    forms = cat.forms()
    # 医疗废物 introduced 2020-08-15 (monthly): August (in progress) to December = 5 months
    assert cat.expected_periods(forms["MEDICAL_WASTE"], 2020) == [date(2020, m, 1) for m in range(8, 13)]
    # 重点工程 introduced 2021-05-20 (quarterly): Q2, Q3, Q4 of 2021, nothing in 2020
    assert cat.expected_periods(forms["KEY_PROJECTS"], 2020) == []
    assert cat.expected_periods(forms["KEY_PROJECTS"], 2021) == [
        date(2021, 4, 1),
        date(2021, 7, 1),
        date(2021, 10, 1),
    ]
    # 责任清单 introduced 2021-07-01 (annual): the 2021 report is due, 2020 is not
    assert cat.expected_periods(forms["RESPONSIBILITY_LIST"], 2020) == []
    assert cat.expected_periods(forms["RESPONSIBILITY_LIST"], 2021) == [date(2021, 1, 1)]


def test_deadlines_are_days_after_the_period_end() -> None:
    forms = cat.forms()
    assert cat.deadline(forms["RECTIFICATION"], date(2020, 2, 1)) == date(2020, 3, 10)  # 29 Feb + 10
    assert cat.deadline(forms["RAD_SOURCES"], date(2021, 10, 1)) == date(2022, 1, 15)
    assert cat.deadline(forms["SOIL_SAFE_USE"], date(2021, 1, 1)) == date(2022, 1, 31)


@pytest.mark.parametrize(
    ("text", "ptype", "start"),
    [
        ("2021年3月", "monthly", date(2021, 3, 1)),
        ("2020-03", "monthly", date(2020, 3, 1)),
        ("2021年第2季度", "quarterly", date(2021, 4, 1)),
        ("2020Q4", "quarterly", date(2020, 10, 1)),
        ("2021年第三季度", "quarterly", date(2021, 7, 1)),
        ("2021年度", "annual", date(2021, 1, 1)),
        ("2020", "annual", date(2020, 1, 1)),
        ("2021年13月", "monthly", None),
        ("2021年第1季度", "monthly", None),
    ],
)
def test_period_parsing(text, ptype, start) -> None:
    assert cat.parse_period(text, ptype) == start
