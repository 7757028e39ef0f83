"""The 11 county data sub-centres as the simulated world sees them: what each county uploads, when.

Each county sub-centre uploads its forms (catalogue: dbt_project/seeds/county_forms.csv) into its
own drop folder ``landing/counties/<county_code>/``: xlsx (a title row, the header, the data row, a
footer) or CSV (UTF-8 or GBK). A file's modification time is its upload time (the world sets it with
``os.utime``); the intake reads the arrival time from it.

What the world injects on known (county, form, period) slots, listed in the truth with its kind:

- ``late``: uploaded after the deadline (also happens naturally, ~8 %);
- ``resubmission``: a first version with a wrong figure, then a corrected one days later;
- ``duplicate_upload``: the same bytes uploaded a second time (``…(1).xlsx``);
- ``wrong_folder``: the county's file dropped into another county's folder (rejected), then into its own;
- ``empty_file``: a 0-byte upload, then the real file; ``not_spreadsheet``: a PDF named ``.xlsx``, then
  the real file;
- ``invalid_figures``: a part above its total (e.g. more sources online than in use): rejected, never
  corrected (the slot ends ``rejected``);
- ``sheet_renamed`` (xlsx sheet ``Sheet1``), ``unit_changed`` (万元 → 元, t → kg, 亩 → 公顷, kg → t),
  ``county_alias`` (a spelling from seeds/county_aliases.csv), ``old_template`` (the 2020 template used
  after 2021): accepted after conversion.

Files of 2020 periods use template v1, later ones v2; formats are xlsx / CSV UTF-8 / CSV GBK.

Ground truth (``world/``): ``county_files_truth.csv`` (one row per uploaded file: path, arrival, the
slot, kind, expected outcome and rule) and ``county_submissions_truth.csv`` (one row per slot with an
upload or due by the reporting cut-off: deadline, received_at, on_time, status, rejection_reason,
the final and the first accepted figures, the time of the correction).

Random streams 600-609: 600 (county, form, year) timing, missing, format; 601 (county) profile;
602 (year) the slots of the injected kinds; 603 (county, form, period ordinal) figures; 604 (year)
county aliases. All events are drawn per whole year, so the world is prefix-stable.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from ingestion.common import areas
from ingestion.common.home import Home
from ingestion.counties import catalogue as cat
from ingestion.lab.simulator import _csv_bytes, _save_xlsx, _write_bytes
from ingestion.simulate.world import County, WorldConfig, load_counties, rng

STREAM_TIMING, STREAM_PROFILE, STREAM_KINDS, STREAM_FIGURES, STREAM_ALIASES = 600, 601, 602, 603, 604
KINDS = [
    "resubmission",
    "duplicate_upload",
    "wrong_folder",
    "empty_file",
    "not_spreadsheet",
    "invalid_figures",
    "sheet_renamed",
    "unit_changed",
    "county_alias",
    "old_template",
    "late",
]
SLOTS_PER_KIND = 2
P_MISSING = 0.03
P_LATE = 0.08
# Which figure each form writes in another unit when ``unit_changed`` (canonical unit → written unit).
ALT_UNITS = {
    "SOIL_SAFE_USE": ("farmland_area", "公顷"),
    "ENFORCEMENT": ("fines", "元"),
    "MEDICAL_WASTE": ("mw_generated", "kg"),
    "HEAVY_METALS": ("hm_emission", "t"),
}
MINING = {"530621", "530622", "530628"}
PDF_BYTES = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
BEIJING_OFFSET = timedelta(hours=8)
FLAGS = ("demo_named", "station_passed")  # written 是 / 否


def to_epoch(t: datetime) -> float:
    """Beijing wall-clock time → POSIX seconds (the mtime the upload leaves)."""
    return (t - BEIJING_OFFSET - datetime(1970, 1, 1)).total_seconds()


def from_epoch(s: float) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=round(s)) + BEIJING_OFFSET


def drop_root(home: Home) -> Path:
    return home.landing / "counties"


@dataclass
class Upload:
    folder: str  # county folder it lands in
    name: str
    arrival: datetime
    content: bytes
    kind: str
    outcome: str  # accepted | rejected | duplicate
    rule: str = ""
    figures: dict = field(default_factory=dict)
    attributable: bool = True  # its content names the slot (empty / non-spreadsheet files do not)


@dataclass
class Slot:
    county: County
    ci: int
    form: cat.Form
    fi: int
    start: date
    figures: dict
    kinds: list[str] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return cat.deadline(self.form, self.start)


def _profile(cfg: WorldConfig, ci: int, county: County) -> dict:
    r = rng(cfg, STREAM_PROFILE, ci)
    return {
        "rad": int(r.integers(3, 25)),
        "smelters": int(r.integers(0, 5)),
        "farmland": float(r.uniform(300, 6000)),
        "plans": int(r.integers(20, 80)),
        "demo_year": int(r.integers(2020, 2027)),
        "station_year": int(r.integers(2020, 2025)),
        "bodies": int(r.integers(18, 40)),
        "key_units": int(r.integers(4, 30)),
        "sources": int(r.integers(100, 600)),
        "mw": float(r.uniform(5, 60)),
        "hm": int(r.integers(4, 14)) if county.county_code in MINING else int(r.integers(0, 5)),
        "hm_emission": float(r.uniform(50, 900)) if county.county_code in MINING else float(r.uniform(2, 60)),
        "projects": int(r.integers(4, 16)),
        "staff": int(r.integers(6, 30)),
    }


def _figures(cfg: WorldConfig, ci: int, fi: int, form: cat.Form, start: date, p: dict) -> dict:
    r = rng(cfg, STREAM_FIGURES, ci, fi, start.toordinal())
    y = start.year - 2020
    q = (start.month - 1) // 3 + 1

    def share(n: int, base: float) -> int:
        return int(r.binomial(n, min(1.0, base))) if n > 0 else 0

    f = form.form_code
    if f == "RAD_SOURCES":
        n = p["rad"] + int(r.integers(0, 3))
        s = p["smelters"]
        return {
            "sources_in_use": n,
            "sources_online": share(n, 0.82 + 0.04 * y),
            "smelters": s,
            "smelters_self_monitoring": share(s, 0.6 + 0.1 * y),
        }
    if f == "SOIL_SAFE_USE":
        a = round(p["farmland"] * float(r.uniform(0.95, 1.05)), 2)
        plots = int(r.integers(0, 7))
        return {
            "farmland_area": a,
            "farmland_safe_area": round(a * float(r.uniform(0.85, 1.0)), 2),
            "plots_reused": plots,
            "plots_reused_assessed": share(plots, 0.9),
        }
    if f == "RECTIFICATION":
        due = int(r.poisson(3))
        return {"findings_due": due, "findings_closed_on_time": share(due, 0.88 + 0.02 * y)}
    if f == "EMERGENCY_PLANS":
        n = p["plans"] + int(r.integers(0, 5))
        return {
            "plans_required": n,
            "plans_revised": share(n, 0.8 + 0.04 * y),
            "incidents": int(r.poisson(0.4)),
        }
    if f == "DEMO_COUNTY":
        return {"demo_named": int(start.year >= p["demo_year"]), "demo_measures": int(r.integers(5, 30))}
    if f == "STATION_STANDARD":
        return {"station_passed": int(start.year >= p["station_year"]), "station_staff": p["staff"]}
    if f == "RESPONSIBILITY_LIST":
        n = p["bodies"]
        return {"bodies_required": n, "bodies_with_list": share(n, 0.75 + 0.12 * (y - 1))}
    if f == "SELF_MONITORING":
        n = p["key_units"] + int(r.integers(0, 3))
        return {"key_units": n, "key_units_disclosed": share(n, 0.85 + 0.03 * y)}
    if f == "ENFORCEMENT":
        cases = int(r.poisson(4))
        n = p["sources"] + 3 * y
        return {
            "cases": cases,
            "fines": round(cases * float(r.uniform(0.5, 12)), 2),
            "sources_required": n,
            "sources_permitted": share(n, 0.9 + 0.02 * y),
        }
    if f == "MEDICAL_WASTE":
        g = round(p["mw"] * float(r.uniform(0.85, 1.15)), 3)
        return {"mw_generated": g, "mw_disposed": round(g * float(r.uniform(0.97, 1.0)), 3)}
    if f == "HEAVY_METALS":
        n = p["hm"]
        return {
            "hm_enterprises": n,
            "hm_audited": share(n, 0.5 + 0.12 * y),
            "hm_emission": round(p["hm_emission"] * (1 - 0.04 * y) * float(r.uniform(0.95, 1.05)), 3),
        }
    if f == "KEY_PROJECTS":
        planned = min(p["projects"], max(1, round(p["projects"] * (y * 4 + q) / 24)))
        return {
            "projects_planned": planned,
            "projects_completed": share(planned, 0.9),
            "gangue_projects": int(r.integers(0, 4)),
        }
    raise ValueError(f"no figures for form {f}")


def _fmt(v) -> str:
    return str(v) if isinstance(v, int) else f"{v:g}" if abs(v) < 1e15 else str(v)


def _file_bytes(
    slot: Slot,
    figures: dict,
    fmt: str,
    *,
    version: str,
    sheet: str,
    county_text: str,
    unit_change: tuple[str, str] | None,
) -> bytes:
    t = cat.template(slot.form.form_code, version)
    label = (cat.period_label_v1 if version == "v1" else cat.period_label)(slot.form.period_type, slot.start)
    head, row = [], []
    for c in t.columns:
        unit = c.unit
        if c.field == "county":
            value = county_text
        elif c.field == "period":
            value = label
        else:
            value = figures[c.field]
            if unit_change and unit_change[0] == c.field:
                unit = unit_change[1]
                factor = 1 / cat.UNIT_CONVERSIONS[(unit, c.unit)]
                value = round(value * factor, 6)
                value = int(value) if float(value).is_integer() and unit == "元" else value
            if c.field in FLAGS:
                value = "是" if value else "否"
        head.append(c.header_zh + (f"({unit})" if unit else ""))
        row.append(value)
    if fmt == "xlsx":
        title = f"{slot.county.name_zh}{slot.form.title_zh}（{cat.period_label(slot.form.period_type, slot.start)}）"
        return _xlsx_bytes(sheet, title, head, row, f"填报单位：{slot.county.name_zh}生态环境数据分中心")
    return _csv_bytes(
        head,
        [[_fmt(v) if not isinstance(v, str) else v for v in row]],
        "utf-8" if fmt == "csv-utf8" else "gbk",
    )


def _xlsx_bytes(sheet: str, title: str, head: list, row: list, footer: str) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f.xlsx"
        _save_xlsx(p, [(sheet, title, head, [row, [footer]])])
        return p.read_bytes()


def _name(slot: Slot, ext: str, suffix: str = "") -> str:
    label = cat.period_label_v1(slot.form.period_type, slot.start)
    return f"{slot.form.form_code}_{label}_{slot.county.county_code}{suffix}.{ext}"


def _aliases() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with areas.ALIASES_CSV.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r["alias"].isdigit():
                out.setdefault(r["area_code"], []).append(r["alias"])
    return out


def slots_of_year(cfg: WorldConfig, year: int, counties: list[County]) -> list[Slot]:
    """Every (county, form, period) of a year with its uploads (arrivals may lie beyond the world's end)."""
    forms = list(cat.forms().values())
    aliases = _aliases()
    profiles = [_profile(cfg, ci, c) for ci, c in enumerate(counties)]
    slots: list[Slot] = []
    for ci, c in enumerate(counties):
        for fi, form in enumerate(forms):
            for start in cat.expected_periods(form, year):
                slots.append(Slot(c, ci, form, fi, start, _figures(cfg, ci, fi, form, start, profiles[ci])))
    # the injected kinds: SLOTS_PER_KIND distinct slots each, on periods that end by 30 September
    kr = rng(cfg, STREAM_KINDS, year)
    used: set[int] = set()
    for kind in KINDS:
        cand = [
            i
            for i, s in enumerate(slots)
            if i not in used
            and cat.period_end(s.form.period_type, s.start) <= date(year, 9, 30)
            and (kind != "unit_changed" or s.form.form_code in ALT_UNITS)
            and (kind != "old_template" or year >= 2021)
            and (
                kind != "invalid_figures"
                or any(
                    c.not_above and s.figures[c.not_above] > 0
                    for c in cat.template(s.form.form_code, "v2").figures
                )
            )
        ]
        if not cand:
            continue
        for i in kr.choice(len(cand), size=min(SLOTS_PER_KIND, len(cand)), replace=False):
            used.add(cand[int(i)])
            slots[cand[int(i)]].kinds.append(kind)
    ar = rng(cfg, STREAM_ALIASES, year)
    by_cf: dict[tuple[int, int], list[Slot]] = {}
    for s in slots:
        by_cf.setdefault((s.ci, s.fi), []).append(s)
    for (ci, fi), group in by_cf.items():
        r = rng(cfg, STREAM_TIMING, ci, fi, year)
        for s in group:
            u_missing, u_late, u_fmt = r.random(3)
            days_ok = int(r.integers(1, s.form.deadline_days + 1))
            days_late = int(r.integers(1, 26))
            minute = int(r.integers(8 * 60, 20 * 60))
            gap_days = int(r.integers(2, 15))
            gap_hours = int(r.integers(1, 48))
            if u_missing < P_MISSING and not s.kinds:
                continue
            late = u_late < P_LATE or "late" in s.kinds
            end = cat.period_end(s.form.period_type, s.start)
            day = s.deadline + timedelta(days=days_late) if late else end + timedelta(days=days_ok)
            t0 = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
            fmt = "xlsx" if u_fmt < 0.45 else ("csv-utf8" if u_fmt < 0.75 else "csv-gbk")
            if "sheet_renamed" in s.kinds:
                fmt = "xlsx"
            version = "v1" if s.start.year < 2021 or "old_template" in s.kinds else "v2"
            county_text = s.county.name_zh
            if "county_alias" in s.kinds:
                names = [a for a in aliases[s.county.county_code] if a != s.county.name_zh]
                county_text = names[int(ar.integers(0, len(names)))]
            sheet = "Sheet1" if "sheet_renamed" in s.kinds else s.form.sheet_name
            unit_change = ALT_UNITS[s.form.form_code] if "unit_changed" in s.kinds else None
            ext = "xlsx" if fmt == "xlsx" else "csv"
            kind = next((k for k in s.kinds if k not in ("late",)), "late" if late else "")

            def make(
                figs: dict, _s=s, _fmt=fmt, _ver=version, _sheet=sheet, _ct=county_text, _uc=unit_change
            ) -> bytes:
                return _file_bytes(
                    _s, figs, _fmt, version=_ver, sheet=_sheet, county_text=_ct, unit_change=_uc
                )

            good = make(s.figures)
            mine = s.county.county_code
            if kind == "resubmission":
                wrong = dict(s.figures)
                key = next(
                    c.field for c in cat.template(s.form.form_code, "v2").figures if c.field not in FLAGS
                )
                wrong[key] = wrong[key] + (1 if isinstance(wrong[key], int) else 10.0)
                s.uploads.append(
                    Upload(mine, _name(s, ext), t0, make(wrong), kind, "accepted", figures=wrong)
                )
                s.uploads.append(
                    Upload(
                        mine,
                        _name(s, ext, "_更正"),
                        t0 + timedelta(days=gap_days),
                        good,
                        kind,
                        "accepted",
                        figures=s.figures,
                    )
                )
            elif kind == "duplicate_upload":
                s.uploads.append(Upload(mine, _name(s, ext), t0, good, kind, "accepted", figures=s.figures))
                s.uploads.append(
                    Upload(
                        mine, _name(s, ext, "(1)"), t0 + timedelta(hours=gap_hours), good, kind, "duplicate"
                    )
                )
            elif kind == "wrong_folder":
                other = (s.ci + 1 + gap_days % 10) % len(counties)
                s.uploads.append(
                    Upload(
                        counties[other].county_code, _name(s, ext), t0, good, kind, "rejected", "wrong_folder"
                    )
                )
                s.uploads.append(
                    Upload(
                        mine,
                        _name(s, ext),
                        t0 + timedelta(days=gap_days),
                        good,
                        kind,
                        "accepted",
                        figures=s.figures,
                    )
                )
            elif kind in ("empty_file", "not_spreadsheet"):
                bad = b"" if kind == "empty_file" else PDF_BYTES + f"% {_name(s, 'pdf')}\n".encode()
                s.uploads.append(
                    Upload(
                        mine,
                        _name(s, "xlsx" if kind == "not_spreadsheet" else ext),
                        t0,
                        bad,
                        kind,
                        "rejected",
                        kind,
                        attributable=False,
                    )
                )
                s.uploads.append(
                    Upload(
                        mine,
                        _name(s, ext, "_重报"),
                        t0 + timedelta(days=gap_days),
                        good,
                        kind,
                        "accepted",
                        figures=s.figures,
                    )
                )
            elif kind == "invalid_figures":
                bad = dict(s.figures)
                col = next(
                    c
                    for c in cat.template(s.form.form_code, "v2").figures
                    if c.not_above and s.figures[c.not_above] > 0
                )
                bad[col.field] = s.figures[col.not_above] + 1 + (gap_days % 3)
                s.uploads.append(
                    Upload(mine, _name(s, ext), t0, make(bad), kind, "rejected", "part_exceeds_total")
                )
            else:
                s.uploads.append(Upload(mine, _name(s, ext), t0, good, kind, "accepted", figures=s.figures))
    return slots


def generate(cfg: WorldConfig, home: Home) -> dict:
    counties = load_counties()
    root = drop_root(home)
    files: list[dict] = []
    slots: list[Slot] = []
    for year in range(cfg.start.year, cfg.end.year + 1):
        slots += slots_of_year(cfg, year, counties)
    last = datetime.combine(cfg.end, datetime.max.time())
    written = 0
    for s in slots:
        for u in s.uploads:
            if u.arrival > last:
                continue
            path = root / u.folder / u.name
            if not path.exists() or path.read_bytes() != u.content:
                _write_bytes(path, u.content)
            os.utime(path, (to_epoch(u.arrival), to_epoch(u.arrival)))
            written += 1
            files.append(
                {
                    "path": path.relative_to(home.root).as_posix(),
                    "folder": u.folder,
                    "county_code": s.county.county_code,
                    "form_code": s.form.form_code,
                    "period_start": s.start.isoformat(),
                    "arrival": u.arrival.isoformat(sep=" "),
                    "kind": u.kind,
                    "outcome": u.outcome,
                    "rule": u.rule,
                    "attributable": u.attributable,
                    "figures": json.dumps(u.figures, sort_keys=True) if u.figures else "",
                }
            )
    cutoff = max((datetime.fromisoformat(f["arrival"]) for f in files), default=None)
    truth = [row for s in slots if (row := slot_truth(s, last, cutoff))]
    home.world.mkdir(parents=True, exist_ok=True)
    _dump(home.world / "county_files_truth.csv", files)
    _dump(home.world / "county_submissions_truth.csv", truth)
    kinds: dict[str, int] = {}
    for f in files:
        if f["kind"]:
            kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    return {
        "files": written,
        "expected": sum(1 for t in truth if t["expected"]),
        "kinds": kinds,
        "cutoff": cutoff.isoformat(sep=" ") if cutoff else None,
    }


def slot_truth(s: Slot, last: datetime, cutoff: datetime | None) -> dict | None:
    arrived = sorted((u for u in s.uploads if u.arrival <= last), key=lambda u: u.arrival)
    due_end = datetime.combine(s.deadline + timedelta(days=1), datetime.min.time())
    expected = cutoff is not None and due_end <= cutoff
    if not arrived and not expected:
        return None
    accepted = [u for u in arrived if u.outcome == "accepted"]
    rejected = [u for u in arrived if u.outcome == "rejected" and u.attributable]
    received_at = accepted[0].arrival if accepted else None
    if accepted:
        status = "on_time" if received_at < due_end else "late"
    elif rejected:
        status = "rejected"
    else:
        status = "missing"
    corrected = len({json.dumps(u.figures, sort_keys=True) for u in accepted}) > 1
    return {
        "county_code": s.county.county_code,
        "form_code": s.form.form_code,
        "period_start": s.start.isoformat(),
        "period_end": cat.period_end(s.form.period_type, s.start).isoformat(),
        "deadline": s.deadline.isoformat(),
        "expected": expected,
        "received_at": received_at.isoformat(sep=" ") if received_at else "",
        "on_time": bool(accepted) and received_at < due_end,
        "status": status,
        "rejection_reason": rejected[-1].rule if status == "rejected" else "",
        "kinds": ";".join(s.kinds),
        "accepted_versions": len(accepted),
        "figures": json.dumps(accepted[-1].figures, sort_keys=True) if accepted else "",
        "first_figures": json.dumps(accepted[0].figures, sort_keys=True) if corrected else "",
        "corrected_at": accepted[-1].arrival.isoformat(sep=" ") if corrected else "",
    }


def _dump(path: Path, rows: list[dict]) -> None:
    cols = list(rows[0]) if rows else ["path"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
