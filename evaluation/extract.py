"""Frozen evaluation extracts: ``zteco evaluate --kind midterm|final|annual --as-of DATE [--year Y]``.

An extract is built "as known then": dbt builds fct_indicator_progress and its parents with the var
``as_of`` (macros/as_of.sql) into a DuckDB of its own in a temporary folder (never the main warehouse),
so data that arrived after the as-of time is not seen. It writes ``$ZTECO_HOME/extracts/<kind>-<as-of>/``:

- ``evaluation.xlsx``: 摘要 (summary), 指标 (the city's indicators: baseline / checkpoint / target / value /
  status), 分区县 (every county), 数据质量与完整性 (completeness, missing reasons, loads), 方法说明 (method
  notes). Workbook properties and zip entry times are fixed, so a re-run writes the same bytes.
- ``evaluation.pdf``: the Chinese report (tables and SVG charts) printed by headless Chromium with the
  Noto CJK fonts embedded.
- ``manifest.json``: sha256 of each output, code version (git commit), registry version (sha256 of the
  registry seed), the as-of used, the load ids and method versions the figures rest on.

What "arrived by the as-of time" means per source (the ``known_as_of`` predicate of each staging model):
the solid-waste platform's record versions by the time the connector fetched them (``fetched_at``, the
simulated pull clock), the county forms by their receipt time (``received_at``); the air network's hourly
values and the soil / noise lab results by their data time (a value measured after the as-of time cannot
have arrived by then; the load log only has the wall clock of the pipeline run, so there is no arrival time
to cut on). The surface-water, pollution-source, census and permit figures are not cut (no arrival or
per-record data time in their staging): they are the assessment year's data as loaded.

``ZTECO_DBT_PROJECT_DIR`` overrides the dbt project folder (default ``<repo>/dbt_project``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.common.home import REPO_ROOT, Home

DBT_DIR = Path(os.environ.get("ZTECO_DBT_PROJECT_DIR") or REPO_ROOT / "dbt_project")
REGISTRY_SEED = DBT_DIR / "seeds" / "indicator_registry.csv"
CHROMIUM = os.environ.get("ZTECO_CHROMIUM", "/usr/bin/chromium")
KINDS = ("midterm", "final", "annual")
KIND_ZH = {"midterm": "中期评估", "final": "终期评估", "annual": "年度调度报告"}
DEFAULT_AS_OF = {"midterm": dt.date(2023, 12, 31), "final": dt.date(2025, 12, 31)}
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)

# (field of fct_indicator_progress, header in the workbook). The diff reads the sheets back by header.
COLUMNS = [
    ("indicator_code", "指标代码"),
    ("indicator_name_zh", "指标名称"),
    ("area_code", "地区代码"),
    ("area_name_zh", "地区"),
    ("kind_zh", "指标属性"),
    ("unit", "单位"),
    ("direction_zh", "方向"),
    ("year", "评价年度"),
    ("baseline_year", "基准年"),
    ("baseline_value", "基准值"),
    ("checkpoint_value", "中期目标值"),
    ("checkpoint_source", "中期目标来源"),
    ("target_value", "目标值"),
    ("value", "当年值"),
    ("elapsed_share", "时间进度"),
    ("distance_share", "目标完成进度"),
    ("time_progress_status_zh", "序时进度评价"),
    ("growth_rate_ratio", "增速比"),
    ("growth_rate_status_zh", "增速比评价"),
    ("status_zh", "综合评价"),
    ("checkpoint_verdict_zh", "中期目标达成"),
    ("target_verdict_zh", "规划目标达成"),
    ("county_rank", "区县排名"),
    ("missing_reason_zh", "缺失原因"),
    ("method_version", "方法版本"),
    ("as_of", "数据截至"),
    ("load_ids", "数据批次"),
    ("status", "status"),
]
HEADER_TO_FIELD = {h: f for f, h in COLUMNS}
VERDICT_ZH = {"achieved": "已达到", "not_achieved": "未达到"}
DIRECTION_ZH = {"higher": "越高越好", "lower": "越低越好"}

METHOD_NOTES = [
    (
        "口径",
        "每项指标按“十四五”规划指标清单（indicator_registry）的定义、单位和方向计算；基准年为2020年，中期检查点为2023年，目标年为2025年。",
    ),
    (
        "序时进度",
        "目标完成进度 =（当年值 − 基准值）/（目标值 − 基准值），与时间进度 =（评价年度 − 基准年）/（目标年 − 基准年）比较（2023年末为3/5）：完成进度不低于时间进度为“达到序时进度”，0至时间进度之间为“滞后于序时进度”，低于0为“倒退”。",
    ),
    (
        "增速比",
        "增速比 = 实际年均增速 /（实现目标所需年均增速），年均增速按基准值计算，数值为0时以0.001代替：≥0.95 进展顺利；0.6–0.95 有进展但需加快；0–0.6 进展有限；<0 倒退。数值为负（如排放量变化率）时增速比不适用，综合评价采用序时进度。",
    ),
    (
        "已实现目标",
        "当年值已达到规划目标（越高越好：不低于目标；越低越好：不高于目标）时两种方法均评为“已实现目标”。",
    ),
    ("中期目标", "规划给出2023年目标时采用规划值，否则按基准值到目标值的直线插值（时间进度3/5）。"),
    ("区县目标", "区县采用与全市相同的规划目标值；区县排名按指标方向，1为最好，无数据的区县不参与排名。"),
    ("无数据", "无法计算的指标列为“无数据”并说明原因，不以0填充。"),
    (
        "数据截至",
        "评价只使用截至评价时点已到达的数据：固体废物管理平台的记录按采集时间截取，其后的更正不计入；区县报表按接收时间截取；空气自动监测和土壤、声环境监测结果按监测时间截取；地表水、污染源自动监控、普查和排污许可数据无到达时间记录，按所属年度使用已载入的数据。",
    ),
    (
        "方法版本",
        "空气质量按HJ 633-2012与HJ 663-2013评价；地表水按GB 3838-2002；每个数值附有方法版本、数据截至时间和数据批次（见“指标”表）。",
    ),
]


@dataclass(frozen=True)
class ExtractRequest:
    kind: str
    as_of: dt.date
    year: int

    @property
    def as_of_timestamp(self) -> str:
        return f"{self.as_of.isoformat()} 23:59:59"

    @property
    def folder_name(self) -> str:
        return f"{self.kind}-{self.as_of.isoformat()}"


def resolve_request(
    kind: str, as_of: dt.date | None, year: int | None, today: dt.date | None = None
) -> ExtractRequest:
    """Defaults: midterm as of 2023-12-31, final as of 2025-12-31, annual as of 31 December of ``year``
    (default: last year); the assessment year is the as-of date's year unless given."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    today = today or dt.date.today()
    if kind == "annual":
        year = year or (as_of.year if as_of else today.year - 1)
        as_of = as_of or dt.date(year, 12, 31)
    else:
        as_of = as_of or DEFAULT_AS_OF[kind]
        year = year or as_of.year
    return ExtractRequest(kind, as_of, year)


