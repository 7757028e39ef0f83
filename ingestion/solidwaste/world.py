"""The solid-waste side of the simulated world: what the provincial platform knows, version by version.

Hazardous-waste (HW) generators are the world's enterprises with a hazardous-waste output
(``emissions_2017['hw_t'] > 0``, the quantity the census reports); nearly all are registered on the
platform, a few known to the census or the online-monitoring registry are not
(``unregistered_generator``). For each generator and year the world keeps a true ledger per HW code:

    generated = transferred (manifested, shipped) + stored_end - stored_start + self-utilised + self-disposed

Storage is held in batches: the part of a year's waste not shipped is one batch stored from the last
quarter, shipped with the first manifests of the next year (an injected few stay longer than a year:
``stored_over_one_year``). Transfers are electronic manifests (generator → transporter → licensed
receiver) with their versions on the platform: normally first published once the receiver signed
(``received``) and closed a few days later; some published ``in_transit`` and received days later
(``manifest_received_late``), a few never received (``manifest_never_received``), some weighed on
receipt well below what was shipped (``weight_mismatch``), a few cancelled (not a transfer).
Declarations (due 31 March of the next year, some late) state the ledger; injected ones under-report
generation (``declaration_mismatch``), some are corrected later (``declaration_corrected``: the first
version's declared transfer was wrong). Receivers over their licensed capacity are found from the
receipts (one small in-city receiver is licensed too small). Medical waste: the city's three
disposal centres, monthly. General industrial solid waste: per generator and year.

Every registration says which wastes the unit is registered for (``waste_types``: ``HW``, ``ISW`` or
``HW,ISW``). A few large producers of general industrial solid waste (> 1,000 t/yr) whose hazardous waste
is only incidental (``Enterprise.hw_generator`` false) registered for general waste only (``ISW``): the
platform follows their general waste and storage facility, not a hazardous-waste ledger; the census still
reports their hazardous waste, so they count as HW generators not registered on the platform
(``unregistered_generator``, "registered for general industrial solid waste only").

Every record version carries ``updated_at``, the platform time it was published; the platform
simulator serves what existed at its clock. Every draw is ``rng(cfg, stream, …)`` with streams
500-549 and whole-year events drawn per (generator, year) over the whole calendar year, so a world with
a later end date has the same versions up to the earlier end (prefix stability). Only versions
published by the world's end (23:59:59) are written.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from ingestion.census.simulator import BASE_DAY
from ingestion.common.home import Home
from ingestion.simulate.enterprises import Enterprise, enterprises
from ingestion.simulate.world import WORLD_START, WorldConfig, rng

STREAM_GENERATORS = 500   # registration, codes, attributes
STREAM_LEDGER = 501       # (generator, year): generation, self-treatment, storage batch
STREAM_MANIFESTS = 502    # (generator, year): manifests and their faults
STREAM_DECLARATIONS = 503  # (generator, year): declaration time, under-reporting, correction
STREAM_MEDICAL = 504      # (centre, year): monthly medical waste
STREAM_ISW = 505          # (generator, year): general industrial solid waste
STREAM_UNREGISTERED = 506  # which known HW generators are missing from the platform
STREAM_ISW_ONLY = 507     # (enterprise): registered for general industrial solid waste only

TABLES = ("generators", "declarations", "manifests", "receivers", "storage", "medical_waste", "general_isw")

# HW codes of the 国家危险废物名录 (2021) used here: code → category.
HW_CODES = {
    "900-249-08": "HW08", "900-041-49": "HW49", "900-047-49": "HW49", "772-002-18": "HW18",
    "321-004-48": "HW48", "336-064-17": "HW17", "900-013-11": "HW11", "271-001-02": "HW02",
    "772-007-50": "HW50",
}
MAIN_CODE = {"3212": "321-004-48", "0912": "321-004-48", "7724": "772-002-18", "3360": "336-064-17",
             "2614": "900-013-11", "2710": "271-001-02", "4411": "772-007-50", "4620": "900-047-49"}
ISW_UTILISED = {"0610": 0.55, "0912": 0.3, "4411": 0.75, "3110": 0.85, "3212": 0.6, "3011": 0.9}
# Large general-waste producers with incidental HW: the share registered for general waste only.
ISW_ONLY_MIN_T = 1000.0
ISW_ONLY_SHARE = 0.12
TRANSPORTERS = ["昭通市危货运输有限公司", "云南环宇危险品运输有限公司", "昭通顺安物流有限公司", "曲靖通达危化品运输有限公司"]


@dataclass(frozen=True)
class Receiver:
    key: str
    uscc: str
    name: str
    county_code: str | None  # None: outside the city
    licence_no: str
    categories: tuple[str, ...]
    capacity_t: float
    activity: str
    weight: float  # share of the matching manifests it attracts


def receivers(cfg: WorldConfig) -> list[Receiver]:
    """Licensed receivers: four in the city (one licensed too small), others in Yunnan and beyond."""
    s = cfg.size
    rows = [
        ("HWR530602001", "91530602MA6K0001XA", "昭通市危险废物集中处置中心", "530602",
         ("HW02", "HW08", "HW11", "HW17", "HW18", "HW49", "HW50"), 9000, "disposal", 3.0),
        ("HWR530621001", "91530621MA6K0002XB", "鲁甸县再生资源废矿物油回收利用有限公司", "530621", ("HW08",),
         6000, "utilisation", 2.0),
        ("HWR530627001", "91530627MA6K0003XC", "镇雄县有色冶炼渣综合利用有限公司", "530627", ("HW48",), 60000,
         "utilisation", 2.0),
        ("HWR530681001", "91530681MA6K0004XD", "水富市环保科技有限公司", "530681", ("HW08", "HW49"), 1500,
         "both", 1.0),
        ("HWR530300001", "91530300MA6K0005XE", "曲靖市危险废物处置有限公司", None, ("HW17", "HW48", "HW18"), 80000,
         "both", 1.0),
        ("HWR530100001", "91530100MA6K0006XF", "云南省固体废物处置中心（昆明）", None,
         ("HW02", "HW11", "HW17", "HW18", "HW49", "HW50"), 30000, "disposal", 1.0),
        ("HWR511500001", "91511500MA6K0007XG", "宜宾市环境科技有限公司（四川）", None, ("HW08", "HW49"), 20000,
         "utilisation", 0.7),
        ("HWR520500001", "91520500MA6K0008XH", "毕节市金属回收利用有限公司（贵州）", None, ("HW48", "HW17"),
         80000, "utilisation", 0.8),
    ]
    return [Receiver(k, u, n, c, f"{(c or k[3:9])}{'危许'}{i + 1:03d}号", cats, cap * s,
                     act, w)
            for i, (k, u, n, c, cats, cap, act, w) in enumerate(rows)]


CENTRES = [("MWC530602", "昭通市医疗废物集中处置中心", "530602", 150.0),
           ("MWC530627", "镇雄县医疗废物集中处置中心", "530627", 55.0),
           ("MWC530681", "水富市医疗废物处置中心", "530681", 22.0)]


@dataclass
class Generator:
    index: int
    key: str
    e: Enterprise
    hw_t: float  # typical annual HW output
    codes: dict[str, float]  # hw_code → share
    registered_on: date | None  # None: not on the platform
    management_level: str
    compliant_storage: bool
    storage_checked_on: date | None
    isw_only: bool = False  # registered for general industrial solid waste only (no HW ledger on the platform)
    known_elsewhere: bool = False  # the census or the online-monitoring registry knows its HW

    @property
    def waste_types(self) -> str:
        if self.isw_only:
            return "ISW"
        return "HW,ISW" if self.e.emissions_2017["isw_t"] else "HW"

    @property
    def active_from(self) -> date:
        return max(self.e.founded, self.registered_on or self.e.founded)


@dataclass
class Batch:
    key: str
    generator: Generator
    hw_code: str
    quantity: float
    since: date
    removed: date
    year: int
    overdue: bool


@dataclass
class SolidWasteWorld:
    cfg: WorldConfig
    generators: list[Generator]
    receivers: list[Receiver]
    versions: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    anomalies: list[dict] = field(default_factory=list)
    truth: dict[tuple[str, int], dict[str, float]] = field(default_factory=dict)


def _dt(d: date, hours: float) -> datetime:
    return datetime.combine(d, time()) + timedelta(seconds=int(round(hours * 3600)))


def _day(r: np.random.Generator, first: date, last: date) -> date:
    return date.fromordinal(int(r.integers(first.toordinal(), max(first.toordinal(), last.toordinal()) + 1)))


def _iso(v):
    if isinstance(v, datetime):
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _census_knows(e: Enterprise) -> bool:
    """The census reports hazardous_waste_t of the industrial units it covered (not of 4620/7724 plants)."""
    return e.existed_on(BASE_DAY) and e.industry_code not in ("4620", "7724")


def build_generators(cfg: WorldConfig) -> list[Generator]:
    from ingestion.sources.simulator import outlets

    # The online-monitoring registry "knows" an HW generator through a wastewater outlet (the COD/NH3-N
    # analysers' spent reagents are HW49 900-047-49).
    registry = {o.enterprise.true_id for o in outlets(cfg) if o.outlet_type == "wastewater"}
    pop = [e for e in enterprises(cfg) if e.emissions_2017["hw_t"] > 0]
    known = [i for i, e in enumerate(pop) if (_census_knows(e) or e.true_id in registry)
             and (e.closed is None or e.closed > WORLD_START)]
    ru = rng(cfg, STREAM_UNREGISTERED)
    n_unreg = max(2, round(0.05 * len(known)))
    unregistered = {known[int(k)] for k in ru.permutation(len(known))[:n_unreg]}
    out = []
    for i, e in enumerate(pop):
        r = rng(cfg, STREAM_GENERATORS, i)
        d = r.random(8)
        hw = max(0.05, e.emissions_2017["hw_t"] * (1.0 if e.hw_generator else 0.1))
        main = MAIN_CODE.get(e.industry_code)
        if main and e.hw_generator:
            codes = {main: 0.8, "900-249-08": 0.15, "900-041-49": 0.05}
        elif e.hw_generator:
            codes = {"900-249-08": 0.7, "900-041-49": 0.3}
        else:
            codes = {"900-249-08": 1.0}
        if i in unregistered:
            reg = None
        elif e.founded < date(2019, 6, 1):
            reg = _day(r, max(date(2016, 1, 1), e.founded), date(2019, 12, 31))
        else:
            reg = e.founded + timedelta(days=30 + int(d[0] * 90))
        if reg is not None and e.closed is not None and e.closed <= reg:
            reg = _day(r, max(date(2016, 1, 1), e.founded), e.closed - timedelta(days=1))
        level = "key" if hw >= 100 else "simplified" if hw >= 10 else "registration"
        isw_only = (reg is not None and not e.hw_generator and e.emissions_2017["isw_t"] > ISW_ONLY_MIN_T
                    and float(rng(cfg, STREAM_ISW_ONLY, i).random()) < ISW_ONLY_SHARE)
        out.append(Generator(i, f"{'SWG' if isw_only else 'HWG'}{e.county_code}{i + 1:06d}", e, round(hw, 3),
                             codes, reg, "general" if isw_only else level, bool(d[1] < 0.88),
                             reg + timedelta(days=int(d[2] * 60)) if reg else None, isw_only,
                             _census_knows(e) or e.true_id in registry))
    return out


def _active_days(g: Generator, year: int) -> tuple[date, date] | None:
    first = max(date(year, 1, 1), g.active_from)
    last = date(year, 12, 31)
    if g.e.closed is not None:
        last = min(last, g.e.closed - timedelta(days=1))
    return (first, last) if first <= last else None


def simulate(cfg: WorldConfig) -> SolidWasteWorld:
    gens = build_generators(cfg)
    recs = receivers(cfg)
    w = SolidWasteWorld(cfg, gens, recs)
    end_dt = datetime.combine(cfg.end, time(23, 59, 59))
    years = range(WORLD_START.year, cfg.end.year + 1)
    by_cat: dict[str, list[Receiver]] = defaultdict(list)
    for rc in recs:
        for c in rc.categories:
            by_cat[c].append(rc)

    def publish(table: str, rec: dict) -> None:
        if rec["updated_at"] <= end_dt:
            w.versions[table].append({k: _iso(v) for k, v in rec.items()})

    def anomaly(kind: str, record_key: str, g_key: str, county: str | None, year: int | str, detail: str) -> None:
        w.anomalies.append({"kind": kind, "record_key": record_key, "generator_key": g_key,
                            "county_code": county or "", "year": year, "detail": detail})

    for rc in recs:
        publish("receivers", {
            "record_key": rc.key, "updated_at": datetime(2019, 12, 1, 9), "uscc": rc.uscc, "name": rc.name,
            "county_code": rc.county_code, "licence_no": rc.licence_no,
            "licensed_categories": ",".join(rc.categories), "licensed_capacity_t_per_year": float(rc.capacity_t),
            "licence_valid_from": date(2019, 1, 1), "licence_valid_to": date(2028, 12, 31),
            "activity": rc.activity})

    manifests: list[dict] = []  # every manifest of every year (numbered per year afterwards)
    batches: list[Batch] = []
    truth: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for g in gens:
        e = g.e
        if g.registered_on is not None:
            gv = {"record_key": g.key, "updated_at": _dt(g.registered_on, 10), "uscc": e.credit_code,
                  "name": e.name, "county_code": e.county_code, "industry_code": e.industry_code,
                  "registered_on": g.registered_on, "management_level": g.management_level,
                  "has_compliant_storage": g.compliant_storage, "storage_checked_on": g.storage_checked_on,
                  "general_isw_t_per_year": e.emissions_2017["isw_t"] or None, "waste_types": g.waste_types,
                  "status": "active"}
            publish("generators", gv)
            if e.closed is not None:
                publish("generators", {**gv, "updated_at": _dt(max(e.closed, g.registered_on), 16),
                                       "status": "closed"})
        else:
            continue  # not on the platform: nothing of it is published (its waste is not followed here)
        if g.isw_only:  # general waste only: its yearly general-waste report, no HW ledger
            for year in years:
                span = _active_days(g, year)
                if span is not None:
                    frac = ((span[1] - span[0]).days + 1) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)
                    _isw(cfg, w, g, year, frac, publish, truth)
            continue
        # The batch stored at the end of 2019 (the ledger's opening stock of 2020).
        prev_batches: list[Batch] = []
        r0 = rng(cfg, STREAM_LEDGER, g.index, WORLD_START.year - 1)
        if _active_days(g, WORLD_START.year) and g.active_from < WORLD_START:
            for code, share in g.codes.items():
                q = round(g.hw_t * share * float(r0.uniform(0.02, 0.12)), 3)
                if q > 0:
                    prev_batches.append(Batch(f"{g.key}-2019{HW_CODES[code]}{code[:3]}", g, code, q,
                                              _day(r0, date(2019, 10, 1), date(2019, 12, 20)),
                                              _day(r0, date(2020, 1, 10), date(2020, 5, 31)), 2019, False))
            batches.extend(prev_batches)
        for year in years:
            span = _active_days(g, year)
            if span is None:
                continue
            first, last = span
            frac = ((last - first).days + 1) / ((date(year, 12, 31) - date(year, 1, 1)).days + 1)
            rl = rng(cfg, STREAM_LEDGER, g.index, year)
            rm = rng(cfg, STREAM_MANIFESTS, g.index, year)
            rd = rng(cfg, STREAM_DECLARATIONS, g.index, year)
            level = g.hw_t * (1 + 0.03 * (year - 2020)) * float(rl.lognormal(0, 0.15)) * frac
            self_share = float(rl.uniform(0.05, 0.2)) if rl.random() < 0.12 else 0.0
            overdue_draw = rl.random(len(g.codes))
            closing = last < date(year, 12, 31)
            new_batches: list[Batch] = []
            ledgers = {}
            for ci, (code, share) in enumerate(g.codes.items()):
                gen_t = round(max(0.01, level * share), 3)
                self_u = round(gen_t * self_share * 0.6, 3)
                self_d = round(gen_t * self_share * 0.4, 3)
                start = [b for b in prev_batches if b.hw_code == code and b.since <= date(year, 1, 1) < b.removed]
                stored_start = round(sum(b.quantity for b in start), 3)
                q_new = 0.0 if closing else round(gen_t * float(rl.uniform(0.03, 0.15)), 3)
                overdue = bool(overdue_draw[ci] < 0.04)
                if q_new > 0:
                    since = _day(rl, date(year, 10, 1), date(year, 12, 20))
                    removed = (since + timedelta(days=int(rl.integers(380, 520)))) if overdue else \
                        _day(rl, date(year + 1, 1, 10), date(year + 1, 5, 31))
                    new_batches.append(Batch(f"{g.key}-{year}{HW_CODES[code]}{code[:3]}", g, code, q_new, since,
                                             removed, year, overdue))
                # Batches still held on 31 December (the new one, and an older overdue one).
                end_held = [b for b in [*prev_batches, *new_batches]
                            if b.hw_code == code and b.since <= date(year, 12, 31) < b.removed]
                stored_end = round(sum(b.quantity for b in end_held), 3)
                transferred = round(stored_start + gen_t - self_u - self_d - stored_end, 3)
                ledgers[code] = dict(generated_t=gen_t, self_utilised_t=self_u, self_disposed_t=self_d,
                                     transferred_t=transferred, stored_start_t=stored_start, stored_end_t=stored_end)
                # Manifests: the year's transfer split over shipments inside the active days.
                n = int(np.clip(rm.poisson(1.5 + transferred / 40), 1, 24))
                if transferred < 0.05:
                    n = 1
                parts = rm.dirichlet(np.ones(n)) * transferred
                days = sorted(_day(rm, first, last) for _ in range(n))
                shipped = [round(float(p), 3) for p in parts]
                shipped[-1] = round(transferred - sum(shipped[:-1]), 3)
                cat = HW_CODES[code]
                pool = by_cat[cat]
                wts = np.array([rc.weight for rc in pool])
                for k in range(n):
                    if shipped[k] <= 0:
                        continue
                    dr = rm.random(8)
                    rc = pool[int(rm.choice(len(pool), p=wts / wts.sum()))]
                    t_gen = _dt(days[k], 8 + dr[0] * 6)
                    t_tr = t_gen + timedelta(minutes=20 + int(dr[1] * 100))
                    far = rc.county_code is None
                    t_rec = t_tr + timedelta(hours=(10 if far else 2) + dr[2] * (30 if far else 8))
                    fate = "normal"
                    if dr[3] < 0.01:
                        fate = "never"
                    elif dr[3] < 0.06:
                        fate = "late"
                        t_rec = t_tr + timedelta(days=3 + int(dr[4] * 17), hours=dr[2] * 8)
                    if dr[5] < 0.02:
                        received = round(shipped[k] * (1 - 0.08 - dr[6] * 0.25), 3)
                    else:  # weighing noise within ±2 %; a few kilograms are weighed exactly
                        received = round(shipped[k] * (1 + (dr[6] - 0.5) * 0.04), 3)
                        if abs(received - shipped[k]) > 0.05 * shipped[k]:
                            received = shipped[k]
                    # as the platform holds the values (a few kilograms may round to the shipped weight)
                    weight_bad = abs(received - shipped[k]) > 0.05 * shipped[k]
                    manifests.append(dict(year=t_gen.year, g=g, rc=rc, code=code, shipped=shipped[k],
                                          received=received, t_gen=t_gen, t_tr=t_tr, t_rec=t_rec, fate=fate,
                                          weight_bad=weight_bad and fate != "never",
                                          t_close=t_rec + timedelta(days=1 + int(dr[7] * 6)), cancel=False))
                    truth[(e.county_code, year)]["transferred"] += shipped[k]
                # A cancelled manifest now and then (issued by mistake, never shipped: not a transfer).
                if rm.random() < 0.03:
                    d0 = _day(rm, first, last)
                    t_gen = _dt(d0, 9 + rm.random() * 5)
                    manifests.append(dict(year=t_gen.year, g=g, rc=pool[0], code=code,
                                          shipped=round(gen_t / max(n, 1), 3), received=None, t_gen=t_gen,
                                          t_tr=None, t_rec=None, fate="cancelled", weight_bad=False,
                                          t_close=t_gen + timedelta(hours=2 + rm.random() * 30), cancel=True))
                tr = truth[(e.county_code, year)]
                tr["hw_generated_t"] += gen_t
                tr["hw_utilised_disposed_t"] += self_u + self_d + transferred
                tr["hw_stored_start_t"] += stored_start
            batches.extend(new_batches)
            prev_batches = [b for b in [*prev_batches, *new_batches] if b.removed > date(year, 12, 31)]
            _declare(w, g, year, ledgers, rd, publish, anomaly, end_dt)
            _isw(cfg, w, g, year, frac, publish, truth)

    _number_manifests(w, manifests, publish, anomaly, end_dt)
    _storage(w, batches, publish, anomaly, end_dt)
    _over_capacity(w, anomaly)
    _medical(cfg, w, publish, truth)
    for gi in gens:
        if gi.registered_on is None:
            anomaly("unregistered_generator", gi.e.credit_code, "", gi.e.county_code, WORLD_START.year,
                    f"{gi.e.name}: HW generator known to "
                    + ("the census" if _census_knows(gi.e) else "the online-monitoring registry")
                    + " but not registered on the platform")
        elif gi.isw_only and gi.known_elsewhere:
            anomaly("unregistered_generator", gi.e.credit_code, gi.key, gi.e.county_code, WORLD_START.year,
                    f"{gi.e.name}: HW generator known to "
                    + ("the census" if _census_knows(gi.e) else "the online-monitoring registry")
                    + ", registered on the platform for general industrial solid waste only")
    w.truth = {k: dict(v) for k, v in truth.items()}
    for t in w.versions.values():
        t.sort(key=lambda r: (r["updated_at"], r["record_key"]))
    return w


def _declare(w, g: Generator, year: int, ledgers: dict, rd, publish, anomaly, end_dt) -> None:
    d = rd.random(6)
    late = d[0] < 0.1
    due = date(year + 1, 3, 31)
    day = _day(rd, date(year + 1, 4, 1), date(year + 1, 6, 30)) if late else _day(rd, date(year + 1, 1, 5), due)
    at = _dt(day, 9 + d[1] * 8)
    under = d[2] < 0.05 and sum(v["generated_t"] for v in ledgers.values()) > 0.2
    factor = 0.5 + d[3] * 0.3
    corrected = (not under) and d[4] < 0.06
    for code, v in ledgers.items():
        key = f"{g.key}-{year}-{code}"
        declared = dict(v)
        if under:
            declared["generated_t"] = round(v["generated_t"] * factor, 3)
        rec = {"record_key": key, "updated_at": at, "generator_key": g.key, "year": year, "hw_code": code,
               "hw_category": HW_CODES[code], **declared, "declared_at": at, "is_correction": False}
        if corrected:
            publish("declarations", {**rec, "transferred_t": round(v["transferred_t"] * (1.05 + d[5] * 0.1), 3)})
            # at least 35 days later: a month end (a monthly pull) always falls between the two versions
            fix = at + timedelta(days=35 + int(d[5] * 100))
            publish("declarations", {**rec, "updated_at": fix, "is_correction": True})
            if fix <= end_dt:
                anomaly("declaration_corrected", key, g.key, g.e.county_code, year,
                        f"declared transfer corrected on {fix.date()}")
        else:
            publish("declarations", rec)
        if under and at <= end_dt:
            anomaly("declaration_mismatch", key, g.key, g.e.county_code, year,
                    f"declared generated {declared['generated_t']} t, true {v['generated_t']} t")


def _isw(cfg, w, g: Generator, year: int, frac: float, publish, truth) -> None:
    isw = g.e.emissions_2017["isw_t"]
    if not isw:
        return
    r = rng(cfg, STREAM_ISW, g.index, year)
    d = r.random(5)
    gen_t = round(isw * frac * float(r.lognormal(0, 0.1)), 1)
    util = round(gen_t * float(np.clip(ISW_UTILISED.get(g.e.industry_code, 0.6) + (d[0] - 0.5) * 0.2, 0, 1)), 1)
    from_storage = round(gen_t * d[1] * 0.05, 1)
    disposed = round((gen_t - util) * (0.5 + d[2] * 0.4), 1)
    stored = round(gen_t - util - disposed, 1)
    at = _dt(_day(r, date(year + 1, 1, 5), date(year + 1, 3, 31)), 9 + d[3] * 8)
    publish("general_isw", {"record_key": f"{g.key}-{year}", "updated_at": at, "generator_key": g.key,
                            "year": year, "generated_t": gen_t, "utilised_t": util,
                            "utilised_from_storage_t": from_storage, "disposed_t": disposed, "stored_t": stored})
    tr = truth[(g.e.county_code, year)]
    tr["isw_generated_t"] += gen_t
    tr["isw_utilised_t"] += util


def _number_manifests(w, manifests: list[dict], publish, anomaly, end_dt) -> None:
    by_year: dict[int, list[dict]] = defaultdict(list)
    for m in manifests:
        by_year[m["year"]].append(m)
    for year, ms in sorted(by_year.items()):
        ms.sort(key=lambda m: (m["t_gen"], m["g"].key, m["code"]))
        for seq, m in enumerate(ms, start=1):
            g, no = m["g"], f"5306{year}{seq:05d}"
            base = {"record_key": no, "generator_key": g.key, "transporter_name": TRANSPORTERS[seq % 4],
                    "receiver_key": m["rc"].key, "hw_code": m["code"], "hw_category": HW_CODES[m["code"]],
                    "shipped_t": m["shipped"], "received_t": None, "generator_signed_at": m["t_gen"],
                    "transporter_signed_at": m["t_tr"], "receiver_signed_at": None,
                    "county_code": g.e.county_code}
            received = {**base, "received_t": m["received"], "receiver_signed_at": m["t_rec"], "status": "received"}
            if m["cancel"]:
                publish("manifests", {**base, "updated_at": m["t_gen"], "status": "issued"})
                publish("manifests", {**base, "updated_at": m["t_close"], "status": "cancelled"})
                continue
            if m["fate"] in ("late", "never"):
                publish("manifests", {**base, "updated_at": m["t_tr"], "status": "in_transit"})
            if m["fate"] == "never":
                if m["t_tr"] + timedelta(days=30) <= end_dt:
                    anomaly("manifest_never_received", no, g.key, g.e.county_code, year,
                            f"{m['shipped']} t shipped {m['t_tr']:%Y-%m-%d %H:%M}, never received")
                continue
            publish("manifests", {**received, "updated_at": m["t_rec"]})
            publish("manifests", {**received, "updated_at": m["t_close"], "status": "closed"})
            if m["t_rec"] <= end_dt:
                if m["fate"] == "late":
                    anomaly("manifest_received_late", no, g.key, g.e.county_code, year,
                            f"in transit from {m['t_tr']:%Y-%m-%d}, received {m['t_rec']:%Y-%m-%d}")
                if m["weight_bad"]:
                    anomaly("weight_mismatch", no, g.key, g.e.county_code, year,
                            f"shipped {m['shipped']} t, received {m['received']} t")
                w.truth.setdefault(("__receipts__", m["rc"].key, m["t_rec"].year), 0.0)
                w.truth[("__receipts__", m["rc"].key, m["t_rec"].year)] += m["received"]


def _over_capacity(w, anomaly) -> None:
    caps = {rc.key: rc for rc in w.receivers}
    for k in sorted(k for k in w.truth if k[0] == "__receipts__"):
        _, key, year = k
        total = w.truth.pop(k)
        if total > caps[key].capacity_t:
            anomaly("receiver_over_capacity", key, "", caps[key].county_code, year,
                    f"received {total:.3f} t in {year}, licensed {caps[key].capacity_t} t/yr")


def _storage(w, batches: list[Batch], publish, anomaly, end_dt) -> None:
    """Monthly inventory: each batch held at a month's end is one snapshot (a version of the batch)."""
    for b in batches:
        month = date(b.since.year, b.since.month, 1)
        flagged = False
        while True:
            nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            as_of = nxt - timedelta(days=1)
            if as_of >= b.removed or as_of < b.since:
                break
            at = _dt(nxt, 9 + (b.generator.index % 8))
            if at > end_dt:
                break
            publish("storage", {"record_key": b.key, "updated_at": at, "generator_key": b.generator.key,
                                "hw_code": b.hw_code, "hw_category": HW_CODES[b.hw_code], "stored_since": b.since,
                                "quantity_t": b.quantity, "as_of_date": as_of})
            if not flagged and (as_of - b.since).days > 365:
                flagged = True
                anomaly("stored_over_one_year", b.key, b.generator.key, b.generator.e.county_code, as_of.year,
                        f"{b.quantity} t of {b.hw_code} stored since {b.since}, still held on {as_of}")
            month = nxt


