"""The county forms catalogue, read from the dbt seeds (one source of truth for Python and SQL).

- ``dbt_project/seeds/county_forms.csv``: form code, Chinese title, period type (monthly, quarterly,
  annual), deadline in days after the period ends, introduced_on / retired_on, the indicators it feeds
  and the sheet name of its workbook;
- ``dbt_project/seeds/county_form_templates.csv``: one row per column of each template version (v1 of
  2020, v2 from 2021): Chinese header, the field it fills, the unit, and ``not_above`` (a part that
  cannot exceed its total).

Periods: a form is expected for every period that ends on or after ``introduced_on`` (the period in
progress when a form is introduced is reported) and starts before ``retired_on``. The deadline is
the last day to submit: ``period_end + deadline_days``; a file is on time when it arrives before
the end of that day. The same rules are written in SQL (int_county_submissions_expected.sql).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from ingestion.common.home import REPO_ROOT

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
# Alternative units a county may write in a header → (canonical unit, factor to multiply by).
UNIT_CONVERSIONS = {
    ("公顷", "亩"): 15.0,
    ("元", "万元"): 0.0001,
    ("kg", "t"): 0.001,
    ("千克", "t"): 0.001,
    ("吨", "t"): 1.0,
    ("t", "kg"): 1000.0,
    ("吨", "kg"): 1000.0,
    ("千克", "kg"): 1.0,
}


@dataclass(frozen=True)
class Form:
    form_code: str
    title_zh: str
    period_type: str  # monthly | quarterly | annual
    deadline_days: int
    introduced_on: date
    retired_on: date | None
    indicator_codes: tuple[str, ...]
    sheet_name: str


@dataclass(frozen=True)
class Column:
    column_no: int
    header_zh: str
    field: str  # county | period | a figure code
    unit: str
    not_above: str


@dataclass(frozen=True)
class Template:
    form_code: str
    version: str
    valid_from: date
    columns: tuple[Column, ...]

    @property
    def figures(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.field not in ("county", "period"))

    def header_labels(self) -> list[str]:
        return [c.header_zh + (f"({c.unit})" if c.unit else "") for c in self.columns]


@lru_cache(maxsize=2)
def forms(seeds: Path = SEEDS) -> dict[str, Form]:
    with (seeds / "county_forms.csv").open(encoding="utf-8") as f:
        return {
            r["form_code"]: Form(
                r["form_code"],
                r["title_zh"],
                r["period_type"],
                int(r["deadline_days"]),
                date.fromisoformat(r["introduced_on"]),
                date.fromisoformat(r["retired_on"]) if r["retired_on"] else None,
                tuple(x for x in r["indicator_codes"].split(";") if x),
                r["sheet_name"],
            )
            for r in csv.DictReader(f)
        }


@lru_cache(maxsize=2)
def templates(seeds: Path = SEEDS) -> list[Template]:
    cols: dict[tuple[str, str, date], list[Column]] = {}
    with (seeds / "county_form_templates.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = (r["form_code"], r["template_version"], date.fromisoformat(r["valid_from"]))
            cols.setdefault(key, []).append(
                Column(int(r["column_no"]), r["header_zh"], r["field"], r["unit"], r["not_above"])
            )
    return [Template(k[0], k[1], k[2], tuple(sorted(v, key=lambda c: c.column_no))) for k, v in cols.items()]


def template(form_code: str, version: str) -> Template:
    return next(t for t in templates() if t.form_code == form_code and t.version == version)


def current_template(form_code: str, on: date) -> Template:
    """The newest template version valid on a date (what the city sends out to the counties)."""
    valid = [t for t in templates() if t.form_code == form_code and t.valid_from <= on]
    return max(valid, key=lambda t: t.valid_from)


# ---------------------------------------------------------------- periods


def period_end(period_type: str, start: date) -> date:
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[period_type]
    m = start.month - 1 + months
    return date(start.year + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def period_starts(period_type: str, year: int) -> list[date]:
    step = {"monthly": 1, "quarterly": 3, "annual": 12}[period_type]
    return [date(year, m, 1) for m in range(1, 13, step)]


def expected_periods(form: Form, year: int) -> list[date]:
    """Period starts of a year the form is expected for (see the module docstring)."""
    return [
        s
        for s in period_starts(form.period_type, year)
        if period_end(form.period_type, s) >= form.introduced_on
        and (form.retired_on is None or s < form.retired_on)
    ]


def deadline(form: Form, start: date) -> date:
    return period_end(form.period_type, start) + timedelta(days=form.deadline_days)


def period_label(period_type: str, start: date) -> str:
    """How the period is written in a form (v2 wording)."""
    if period_type == "monthly":
        return f"{start.year}年{start.month}月"
    if period_type == "quarterly":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年度"


def period_label_v1(period_type: str, start: date) -> str:
    """How the 2020 template wrote it: 2020-03, 2020Q1, 2020."""
    if period_type == "monthly":
        return f"{start.year}-{start.month:02d}"
    if period_type == "quarterly":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}"


_QUARTER_ZH = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: str, period_type: str) -> date | None:
    """The period start written in a form (either wording), or None when it is not one of the type."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    if period_type == "monthly":
        m = re.fullmatch(r"(\d{4})(?:年|-|/|\.)(\d{1,2})月?(?:份)?", t)
        if m and 1 <= int(m[2]) <= 12:
            return date(int(m[1]), int(m[2]), 1)
    elif period_type == "quarterly":
        m = re.fullmatch(r"(\d{4})(?:年第?([1-4一二三四])季度?|-?Q([1-4]))", t)
        if m:
            q = m[3] or m[2]
            q = _QUARTER_ZH.get(q, q)
            return date(int(m[1]), 3 * (int(q) - 1) + 1, 1)
    else:
        m = re.fullmatch(r"(\d{4})(?:年度?)?", t)
        if m:
            return date(int(m[1]), 1, 1)
    return None