# --- the as-of build ------------------------------------------------------------------------------


def _dbt_env(home: Home, log_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update(ZTECO_HOME=str(home.root), DBT_LOG_PATH=str(log_dir))
    return env


def build_as_of(home: Home, as_of_timestamp: str, build_dir: Path, echo=print) -> Path:
    """dbt seed + run of fct_indicator_progress and its parents with var as_of, into build_dir's DuckDB."""
    build_dir.mkdir(parents=True, exist_ok=True)
    db = build_dir / "evaluation.duckdb"
    (build_dir / "tmp").mkdir(exist_ok=True)
    profile = {
        "zteco": {
            "target": "evaluation",
            "outputs": {
                "evaluation": {
                    "type": "duckdb",
                    "path": str(db),
                    "schema": "main",
                    "threads": 2,
                    "settings": {
                        "memory_limit": os.environ.get("ZTECO_DUCKDB_MEMORY", "4GB"),
                        "temp_directory": str(build_dir / "tmp"),
                    },
                }
            },
        },
    }
    (build_dir / "profiles.yml").write_text(json.dumps(profile), encoding="utf-8")
    dbt = str(Path(sys.executable).parent / "dbt")
    common = [
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(build_dir),
        "--target-path",
        str(build_dir / "target"),
    ]
    vars_ = json.dumps({"as_of": as_of_timestamp})
    for args in (["seed"], ["run", "--select", "+fct_indicator_progress", "--vars", vars_]):
        proc = subprocess.run(
            [dbt, *args, *common],
            env=_dbt_env(home, build_dir / "logs"),
            cwd=DBT_DIR,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"dbt {args[0]} (as of {as_of_timestamp}) failed:\n{proc.stdout[-4000:]}\n"
                f"{proc.stderr[-2000:]}"
            )
        echo(f"  dbt {args[0]} as of {as_of_timestamp}: ok")
    return db


def read_figures(db: Path, year: int) -> dict:
    """Every registry indicator x area of the plan for ``year`` (a row even without any value)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        plan = con.execute(
            "select plan_code, name_zh, start_year, end_year, baseline_year, checkpoint_year "
            "from seeds.plans order by start_year"
        ).fetchall()
        plan = next((p for p in plan if p[2] <= year <= p[3]), plan[-1])
        plan_code = plan[0]
        rows = _dicts(
            con,
            """
            with spine as (
                select r.code as indicator_code, r.name_zh as indicator_name_zh, r.unit, r.direction, r.kind,
                       c.area_code, c.area_name_zh, c.area_level, c.sort_order, r.baseline_year
                from seeds.indicator_registry r
                cross join seeds.counties c
                where r.plan_code = ? and (c.area_level = 'city' or r.areas like '%county%')
            )
            select spine.indicator_code, spine.indicator_name_zh, spine.area_code, spine.area_name_zh,
                   spine.area_level, spine.unit, spine.direction, spine.kind, spine.sort_order,
                   spine.baseline_year as registry_baseline_year,
                   v.value as year_value, v.method_version as year_method_version, v.as_of as year_as_of,
                   v.load_ids as year_load_ids, v.missing_reason_zh as year_missing_reason_zh,
                   p.* exclude (indicator_code, indicator_name_zh, area_code, area_name_zh, area_level, unit,
                                direction)
            from spine
            left join main.fct_indicator_progress p
              on p.indicator_code = spine.indicator_code and p.area_code = spine.area_code
             and p.plan_code = ? and p.year = ?
            left join main.fct_indicator_values v
              on v.indicator_code = spine.indicator_code and v.area_code = spine.area_code
             and v.period_type = 'year' and extract(year from v.period_start) = ?
            order by spine.indicator_code, spine.sort_order""",
            [plan_code, plan_code, year, year],
        )
        for r in rows:
            r["year"] = year
            r["kind_zh"] = "约束性" if r["kind"] == "binding" else "预期性"
            r["direction_zh"] = DIRECTION_ZH.get(r["direction"], r["direction"])
            if r["status"] is None:
                # the baseline year (not assessed) or a year the warehouse has no period for yet: the value as is
                r["value"], r["method_version"] = r["year_value"], r["year_method_version"]
                r["as_of"], r["load_ids"] = r["year_as_of"], r["year_load_ids"]
                r["baseline_year"] = r["registry_baseline_year"]
                if r["value"] is not None and year <= (r["registry_baseline_year"] or year):
                    r["status"], r["status_zh"] = "baseline_year", "基准年（不评价进度）"
                else:
                    r["status"], r["status_zh"] = "no_data", "无数据"
                    r["missing_reason_zh"] = r["year_missing_reason_zh"] or "评价年度尚无数据"
            r["checkpoint_verdict_zh"] = VERDICT_ZH.get(r.get("checkpoint_verdict"))
            r["target_verdict_zh"] = VERDICT_ZH.get(r.get("target_verdict"))
        return {
            "plan": {
                "plan_code": plan[0],
                "name_zh": plan[1],
                "start_year": plan[2],
                "end_year": plan[3],
                "baseline_year": plan[4],
                "checkpoint_year": plan[5],
            },
            "rows": rows,
        }
    finally:
        con.close()


def _dicts(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, t, strict=True)) for t in cur.fetchall()]


# --- the workbook -----------------------------------------------------------------------------------


def _cell(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return v


def _summary(req: ExtractRequest, figures: dict) -> list[tuple[str, object]]:
    rows = figures["rows"]
    city = [r for r in rows if r["area_level"] == "city"]
    counts: dict[str, int] = {}
    for r in city:
        counts[r["status_zh"]] = counts.get(r["status_zh"], 0) + 1
    binding = [r for r in city if r["kind"] == "binding"]
    with_value = [r for r in rows if r.get("value") is not None]
    out = [
        ("报告", f"{figures['plan']['name_zh']}{KIND_ZH[req.kind]}"),
        ("评价类型", KIND_ZH[req.kind]),
        ("评价年度", req.year),
        ("数据截至", req.as_of_timestamp),
        ("指标数（全市）", len(city)),
        ("约束性指标数", len(binding)),
        ("约束性指标已实现目标", sum(1 for r in binding if r["status"] == "achieved")),
        ("有数值的指标×地区", f"{len(with_value)} / {len(rows)}"),
    ]
    out += [(f"综合评价：{k}", v) for k, v in sorted(counts.items())]
    return out


def write_workbook(path: Path, req: ExtractRequest, figures: dict, quality: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    fixed = dt.datetime.combine(req.as_of, dt.time())
    wb.properties.creator = "zteco"
    wb.properties.lastModifiedBy = "zteco"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.title = f"{figures['plan']['name_zh']}{KIND_ZH[req.kind]}"
    bold = Font(bold=True)

    ws = wb.active
    ws.title = "摘要"
    for k, v in _summary(req, figures):
        ws.append([k, v])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60

    headers = [h for _, h in COLUMNS]
    for title, level in (("指标", "city"), ("分区县", "county")):
        ws = wb.create_sheet(title)
        ws.append(headers)
        for c in ws[1]:
            c.font = bold
        for r in figures["rows"]:
            if r["area_level"] == level:
                ws.append([_cell(r.get(f)) for f, _ in COLUMNS])
        ws.freeze_panes = "C2"

    ws = wb.create_sheet("数据质量与完整性")
    q_headers = [
        "指标代码",
        "指标名称",
        "应报地区数",
        "有数值地区数",
        "完整率(%)",
        "缺失原因",
        "数据截至(最晚)",
        "数据批次",
    ]
    ws.append(q_headers)
    for c in ws[1]:
        c.font = bold
    for q in quality:
        ws.append(
            [
                q["indicator_code"],
                q["indicator_name_zh"],
                q["expected"],
                q["with_value"],
                q["completeness"],
                q["reasons"],
                q["latest_as_of"],
                q["load_ids"],
            ]
        )

    ws = wb.create_sheet("方法说明")
    for k, v in METHOD_NOTES:
        ws.append([k, v])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 120

    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_normalise_zip(buf.getvalue(), fixed))


def _normalise_zip(data: bytes, modified: dt.datetime) -> bytes:
    """The same workbook gives the same bytes: fixed entry times, and the core properties' modified time
    (openpyxl stamps the wall clock on save) set to ``modified``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    content,
                )
            dst.writestr(zi, content)
    return out.getvalue()