def _medical(cfg, w, publish, truth) -> None:
    for ci, (key, name, county, base) in enumerate(CENTRES):
        for year in range(WORLD_START.year, cfg.end.year + 1):
            r = rng(cfg, STREAM_MEDICAL, ci, year)
            d = r.random((12, 4))
            for m in range(12):
                month = date(year, m + 1, 1)
                covid = 1.25 if (year == 2020 and 2 <= m + 1 <= 5) or (year == 2022 and m + 1 >= 11) else 1.0
                gen_t = round(base * cfg.size * (1.04 ** (year - 2020)) * covid * (0.92 + 0.16 * d[m, 0]), 2)
                col = round(gen_t * (0.97 + 0.03 * d[m, 1]), 2)
                disp = round(col * (0.985 + 0.015 * d[m, 2]), 2)
                nxt = date(year + (m == 11), (m + 1) % 12 + 1, 1)
                at = _dt(nxt + timedelta(days=4), 10 + d[m, 3] * 6)
                publish("medical_waste", {"record_key": f"{key}-{year}-{m + 1:02d}", "updated_at": at,
                                          "centre_key": key, "centre_name": name, "county_code": county,
                                          "month": month, "collected_t": col, "disposed_t": disp,
                                          "generated_t": gen_t})
                if nxt - timedelta(days=1) <= cfg.end:
                    tr = truth[(county, year)]
                    tr["medical_generated_t"] += gen_t
                    tr["medical_disposed_t"] += disp


