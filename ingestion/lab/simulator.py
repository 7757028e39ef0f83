"""Laboratory results that reach the bureau as files: soil monitoring points and noise.

Real system: the county monitoring stations (and contracted labs) sample the planned soil points
once a year in a campaign (June to September) and the function-zone noise points once a quarter,
and hand the results over as spreadsheets or CSV exports of their LIMS — Chinese headers with the
unit in the header, GBK or UTF-8, a title row above the header in workbooks, values below the
detection limit written ``<0.05`` / ``未检出`` / ``ND``.

What the simulator writes (``zteco world generate``), into ``landing/monitoring/lab/``:

- ``soil/planned_points.csv`` (UTF-8): the plan's soil points, one row per year and point
  (base points every year, rotation points every other year, construction-land points from the year
  they were added);
- ``soil/<YYYY>/soil-<county>-<YYYY>.(xlsx|csv)``: one file per county and campaign, delivered when
  the campaign report is due (30 November): xlsx with sheets 农用地 / 建设用地, or CSV (UTF-8 or GBK);
- ``noise/<YYYY-Qn>/noise-<county>-<YYYY>Q<n>.(xlsx|csv)``: one file per county and quarter, delivered
  on the last day of the quarter.

Not every planned point is sampled every year (some county campaigns skip points), so coverage is
below 100 % in some county-years. Near the Pb-Zn mining areas (鲁甸, 巧家, 彝良) Cd, Pb and Zn are
elevated: some farmland points fall in safe use and a few in strict control (GB 15618-2018).

Injected on purpose (``world/lab_defects.csv``: file, sheet, row, kind, expected), each kind at
least once per year (soil) or quarter (noise) when the world has enough counties: a non-numeric
value, an unknown point code, a pH outside 0-14, a duplicated row, below-detection values written
as text (``<0.05``, ``未检出``: loaded), for noise a non-numeric level and a zone class that is not
in GB 3096-2008. The truth per sample is in ``world/lab_soil_truth.csv`` and
``world/lab_noise_truth.csv``.

Random streams 400-419 (see ``rng`` in world.py).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import openpyxl

from ingestion.common.home import Home
from ingestion.simulate.world import County, WorldConfig, load_counties, rng
from ingestion.standards import gb3096, gb15618, gb36600

MINING_COUNTIES = {"530621": 0.40, "530622": 0.35, "530628": 0.35}  # share of points near Pb-Zn mines
RAILWAY_COUNTIES = {"530602", "530623", "530624", "530681"}
LAND_USE_ZH = {"paddy": "水田", "orchard": "果园", "other": "旱地", "type1": "第一类用地", "type2": "第二类用地"}
POINT_TYPE_ZH = {"farmland": "农用地", "construction": "建设用地"}
# metal: (header, background median mg/kg, log sigma, mining factor median, detection limit)
METALS = {
    "cd": ("镉Cd(mg/kg)", 0.18, 0.45, 4.0, 0.01),
    "hg": ("汞Hg(mg/kg)", 0.09, 0.5, 1.5, 0.002),
    "as": ("砷As(mg/kg)", 11.0, 0.45, 1.5, 0.01),
    "pb": ("铅Pb(mg/kg)", 32.0, 0.4, 3.0, 0.1),
    "cr": ("铬Cr(mg/kg)", 75.0, 0.35, 1.0, 4.0),
    "cu": ("铜Cu(mg/kg)", 32.0, 0.4, 1.3, 1.0),
    "ni": ("镍Ni(mg/kg)", 36.0, 0.35, 1.0, 3.0),
    "zn": ("锌Zn(mg/kg)", 85.0, 0.35, 2.5, 1.0),
    "cr6": ("六价铬Cr6+(mg/kg)", 0.35, 0.6, 1.5, 0.5),
}
FARMLAND_METALS = ("cd", "hg", "as", "pb", "cr", "cu", "ni", "zn")
CONSTRUCTION_METALS = ("as", "cd", "cr6", "cu", "pb", "hg", "ni")
SOIL_HEAD = ["序号", "样品编号", "点位编码", "点位名称", "区县", "用地类型", "采样日期", "pH(无量纲)"]
NOISE_HEAD = ["序号", "点位编码", "点位名称", "区县", "功能区类别", "监测日期", "昼间等效声级Leq[dB(A)]",
              "夜间等效声级Leq[dB(A)]"]
PLANNED_HEAD = ["年度", "点位编码", "点位名称", "区县", "点位类别", "用地类型", "经度", "纬度"]
FIXED_TIME = datetime(2020, 1, 1, 8, 0)


@dataclass(frozen=True)
class SoilPoint:
    point_code: str
    name: str
    county_code: str
    point_type: str  # farmland / construction
    land_use: str  # paddy / orchard / other / type1 / type2
    lon: float
    lat: float
    ph_base: float
    near_mine: bool
    rotation: int  # 0: every year; 1/2: odd/even years
    first_year: int
    level: dict  # metal -> persistent factor


@dataclass(frozen=True)
class NoisePoint:
    point_code: str
    name: str
    county_code: str
    zone_class: str
    bias_day: float
    bias_night: float


def soil_points(cfg: WorldConfig) -> list[SoilPoint]:
    out = []
    for ci, c in enumerate(load_counties()):
        r = rng(cfg, 400, ci)
        mine_share = MINING_COUNTIES.get(c.county_code, 0.04)
        ph_mean = float(r.uniform(5.3, 7.0))
        n_farm = int(r.integers(14, 26)) * cfg.size
        n_cons = int(r.integers(3, 7)) * cfg.size
        short = c.name_zh[:-1]
        for k in range(n_farm + n_cons):
            farm = k < n_farm
            near = bool(r.random() < mine_share)
            level = {}
            for m, (_, _, sigma, mine_f, _) in METALS.items():
                f = float(np.exp(r.normal(0, sigma)))
                if near:
                    f *= float(mine_f * np.exp(r.normal(0, 0.5)))
                level[m] = f
            if farm:
                u = r.random()
                land_use = "paddy" if u < 0.35 else ("orchard" if u < 0.5 else "other")
                code, name = f"TR{c.county_code}{k + 1:03d}", f"{short}耕地{k + 1}号点"
                rotation = 0 if r.random() < 0.65 else int(r.integers(1, 3))
                first_year = 2020
            else:
                land_use = "type1" if r.random() < 0.4 else "type2"
                j = k - n_farm + 1
                code, name = f"JS{c.county_code}{j:03d}", f"{short}建设用地{j}号点"
                rotation = 0
                first_year = 2020 + int(r.integers(0, 3))
            out.append(SoilPoint(
                point_code=code, name=name, county_code=c.county_code, point_type="farmland" if farm else "construction",
                land_use=land_use, lon=round(c.lon + float(r.normal(0, 0.08)), 4),
                lat=round(c.lat + float(r.normal(0, 0.08)), 4),
                ph_base=float(np.clip(r.normal(ph_mean, 0.8), 4.2, 8.4)), near_mine=near, rotation=rotation,
                first_year=first_year, level=level,
            ))
    return out


def planned(p: SoilPoint, year: int) -> bool:
    return year >= p.first_year and (p.rotation == 0 or year % 2 == p.rotation % 2)


def noise_points(cfg: WorldConfig) -> list[NoisePoint]:
    out = []
    for ci, c in enumerate(load_counties()):
        r = rng(cfg, 410, ci)
        classes = ["1", "2", "3", "4a"]
        if c.county_code == "530602":
            classes.insert(0, "0")
        if c.county_code in RAILWAY_COUNTIES:
            classes.append("4b")
        county_bias = float(r.normal(0, 1.2))
        k = 0
        for z in classes:
            for _ in range(int(r.integers(1, 3)) * cfg.size):
                k += 1
                out.append(NoisePoint(f"ZS{c.county_code}{k:02d}", f"{c.name_zh[:-1]}{z}类区{k}号点", c.county_code, z,
                                      float(r.normal(-4, 2)) + county_bias,
                                      float(r.normal(-2.5 + (1.5 if z == "4a" else 0), 2)) + county_bias))
    return out


def soil_report_due(year: int) -> date:
    return date(year, 11, 30)


def quarter_end(year: int, q: int) -> date:
    return date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)


# ---------------------------------------------------------------- writing files

def _save_xlsx(path: Path, sheets: list[tuple[str, str, list[str], list[list]]]) -> None:
    """Sheets of (name, title row, header, rows); fixed timestamps so a re-run writes the same bytes."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, title, head, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.append(head)
        for row in rows:
            ws.append(row)
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", data)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    _write_bytes(path, out.getvalue())


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