def quality_rows(figures: dict) -> list[dict]:
    by_code: dict[str, list[dict]] = {}
    for r in figures["rows"]:
        by_code.setdefault(r["indicator_code"], []).append(r)
    out = []
    for code, rows in by_code.items():
        with_value = [r for r in rows if r.get("value") is not None]
        reasons: dict[str, int] = {}
        for r in rows:
            if r.get("value") is None:
                key = r.get("missing_reason_zh") or "无数据"
                reasons[key] = reasons.get(key, 0) + 1
        loads = sorted({x for r in with_value for x in (r.get("load_ids") or "").split(",") if x})
        as_ofs = [r["as_of"] for r in with_value if r.get("as_of") is not None]
        out.append(
            {
                "indicator_code": code,
                "indicator_name_zh": rows[0]["indicator_name_zh"],
                "expected": len(rows),
                "with_value": len(with_value),
                "completeness": round(100.0 * len(with_value) / len(rows), 1),
                "reasons": "；".join(f"{k}（{v}）" for k, v in sorted(reasons.items())),
                "latest_as_of": max(as_ofs).isoformat(sep=" ") if as_ofs else None,
                "load_ids": ",".join(loads),
            }
        )
    return out


# --- the PDF ----------------------------------------------------------------------------------------


def _fmt(v, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return html.escape(str(v))


def _bar_chart(title: str, items: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bar chart as inline SVG (labels in Chinese)."""
    if not items:
        return ""
    width, bar_h, gap, left = 640, 18, 6, 170
    height = 30 + len(items) * (bar_h + gap)
    top = max(v for _, v in items) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
        f'<text x="0" y="16" font-size="14" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(items):
        y = 28 + i * (bar_h + gap)
        w = max(1.0, (width - left - 80) * v / top) if v > 0 else 1.0
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" font-size="12" text-anchor="end">{html.escape(label)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#2f6fb3"/>')
        parts.append(
            f'<text x="{left + w + 4:.1f}" y="{y + 13}" font-size="12">{v:g}{html.escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def report_html(req: ExtractRequest, figures: dict, quality: list[dict]) -> str:
    rows = figures["rows"]
    city = [r for r in rows if r["area_level"] == "city"]
    title = f"{figures['plan']['name_zh']}{KIND_ZH[req.kind]}（{req.year}年度）"
    status_counts: dict[str, int] = {}
    for r in city:
        status_counts[r["status_zh"]] = status_counts.get(r["status_zh"], 0) + 1
    charts = [_bar_chart("全市指标综合评价分布（项）", sorted(status_counts.items(), key=lambda x: -x[1]))]
    # county comparison for the binding indicators with county values
    for code in sorted({r["indicator_code"] for r in rows if r["kind"] == "binding"}):
        cs = [
            r
            for r in rows
            if r["indicator_code"] == code and r["area_level"] == "county" and r.get("value") is not None
        ]
        if cs and len(charts) < 5:
            cs.sort(key=lambda r: r["county_rank"] or 99)
            charts.append(
                _bar_chart(
                    f"{cs[0]['indicator_name_zh']}：分区县（{cs[0]['unit']}）",
                    [(r["area_name_zh"], round(r["value"], 2)) for r in cs],
                )
            )
    head = (
        "<tr><th>指标</th><th>属性</th><th>单位</th><th>基准值</th><th>中期目标</th><th>目标值</th>"
        "<th>当年值</th><th>序时进度</th><th>增速比</th><th>综合评价</th><th>说明</th></tr>"
    )
    body = "".join(
        f"<tr><td>{html.escape(r['indicator_name_zh'])}</td><td>{r['kind_zh']}</td><td>{html.escape(r['unit'] or '')}</td>"
        f"<td>{_fmt(r.get('baseline_value'))}</td><td>{_fmt(r.get('checkpoint_value'))}</td>"
        f"<td>{_fmt(r.get('target_value'))}</td><td>{_fmt(r.get('value'))}</td>"
        f"<td>{_fmt(r.get('time_progress_status_zh'))}</td><td>{_fmt(r.get('growth_rate_ratio'))}</td>"
        f"<td>{html.escape(r['status_zh'])}</td><td>{_fmt(r.get('missing_reason_zh'))}</td></tr>"
        for r in city
    )
    q_body = "".join(
        f"<tr><td>{html.escape(q['indicator_name_zh'])}</td><td>{q['with_value']} / {q['expected']}</td>"
        f"<td>{q['completeness']}</td><td>{html.escape(q['reasons'])}</td></tr>"
        for q in quality
    )
    notes = "".join(f"<li><b>{html.escape(k)}</b>：{html.escape(v)}</li>" for k, v in METHOD_NOTES)
    summary = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in _summary(req, figures)
    )
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
  @page {{ size: A4 landscape; margin: 12mm; }}
  body {{ font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 10pt; color: #111; }}
  h1 {{ font-size: 18pt; }} h2 {{ font-size: 13pt; margin-top: 14pt; }}
  table {{ border-collapse: collapse; width: 100%; margin: 6pt 0; }}
  th, td {{ border: 1px solid #999; padding: 2pt 4pt; text-align: left; }}
  th {{ background: #e8eef6; }}
  svg text {{ font-family: "Noto Sans CJK SC", sans-serif; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>数据截至：{req.as_of_timestamp}。本报告由指标数据仓库自动生成，数值仅使用评价时点前已到达的数据。</p>
<h2>一、摘要</h2><table>{summary}</table>
{"".join(f"<div>{c}</div>" for c in charts)}
<h2>二、指标评价（全市）</h2><table>{head}{body}</table>
<h2>三、数据质量与完整性</h2><table><tr><th>指标</th><th>有数值地区</th><th>完整率(%)</th><th>缺失原因</th></tr>{q_body}</table>
<h2>四、方法说明</h2><ul>{notes}</ul>
</body></html>"""


def print_pdf(html_text: str, pdf: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page()
            page.set_content(html_text, wait_until="load")
            page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
        finally:
            browser.close()


# --- manifest and the whole extract ------------------------------------------------------------------


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_version() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_extract(home: Home, req: ExtractRequest, *, echo=print, build_dir: Path | None = None) -> Path:
    out = home.extracts / req.folder_name
    tmp_root = home.root / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    own_build = build_dir is None
    build = build_dir or Path(tempfile.mkdtemp(prefix=f"evaluate-{req.folder_name}-", dir=tmp_root))
    try:
        echo(f"evaluation {req.kind} year {req.year} as of {req.as_of_timestamp}: building the figures")
        db = build_as_of(home, req.as_of_timestamp, build, echo=echo)
        figures = read_figures(db, req.year)
    finally:
        if own_build:
            shutil.rmtree(build, ignore_errors=True)
    quality = quality_rows(figures)
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    write_workbook(staging / "evaluation.xlsx", req, figures, quality)
    print_pdf(report_html(req, figures, quality), staging / "evaluation.pdf")
    rows = figures["rows"]
    manifest = {
        "kind": req.kind,
        "assessment_year": req.year,
        "as_of": req.as_of_timestamp,
        "plan": figures["plan"],
        "code_version": code_version(),
        "registry_version": "sha256:" + sha256(REGISTRY_SEED),
        "outputs": {n: "sha256:" + sha256(staging / n) for n in ("evaluation.xlsx", "evaluation.pdf")},
        "load_ids": sorted({x for r in rows for x in (r.get("load_ids") or "").split(",") if x}),
        "data_as_of_max": max((r["as_of"] for r in rows if r.get("as_of")), default=None),
        "method_versions": sorted({r["method_version"] for r in rows if r.get("method_version")}),
        "figures": len(rows),
        "figures_with_value": sum(1 for r in rows if r.get("value") is not None),
    }
    if manifest["data_as_of_max"] is not None:
        manifest["data_as_of_max"] = manifest["data_as_of_max"].isoformat(sep=" ")
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    shutil.rmtree(out, ignore_errors=True)
    os.replace(staging, out)
    echo(
        f"extract written: {out} ({manifest['figures']} figures, {manifest['figures_with_value']} with a value)"
    )
    return out