TRUTH_COLUMNS = ["county_code", "year", "hw_generated_t", "hw_utilised_disposed_t", "hw_stored_start_t",
                 "medical_generated_t", "medical_disposed_t", "isw_generated_t", "isw_utilised_t"]
ANOMALY_COLUMNS = ["kind", "record_key", "generator_key", "county_code", "year", "detail"]


def platform_dir(home: Home) -> Path:
    """The platform's own database (what the simulator serves): one JSON-lines file per table."""
    return home.world / "solidwaste_platform"


def write(home: Home, w: SolidWasteWorld) -> None:
    d = platform_dir(home)
    d.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        tmp = d / f".{t}.jsonl.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            for rec in w.versions.get(t, []):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.replace(d / f"{t}.jsonl")
    (d / "clock.txt").write_text(datetime.combine(w.cfg.end, time(23, 59, 59)).isoformat(sep=" "), encoding="utf-8")
    with (home.world / "solidwaste_anomalies.csv").open("w", encoding="utf-8", newline="") as f:
        cw = csv.DictWriter(f, fieldnames=ANOMALY_COLUMNS)
        cw.writeheader()
        cw.writerows(w.anomalies)
    # Truth per county and year, and the city: only years whose every report is in by the world's end
    # (declarations, late ones included, by 30 June of the next year).
    rows: dict[tuple[str, int], dict[str, float]] = {}
    for (county, year), v in w.truth.items():
        if date(year + 1, 6, 30) > w.cfg.end:
            continue
        for code in (county, "530600"):
            acc = rows.setdefault((code, year), {c: 0.0 for c in TRUTH_COLUMNS[2:]})
            for c in TRUTH_COLUMNS[2:]:
                acc[c] += v.get(c, 0.0)
    with (home.world / "solidwaste_truth.csv").open("w", encoding="utf-8", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(TRUTH_COLUMNS)
        for (county, year), v in sorted(rows.items()):
            cw.writerow([county, year, *(round(v[c], 3) for c in TRUTH_COLUMNS[2:])])
