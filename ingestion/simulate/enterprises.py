"""The true enterprise population of the simulated world and its identities in each source.

Every source system knows an enterprise under its own identity: the census by its 2017 credit
code and full name, the permit list by permit number (credit code sometimes missing), the
solid-waste platform and the online-monitoring registry by names spelled their own way. The
world keeps the truth (``true_id``) so the matching can be scored for precision and recall.

Discharge permits (排污许可): every key unit holds a 重点管理 permit; of the others, 70% hold a
简化管理 permit or an 登记管理 registration. The number is the credit code + a 3-digit sequence + P
(permit) or W (registration receipt), as the national permit platform issues them. The issue date
follows the national roll-out (key industries from mid-2017, simplified management and registration
in 2019-2020, full coverage by the end of 2020), with some late; an enterprise founded afterwards
gets its permit a few months after it starts. Those attributes come from their own random stream
(``rng(cfg, 21)``) so the draws of the original population are unchanged.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from ingestion.common import uscc
from ingestion.simulate.world import WorldConfig, load_counties, rng

HERE = Path(__file__).resolve().parent
ENTERPRISES_PER_SIZE = 320
TRADE_NAMES = [
    "鑫源", "恒达", "金鼎", "宏泰", "云岭", "乌蒙", "天麟", "华能", "瑞丰", "兴旺", "永昌", "昌盛", "聚源", "隆基",
    "祥和", "金沙", "滇东", "高原", "翠华", "龙腾", "福临", "安泰", "盛世", "新华", "利民", "众诚", "正大", "明珠",
    "宝山", "锦绣", "丰源", "顺达", "东升", "凯旋", "鸿运", "泰和", "康源", "绿源", "青山", "白水", "银河", "红星",
    "兴达", "汇丰", "长城", "天宇", "中兴", "德胜", "海天", "嘉禾",
]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
# Bracketed qualifiers some registered names carry (集团 companies, plants of a company).
QUALIFIERS = ["（集团）", "（昭通）", "（一厂）", "（二厂）"]
PERMIT_CATEGORIES = ("重点管理", "简化管理", "登记管理")


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_word: str
    weight: float
    key_unit_share: float
    heavy_metal: bool
    hw_share: float
    base: dict[str, float]  # 2017 annual emissions/generation of a typical unit


@dataclass(frozen=True)
class Enterprise:
    true_id: str
    credit_code: str
    name: str
    county_code: str
    industry_code: str
    longitude: float
    latitude: float
    founded: date
    closed: date | None
    permit_no: str | None
    is_key_unit: bool
    heavy_metal: bool
    hw_generator: bool
    emissions_2017: dict[str, float]  # t/yr; hm_kg in kg; hw_t and isw_t generated
    permit_category: str | None = None  # 重点管理 | 简化管理 | 登记管理 (None: no permit)
    permit_issued: date | None = None

    def existed_on(self, day: date) -> bool:
        return self.founded <= day and (self.closed is None or self.closed > day)


def load_industries() -> list[Industry]:
    keys = ("cod_t", "nh3n_t", "so2_t", "nox_t", "pm_t", "vocs_t", "hm_kg", "hw_t", "isw_t")
    with (HERE / "industries.csv").open(encoding="utf-8") as f:
        return [
            Industry(r["industry_code"], r["industry_name_zh"], r["name_word"], float(r["weight"]),
                     float(r["key_unit_share"]), r["heavy_metal"] == "1", float(r["hw_share"]),
                     {k: float(r[k]) for k in keys})
            for r in csv.DictReader(f)
        ]


def enterprises(cfg: WorldConfig) -> list[Enterprise]:
    """The enterprises that ever existed in the world (founded before or during the plan period)."""
    industries = load_industries()
    counties = load_counties()
    r = rng(cfg, 20)
    n = ENTERPRISES_PER_SIZE * cfg.size
    weights = np.array([i.weight for i in industries])
    ind_idx = r.choice(len(industries), size=n, p=weights / weights.sum())
    # bigger counties host more enterprises (镇雄, 昭阳, 彝良 …)
    county_w = np.array([3, 1.5, 1.2, 1, 0.8, 1.1, 0.6, 2.5, 1.4, 0.9, 0.9])[: len(counties)]
    cty_idx = r.choice(len(counties), size=n, p=county_w / county_w.sum())
    used_names: set[str] = set()
    out = []
    for k in range(n):
        ind, cty = industries[ind_idx[k]], counties[cty_idx[k]]
        while True:
            trade = TRADE_NAMES[int(r.integers(len(TRADE_NAMES)))] + (
                "" if r.random() < 0.6 else TRADE_NAMES[int(r.integers(len(TRADE_NAMES)))][0])
            place = "昭通" if r.random() < 0.3 else cty.name_zh[:-1]
            name = f"{place}{trade}{ind.name_word}{SUFFIXES[int(r.integers(3)) if r.random() < 0.3 else 0]}"
            if name not in used_names:
                used_names.add(name)
                break
        org_base = "".join(uscc.ALPHABET[int(i)] for i in r.integers(0, 10, 8)) if r.random() < 0.9 else \
            "MA" + "".join(uscc.ALPHABET[int(i)] for i in r.integers(0, 31, 6))
        code = uscc.make(cty.county_code, org_base)
        scale = float(r.lognormal(0, 0.8))
        founded = date(int(r.integers(1995, 2023)), int(r.integers(1, 13)), 1)
        closed = date(int(r.integers(2019, 2026)), int(r.integers(1, 13)), 1) if r.random() < 0.08 else None
        if closed and closed <= founded:
            closed = None
        key = bool(r.random() < ind.key_unit_share * min(1.0, 0.5 + scale / 2))
        permit = f"{code}001{'P' if key else 'U'}" if (key or r.random() < 0.7) else None
        out.append(Enterprise(
            true_id=f"E{k + 1:06d}", credit_code=code, name=name, county_code=cty.county_code,
            industry_code=ind.code, longitude=round(cty.lon + float(r.normal(0, 0.08)), 5),
            latitude=round(cty.lat + float(r.normal(0, 0.06)), 5), founded=founded, closed=closed,
            permit_no=permit, is_key_unit=key, heavy_metal=ind.heavy_metal,
            hw_generator=bool(r.random() < ind.hw_share),
            emissions_2017={k2: round(v * scale, 3) for k2, v in ind.base.items()},
        ))
    return _with_permits_and_qualifiers(cfg, out)


def _day_between(r: np.random.Generator, first: date, last: date) -> date:
    return date.fromordinal(int(r.integers(first.toordinal(), last.toordinal() + 1)))


def _with_permits_and_qualifiers(cfg: WorldConfig, population: list[Enterprise]) -> list[Enterprise]:
    """Permit category, number and issue date; a bracketed qualifier in some names (own stream)."""
    r = rng(cfg, 21)
    out = []
    for e in population:
        draws = r.random(4)
        name = e.name
        if draws[0] < 0.08:
            q = QUALIFIERS[int(draws[1] * len(QUALIFIERS))]
            suffix = next(s for s in sorted(SUFFIXES, key=len, reverse=True) if name.endswith(s))
            name = name[: -len(suffix)] + q + suffix if q == "（集团）" else name + q
        category = issued = permit = None
        if e.permit_no is not None:
            if e.is_key_unit:
                category = "重点管理"
                first, last = date(2017, 6, 1), date(2020, 9, 30)
            elif draws[2] < 0.6:
                category = "简化管理"
                first, last = date(2019, 1, 1), date(2020, 9, 30)
            else:
                category = "登记管理"
                first, last = date(2019, 10, 1), date(2020, 9, 30)
            if draws[3] < 0.08:  # late: the unit applied only after the roll-out
                first, last = date(2021, 1, 1), date(2023, 6, 30)
            issued = _day_between(r, first, last)
            started = date.fromordinal(e.founded.toordinal() + 60)
            if issued < started:
                issued = _day_between(r, started, date.fromordinal(started.toordinal() + 180))
            if e.closed is not None and e.closed <= issued:
                category = issued = None  # closed before it was ever permitted
            else:
                permit = f"{e.credit_code}001{'W' if category == '登记管理' else 'P'}"
        out.append(replace(e, name=name, permit_no=permit, permit_category=category, permit_issued=issued))
    return out
