"""The Chinese feedback report each county sub-centre gets after an intake run.

One markdown file per county with files in the run: ``$ZTECO_HOME/reports/counties/<county_code>/
<YYYYMMDDTHHMMSS>-<run>.md``: the files accepted (form, period, arrival, on time or late), the files
rejected with the reason and what to do, the duplicates, and the warnings on accepted files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ingestion.common.home import Home
from ingestion.counties import catalogue as cat
from ingestion.simulate.world import load_counties


def reports_dir(home: Home) -> Path:
    return home.root / "reports" / "counties"


def _period(row: dict) -> str:
    if not row.get("form_code") or not row.get("period_start"):
        return "—"
    return cat.period_label(cat.forms()[row["form_code"]].period_type, row["period_start"])


def _title(row: dict) -> str:
    return cat.forms()[row["form_code"]].title_zh if row.get("form_code") else "（无法识别的报表）"


def _on_time(row: dict) -> str:
    form = cat.forms()[row["form_code"]]
    due = cat.deadline(form, row["period_start"])
    ok = row["received_at"] < datetime.combine(due + timedelta(days=1), datetime.min.time())
    return f"按时（截止 {due.isoformat()}）" if ok else f"逾期（截止 {due.isoformat()}）"


def render(county_name: str, load_id: str, rows: list[dict], at: datetime) -> str:
    accepted = [r for r in rows if r["outcome"] == "accepted"]
    rejected = [r for r in rows if r["outcome"] == "rejected"]
    duplicates = [r for r in rows if r["outcome"] == "duplicate"]
    out = [
        f"# {county_name}生态环境数据分中心 报表接收反馈",
        "",
        f"- 接收批次：{load_id}",
        f"- 生成时间：{at.strftime('%Y-%m-%d %H:%M')}",
        f"- 本批次收到文件 {len(rows)} 个：已受理 {len(accepted)} 个，退回 {len(rejected)} 个，"
        f"重复上传 {len(duplicates)} 个",
        "",
    ]
    out += ["## 已受理", ""]
    if accepted:
        out += ["| 文件 | 报表 | 报送期 | 上传时间 | 时效 | 提示 |", "| --- | --- | --- | --- | --- | --- |"]
        out += [
            f"| {r['file_name']} | {_title(r)} | {_period(r)} | {r['received_at']:%Y-%m-%d %H:%M} | "
            f"{_on_time(r)} | {r.get('reason_zh') or ''} |"
            for r in accepted
        ]
    else:
        out.append("无")
    out += ["", "## 退回（请修改后重新上传）", ""]
    if rejected:
        out += ["| 文件 | 报表 | 报送期 | 上传时间 | 退回原因 |", "| --- | --- | --- | --- | --- |"]
        out += [
            f"| {r['file_name']} | {_title(r)} | {_period(r)} | {r['received_at']:%Y-%m-%d %H:%M} | "
            f"{r['reason_zh']} |"
            for r in rejected
        ]
    else:
        out.append("无")
    out += ["", "## 重复上传（内容与已接收文件相同，未重复入库）", ""]
    if duplicates:
        out += [
            f"- {r['file_name']}（{r['received_at']:%Y-%m-%d %H:%M}）与 {r['duplicate_of'].rsplit('/', 1)[-1]} "
            "相同"
            for r in duplicates
        ]
    else:
        out.append("无")
    return "\n".join(out) + "\n"


def write_reports(home: Home, run) -> list[Path]:
    names = {c.county_code: c.name_zh for c in load_counties()}
    by_county: dict[str, list[dict]] = {}
    for r in run.files:
        by_county.setdefault(r["folder_county"], []).append(r)
    at = run.files[0]["intake_at"] if run.files else datetime.now()
    stamp = at.strftime("%Y%m%dT%H%M%S")
    token = run.load_id.rsplit(":", 1)[-1]
    paths = []
    for code, rows in sorted(by_county.items()):
        path = reports_dir(home) / code / f"{stamp}-{token}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(names.get(code, code), run.load_id, rows, at), encoding="utf-8")
        paths.append(path)
    return paths