def _csv_bytes(head: list[str], rows: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def _fmt(v: float, digits: int) -> str:
    return f"{v:.{digits}f}"


DIGITS = {"cd": 3, "hg": 3, "as": 2, "pb": 1, "cr": 1, "cu": 1, "ni": 1, "zn": 1, "cr6": 2}


@dataclass
class FileRow:
    """One row to write: its cells, where it ends up, and what the loader must do with it."""

    cells: list
    sample_id: str = ""
    point_code: str = ""
    expected: str = "loaded"
    kind: str = ""
    detail: str = ""
    truth: dict | None = None
    locked: bool = False  # a row already used by a defect (or copied by one): no second defect


def _file_format(r: np.random.Generator) -> str:
    u = r.random()
    return "xlsx" if u < 0.4 else ("csv-utf8" if u < 0.7 else "csv-gbk")


def _soil_rows(cfg: WorldConfig, county: County, ci: int, year: int, points: list[SoilPoint],
               kinds: list[str]) -> tuple[list[FileRow], list[FileRow]]:
    """(farmland rows, construction rows) of one county campaign, defects of ``kinds`` injected."""
    r = rng(cfg, 401, ci, year)
    skip_p = 0.0 if r.random() < 0.6 else float(r.uniform(0.05, 0.25))
    bdl_style = ["<DL", "未检出", "ND"][int(r.integers(0, 3))]
    farm: list[FileRow] = []
    cons: list[FileRow] = []
    seq = 0
    for p in points:
        if not planned(p, year):
            continue
        skipped = r.random() < skip_p
        day = date(year, 6, 1) + timedelta(days=int(r.integers(0, 122)))
        ph = round(float(np.clip(p.ph_base + r.normal(0, 0.12), 3.8, 8.8)), 2)
        metals = FARMLAND_METALS if p.point_type == "farmland" else CONSTRUCTION_METALS
        vals: dict[str, float | None] = {}
        shown: dict[str, str] = {}
        for m in METALS:
            _, median, _, _, dl = METALS[m]
            v = round(median * p.level[m] * float(np.exp(r.normal(0, 0.1))), DIGITS[m])
            if m not in metals:
                continue
            if v < dl:
                vals[m] = None
                shown[m] = f"<{dl:g}" if bdl_style == "<DL" else bdl_style
            else:
                vals[m] = v
                shown[m] = _fmt(v, DIGITS[m])
        if skipped:
            continue
        seq += 1
        sample_id = f"{p.point_code}-{year}"
        truth = {"year": year, "sample_id": sample_id, "point_code": p.point_code, "county_code": p.county_code,
                 "point_type": p.point_type, "land_use": p.land_use, "sampled_on": day.isoformat(), "ph": ph,
                 "near_mine": p.near_mine, **{m: vals.get(m) for m in METALS}}
        row = FileRow([None, sample_id, p.point_code, p.name, county.name_zh, LAND_USE_ZH[p.land_use],
                       day.isoformat(), _fmt(ph, 2)], sample_id, p.point_code, truth=truth)
        row.cells += [shown.get(m, "") for m in METALS]
        (farm if p.point_type == "farmland" else cons).append(row)
    for kind in kinds:
        target = farm if farm else cons
        if not target:
            break
        i = int(r.integers(0, len(target)))
        victim = target[i]
        while (victim.kind or victim.locked) and len(target) > 1:
            i = (i + 1) % len(target)
            victim = target[i]
        head_metals = list(METALS)
        if kind == "non_numeric":
            m = "pb" if any(x is victim for x in farm) else "as"
            j = len(SOIL_HEAD) + head_metals.index(m)
            bad = ["样品破损", "0.3l", "--"][int(r.integers(0, 3))]
            victim.cells[j] = bad
            victim.kind, victim.expected, victim.detail = kind, "quarantined", f"{m} = {bad!r}"
        elif kind == "ph_out_of_range":
            bad = f"{victim.truth['ph'] * 10:.1f}"
            victim.cells[7] = bad
            victim.kind, victim.expected, victim.detail = kind, "quarantined", f"pH {bad} (decimal point lost)"
        elif kind == "unknown_point":
            extra = FileRow(list(victim.cells), kind=kind, expected="quarantined")
            code = f"TR{county.county_code}9{int(r.integers(10, 99))}"
            extra.cells[1], extra.cells[2] = f"{code}-{year}", code
            extra.sample_id, extra.point_code, extra.detail = f"{code}-{year}", code, f"point {code} is not planned"
            target.insert(i + 1, extra)
        elif kind == "duplicate":
            dup = FileRow(list(victim.cells), victim.sample_id, victim.point_code, "duplicate", kind,
                          f"row of {victim.sample_id} repeated")
            victim.locked = True
            target.insert(i + 1, dup)
        elif kind in ("below_detection_lt", "below_detection_text"):
            m = "hg" if kind == "below_detection_lt" else "cd"
            j = len(SOIL_HEAD) + head_metals.index(m)
            text = "<0.05" if kind == "below_detection_lt" else "未检出"
            victim.cells[j] = text
            victim.truth = {**victim.truth, m: None}
            victim.kind, victim.detail = kind, f"{m} = {text!r}: loaded, below the detection limit"
    return farm, cons


def _noise_rows(cfg: WorldConfig, county: County, ci: int, year: int, q: int, points: list[NoisePoint],
                kinds: list[str]) -> list[FileRow]:
    r = rng(cfg, 411, ci, year, q)
    rows: list[FileRow] = []
    first = quarter_end(year, q).replace(day=1) - timedelta(days=1)  # last day of the quarter's middle month
    for p in points:
        day = first.replace(day=int(r.integers(5, 26)))
        lim_d, lim_n = gb3096.LIMITS[p.zone_class]
        season = 0.8 if q in (2, 3) else 0.0
        leq_d = round(lim_d + p.bias_day + float(r.normal(0, 2.2)) + season, 1)
        leq_n = round(lim_n + p.bias_night + float(r.normal(0, 2.6)) + season, 1)
        truth = {"year": year, "quarter": q, "point_code": p.point_code, "county_code": p.county_code,
                 "zone_class": p.zone_class, "measured_on": day.isoformat(), "leq_day": leq_d, "leq_night": leq_n}
        rows.append(FileRow([None, p.point_code, p.name, county.name_zh, f"{p.zone_class}类", day.isoformat(),
                             f"{leq_d:.1f}", f"{leq_n:.1f}"], point_code=p.point_code, truth=truth))
    for kind in kinds:
        if not rows:
            break
        i = int(r.integers(0, len(rows)))
        while (rows[i].kind or rows[i].locked) and len(rows) > 1:
            i = (i + 1) % len(rows)
        victim = rows[i]
        if kind == "non_numeric":
            victim.cells[7] = "仪器故障"
            victim.kind, victim.expected, victim.detail = kind, "quarantined", "night Leq '仪器故障'"
        elif kind == "unknown_zone_class":
            victim.cells[4] = "5类"
            victim.kind, victim.expected, victim.detail = kind, "quarantined", "zone class '5类'"
        elif kind == "duplicate":
            rows.insert(i + 1, FileRow(list(victim.cells), point_code=victim.point_code, expected="duplicate",
                                       kind=kind, detail=f"row of {victim.point_code} repeated"))
            victim.locked = True
    return rows


def _number(rows: list[FileRow]) -> None:
    n = 0
    for row in rows:
        if row.expected == "duplicate":
            row.cells[0] = n
        else:
            n += 1
            row.cells[0] = n


def _write(path: Path, fmt: str, sheets: list[tuple[str, str, list[str], list[FileRow]]]) -> list[tuple[str, int, FileRow]]:
    """Write a delivery; returns (sheet, row number, row) for every data row (CSV: sheet '' and line)."""
    located = []
    if fmt == "xlsx":
        _save_xlsx(path, [(name, title, head, [[_cell(v) for v in x.cells] for x in rows])
                          for name, title, head, rows in sheets])
        for name, _, _, rows in sheets:
            located += [(name, 3 + k, x) for k, x in enumerate(rows)]
    else:
        head = sheets[0][2]
        rows = [x for s in sheets for x in s[3]]
        _write_bytes(path, _csv_bytes(head, [x.cells for x in rows], "utf-8" if fmt == "csv-utf8" else "gbk"))
        located += [("", 2 + k, x) for k, x in enumerate(rows)]
    return located


def _cell(v):
    """Workbook cells: numbers as numbers (as a LIMS export writes them), text kept."""
    if isinstance(v, str):
        if re.fullmatch(r"-?\d+\.\d+", v):
            return float(v)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            return datetime.fromisoformat(v)
    return v


def _spread(r: np.random.Generator, kinds: list[str], n: int) -> dict[int, list[str]]:
    """Assign each defect kind to one of ``n`` deliveries."""
    out: dict[int, list[str]] = {}
    for k in kinds:
        out.setdefault(int(r.integers(0, n)), []).append(k)
    return out


SOIL_KINDS = ["non_numeric", "unknown_point", "ph_out_of_range", "duplicate", "below_detection_lt",
              "below_detection_text"]
NOISE_KINDS = ["non_numeric", "unknown_zone_class", "duplicate"]


def lab_root(home: Home) -> Path:
    return home.landing / "monitoring" / "lab"


def generate(cfg: WorldConfig, home: Home) -> dict:
    """Write the planned-point list and every delivery due by the world's end; truth into world/."""
    counties = load_counties()
    root = lab_root(home)
    spoints = soil_points(cfg)
    npoints = noise_points(cfg)
    years = range(cfg.start.year, cfg.end.year + 1)
    # The planned-point list: the plan's points of every year up to the world's last year.
    planned_rows = [[y, p.point_code, p.name, next(c.name_zh for c in counties if c.county_code == p.county_code),
                     POINT_TYPE_ZH[p.point_type], LAND_USE_ZH[p.land_use], p.lon, p.lat]
                    for y in years for p in spoints if planned(p, y)]
    _write_bytes(root / "soil" / "planned_points.csv", _csv_bytes(PLANNED_HEAD, planned_rows, "utf-8"))
    defects: list[dict] = []
    soil_truth: list[dict] = []
    noise_truth: list[dict] = []
    files = {"soil": 0, "noise": 0}
    written = 0

    def record(path: Path, located: list[tuple[str, int, FileRow]], truth: list[dict]) -> None:
        rel = path.relative_to(home.root).as_posix()
        for sheet, row_no, x in located:
            if x.kind:
                defects.append({"file": rel, "sheet": sheet, "row": row_no, "kind": x.kind, "expected": x.expected,
                                "detail": x.detail})
            if x.truth is not None and x.expected == "loaded":
                truth.append({**x.truth, "file": rel, "sheet": sheet, "row": row_no})

    for year in years:
        if soil_report_due(year) > cfg.end:
            continue
        fr = rng(cfg, 402, year)
        assigned = _spread(fr, SOIL_KINDS, len(counties))
        for ci, c in enumerate(counties):
            fmt = _file_format(fr)
            pts = [p for p in spoints if p.county_code == c.county_code]
            farm, cons = _soil_rows(cfg, c, ci, year, pts, assigned.get(ci, []))
            _number(farm + cons)
            ext = "xlsx" if fmt == "xlsx" else "csv"
            path = root / "soil" / str(year) / f"soil-{c.county_code}-{year}.{ext}"
            farm_head = SOIL_HEAD + [METALS[m][0] for m in METALS]
            title = f"{c.name_zh}{year}年土壤环境监测结果"
            if fmt == "xlsx":
                # Sheets carry only their own metals: drop the other columns.
                keep_f = [i for i, h in enumerate(farm_head) if i < len(SOIL_HEAD) or
                          list(METALS)[i - len(SOIL_HEAD)] in FARMLAND_METALS]
                keep_c = [i for i, h in enumerate(farm_head) if i < len(SOIL_HEAD) or
                          list(METALS)[i - len(SOIL_HEAD)] in CONSTRUCTION_METALS]
                for x in farm:
                    x.cells = [x.cells[i] for i in keep_f]
                for x in cons:
                    x.cells = [x.cells[i] for i in keep_c]
                sheets = [("农用地", title + "（农用地）", [farm_head[i] for i in keep_f], farm),
                          ("建设用地", title + "（建设用地）", [farm_head[i] for i in keep_c], cons)]
            else:
                sheets = [("", title, farm_head, farm + cons)]
            located = _write(path, fmt, sheets)
            record(path, located, soil_truth)
            files["soil"] += 1
            written += 1
    for year in years:
        for q in range(1, 5):
            if quarter_end(year, q) > cfg.end:
                continue
            fr = rng(cfg, 412, year, q)
            assigned = _spread(fr, NOISE_KINDS, len(counties))
            for ci, c in enumerate(counties):
                fmt = _file_format(fr)
                pts = [p for p in npoints if p.county_code == c.county_code]
                rows = _noise_rows(cfg, c, ci, year, q, pts, assigned.get(ci, []))
                _number(rows)
                ext = "xlsx" if fmt == "xlsx" else "csv"
                path = root / "noise" / f"{year}-Q{q}" / f"noise-{c.county_code}-{year}Q{q}.{ext}"
                located = _write(path, fmt, [("噪声监测结果", f"{c.name_zh}{year}年第{q}季度功能区声环境监测结果",
                                              NOISE_HEAD, rows)])
                record(path, located, noise_truth)
                files["noise"] += 1
    home.world.mkdir(parents=True, exist_ok=True)
    _dump(home.world / "lab_defects.csv", ["file", "sheet", "row", "kind", "expected", "detail"], defects)
    _dump(home.world / "lab_soil_truth.csv", ["file", "sheet", "row", "year", "sample_id", "point_code", "county_code",
                                              "point_type", "land_use", "sampled_on", "ph", "near_mine", *METALS],
          [{**t, "class": _truth_class(t)} for t in soil_truth], extra=["class"])
    _dump(home.world / "lab_noise_truth.csv", ["file", "sheet", "row", "year", "quarter", "point_code", "county_code",
                                               "zone_class", "measured_on", "leq_day", "leq_night"], noise_truth)
    kinds: dict[str, int] = {}
    for d in defects:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    return {"soil_points": len(spoints), "noise_points": len(npoints), "soil_files": files["soil"],
            "noise_files": files["noise"], "soil_samples": len(soil_truth), "noise_measurements": len(noise_truth),
            "defects": kinds}


def _truth_class(t: dict) -> str:
    if t["point_type"] == "farmland":
        return gb15618.classify_point({m: t[m] for m in FARMLAND_METALS}, t["ph"], t["land_use"]).soil_class
    return gb36600.classify_point({m: t[m] for m in CONSTRUCTION_METALS}, t["land_use"]).soil_class


def _dump(path: Path, columns: list[str], rows: list[dict], extra: list[str] | None = None) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns + (extra or []), extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow(row)
