"""Parse the pollution-source online-monitoring landing into the Parquet lake.

Input: ``landing/monitoring/sources/hj212/date=YYYY-MM-DD/*.hj212`` (one packet per line, as
received: the simulator's ``sources-*.hj212`` and the TCP receiver's ``recv-*.hj212``), the device
registry ``landing/monitoring/registry/source_devices.csv`` and the permitted limits
``landing/monitoring/sources/source_limits.csv``.

Output (long format, one row per packet and parameter, the data flag kept on every value):
``lake/monitoring/source_hourly`` (CN=2061), ``source_daily`` (CN=2031), ``source_minute``
(CN=2051), each partitioned by the DataTime day; ``lake/monitoring/source_devices`` and
``source_limits``; quarantines ``lake/quarantine/monitoring/source_hj212`` (packet, line, rule,
reason) and ``lake/quarantine/monitoring/source_registry``. Per landing file:
received = loaded + quarantined + duplicates, where a duplicate is the same MN, CN, DataTime and
content seen again in the day's files; the same MN, CN and DataTime with *other* content is
quarantined as ``conflicting_resend`` (the first packet stands).

The packets are decoded and checked column-wise (:func:`parse_day`: ``ingestion.hj212.columnar`` and
Arrow/numpy); :func:`parse_day_per_packet` is the former per-packet loop, kept as the reference that
the tests compare it with (same lake rows, quarantine rows and counts).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.common import uscc
from ingestion.common.home import Home
from ingestion.common.lake import QUARANTINE_SCHEMA, FileLoad, replace_partition
from ingestion.hj212.codec import Hj212Error, Packet, parse_datatime, parse_packet
from ingestion.hj212.columnar import ITEM_SCHEMA, PACKET_SCHEMA, decode_file

SOURCE = "monitoring.hj212.sources"
REGISTRY_SOURCE = "monitoring.sources_registry"
VALID_FLAGS = frozenset("NFMSDCTB")
SUFFIX = {"2061": "Avg", "2031": "Avg", "2051": "Avg"}
TABLE = {"2061": "source_hourly", "2031": "source_daily", "2051": "source_minute"}
OUTLET_TYPES = {"flue_gas": "31", "wastewater": "32"}

VALUE_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("source_file", pa.string()),
        ("line_no", pa.int64()),
        ("qn", pa.string()),
        ("mn", pa.string()),
        ("st", pa.string()),
        ("cn", pa.string()),
        ("data_time", pa.timestamp("us")),
        ("pollutant_code", pa.string()),
        ("avg_value", pa.float64()),
        ("cou_value", pa.float64()),
        ("flag", pa.string()),
    ]
)

DEVICE_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("line_no", pa.int64()),
        ("mn", pa.string()),
        ("outlet_code", pa.string()),
        ("outlet_name", pa.string()),
        ("outlet_type", pa.string()),
        ("st", pa.string()),
        ("enterprise_credit_code", pa.string()),  # valid GB 32100-2015 codes only
        ("enterprise_credit_code_raw", pa.string()),  # as typed in the registry
        ("enterprise_name", pa.string()),
        ("county_code", pa.string()),
        ("industry_code", pa.string()),
        ("longitude", pa.float64()),
        ("latitude", pa.float64()),
        ("parameters", pa.string()),
        ("required_from", pa.date32()),
        ("networked", pa.bool_()),
        ("networked_on", pa.date32()),
    ]
)

LIMIT_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("line_no", pa.int64()),
        ("outlet_code", pa.string()),
        ("mn", pa.string()),
        ("pollutant_code", pa.string()),
        ("pollutant_name_zh", pa.string()),
        ("lower_limit", pa.float64()),
        ("upper_limit", pa.float64()),
        ("unit", pa.string()),
        ("standard", pa.string()),
        ("clause", pa.string()),
        ("assumed", pa.bool_()),
    ]
)


def landing_root(home: Home) -> Path:
    return home.landing / "monitoring" / "sources" / "hj212"


def registry_file(home: Home) -> Path:
    return home.landing / "monitoring" / "registry" / "source_devices.csv"


def limits_file(home: Home) -> Path:
    return home.landing / "monitoring" / "sources" / "source_limits.csv"


@dataclass(frozen=True)
class Device:
    mn: str
    pw: str
    st: str
    outlet_code: str


# -- registry and limits ---------------------------------------------------------------------------


@dataclass
class RegistryLoad:
    files: list[FileLoad]
    devices: int
    limits: int
    quarantine: list[dict]


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        out = []
        prev = reader.line_num
        for rec in reader:
            out.append((prev + 1, {k: (v or "").strip() for k, v in rec.items() if k is not None}))
            prev = reader.line_num
        return out


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _float(text: str) -> float | None:
    if not text:
        return None
    v = float(text)
    if not math.isfinite(v):
        raise ValueError(f"{text!r} is not a finite number")
    return v


def load_registry(home: Home, load_id: str) -> RegistryLoad:
    """Land the device registry and the limits file; rows that fail a rule go to the quarantine."""
    quarantine: list[dict] = []
    files: list[FileLoad] = []
    devices: list[dict] = []
    limits: list[dict] = []
    for path, sink, parse in (
        (registry_file(home), devices, _device_row),
        (limits_file(home), limits, _limit_row),
    ):
        if not path.exists():
            continue  # no online-monitoring delivery in this home: nothing to land, the lake keeps what it has
        rel = str(path.relative_to(home.root))
        rows = _read_csv(path)
        fl = FileLoad(load_id, REGISTRY_SOURCE, "all", rel, received=len(rows))
        seen: set[tuple] = set()
        for line_no, rec in rows:
            try:
                row = parse(rec)
                key = (row["mn"], row.get("pollutant_code"))
                if key in seen:
                    raise ValueError(f"{'/'.join(str(k) for k in key if k)} appears twice")
                seen.add(key)
            except (ValueError, KeyError) as e:
                quarantine.append(
                    {
                        "load_id": load_id,
                        "source_file": rel,
                        "line_no": line_no,
                        "raw": ",".join(rec.values()),
                        "rule": "bad_registry_row",
                        "reason": f"{rel} line {line_no}: {e}",
                    }
                )
                fl.quarantined += 1
                continue
            row.update(load_id=load_id, line_no=line_no)
            sink.append(row)
            fl.loaded += 1
        fl.finished_at = datetime.now()
        files.append(fl)
    if not files:
        return RegistryLoad(files, 0, 0, quarantine)
    name = f"{load_id.replace(':', '_')}.parquet"
    replace_partition(
        home.lake / "monitoring" / "source_devices", name, pa.Table.from_pylist(devices, schema=DEVICE_SCHEMA)
    )
    replace_partition(
        home.lake / "monitoring" / "source_limits", name, pa.Table.from_pylist(limits, schema=LIMIT_SCHEMA)
    )
    replace_partition(
        home.quarantine / "monitoring" / "source_registry",
        name,
        pa.Table.from_pylist(quarantine, schema=QUARANTINE_SCHEMA),
    )
    return RegistryLoad(files, len(devices), len(limits), quarantine)


def _device_row(rec: dict[str, str]) -> dict:
    mn, pw = rec["mn"], rec["pw"]
    if len(mn) != 24 or not mn.isalnum():
        raise ValueError(f"MN {mn!r} is not 24 letters or digits")
    if not pw:
        raise ValueError(f"MN {mn} has no password")
    if rec["outlet_type"] not in OUTLET_TYPES:
        raise ValueError(f"outlet_type {rec['outlet_type']!r} is not flue_gas or wastewater")
    if rec["st"] != OUTLET_TYPES[rec["outlet_type"]]:
        raise ValueError(f"ST {rec['st']} does not fit outlet_type {rec['outlet_type']}")
    if not rec["outlet_code"] or not rec["county_code"]:
        raise ValueError("outlet_code and county_code are required")
    raw_code = rec.get("enterprise_credit_code") or None
    networked = {"true": True, "false": False}.get(rec["networked"].lower())
    if networked is None:
        raise ValueError(f"networked {rec['networked']!r} is not true/false")
    return {
        "mn": mn,
        "outlet_code": rec["outlet_code"],
        "outlet_name": rec.get("outlet_name"),
        "outlet_type": rec["outlet_type"],
        "st": rec["st"],
        "enterprise_credit_code": raw_code if uscc.is_valid(raw_code) else None,
        "enterprise_credit_code_raw": raw_code,
        "enterprise_name": rec.get("enterprise_name") or None,
        "county_code": rec["county_code"],
        "industry_code": rec.get("industry_code") or None,
        "longitude": _float(rec.get("longitude", "")),
        "latitude": _float(rec.get("latitude", "")),
        "parameters": rec.get("parameters"),
        "required_from": _date(rec.get("required_from", "")),
        "networked": networked,
        "networked_on": _date(rec.get("networked_on", "")),
        "_pw": pw,
    }


def _limit_row(rec: dict[str, str]) -> dict:
    upper = _float(rec["upper_limit"])
    if upper is None:
        raise ValueError(f"{rec['pollutant_code']} of {rec['outlet_code']} has no upper limit")
    lower = _float(rec.get("lower_limit", ""))
    if lower is not None and lower >= upper:
        raise ValueError(f"lower limit {lower:g} is not below the upper limit {upper:g}")
    return {
        "outlet_code": rec["outlet_code"],
        "mn": rec["mn"],
        "pollutant_code": rec["pollutant_code"],
        "pollutant_name_zh": rec.get("pollutant_name_zh"),
        "lower_limit": lower,
        "upper_limit": upper,
        "unit": rec.get("unit"),
        "standard": rec.get("standard"),
        "clause": rec.get("clause"),
        "assumed": rec.get("assumed", "").lower() == "true",
    }


def registry_devices(home: Home) -> dict[str, Device]:
    """Devices that authenticate packets: the registry export's rows that pass the row rules."""
    out: dict[str, Device] = {}
    if not registry_file(home).exists():
        return out
    for _, rec in _read_csv(registry_file(home)):
        try:
            row = _device_row(rec)
        except (ValueError, KeyError):
            continue
        out[row["mn"]] = Device(row["mn"], row["_pw"], row["st"], row["outlet_code"])
    return out


# -- packets -------------------------------------------------------------------------------------


class _Reject(Exception):
    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _number(key: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        raise _Reject("bad_value", f"{key}={text!r} is not a number") from None
    if not math.isfinite(v):
        raise _Reject("bad_value", f"{key}={text!r} is not a finite number")
    return v


def packet_values(
    p: Packet, devices: dict[str, Device]
) -> tuple[datetime, list[tuple[str, float | None, float | None, str | None]]]:
    """(DataTime, [(pollutant code, Avg, Cou, Flag)]) of one packet, or raise _Reject."""
    dev = devices.get(p.mn)
    if dev is None:
        raise _Reject("unknown_mn", f"MN {p.mn} is not in the source device registry")
    if p.pw != dev.pw:
        raise _Reject("bad_password", f"PW for MN {p.mn} ({dev.outlet_code}) does not match the registry")
    if p.st != dev.st:
        raise _Reject("unexpected_st", f"ST={p.st} on outlet {dev.outlet_code} (registered ST={dev.st})")
    if p.cn not in SUFFIX:
        raise _Reject(
            "unsupported_cn", f"CN={p.cn} is not a data upload this loader handles (2051, 2061, 2031)"
        )
    if "DataTime" not in p.cp:
        raise _Reject("missing_field", "CP has no DataTime")
    try:
        dt = parse_datatime(p.cp["DataTime"])
    except Hj212Error as e:
        raise _Reject(e.rule, e.reason) from None
    values = []
    for code, items in p.pollutants().items():
        flag = items.get("Flag")
        if flag is not None and flag not in VALID_FLAGS:
            raise _Reject("bad_flag", f"{code}-Flag={flag!r} is not an HJ 212 data flag")
        avg = _number(f"{code}-Avg", items.get(SUFFIX[p.cn]))
        cou = _number(f"{code}-Cou", items.get("Cou"))
        values.append((code, avg, cou, flag))
    if not values:
        raise _Reject("missing_field", "CP has no pollutant values")
    return dt, values


@dataclass
class DayLoad:
    day: date
    files: list[FileLoad]
    rows: dict[str, int] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)


def load_day(home: Home, day: date, load_id: str, devices: dict[str, Device]) -> DayLoad:
    """Parse every landing file of one day and replace the day's lake partitions."""
    tables, out = parse_day(home, day, load_id, devices)
    part = f"date={day.isoformat()}"
    name = f"{load_id.replace(':', '_')}.parquet"
    for table, t in tables.items():
        _write(home.lake / "monitoring" / table / part, name, t)
    _write(
        home.quarantine / "monitoring" / "source_hj212" / part,
        name,
        pa.Table.from_pylist(out.quarantine, schema=QUARANTINE_SCHEMA),
    )
    return out


_STRICT_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"  # what float() and Arrow's cast read alike; others: the per-packet path
_AVG = "Avg"
if set(SUFFIX.values()) != {_AVG}:  # pragma: no cover - parse_day reads one value suffix for every CN
    raise AssertionError("parse_day assumes the Avg suffix for every CN")


def _datatimes(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``DataTime`` strings → (datetime64[us], ok). ``ok`` is False where :func:`parse_datatime` would not
    return a time (not 14 digits, not a calendar time): those packets take the per-packet path."""
    n = len(text)
    out = np.zeros(n, dtype="datetime64[us]")
    ok = pc.match_substring_regex(text, r"^[0-9]{14}$").fill_null(False).to_numpy(zero_copy_only=False).copy()
    sel = np.flatnonzero(ok)
    if len(sel) == 0:
        return out, ok
    fixed = text.take(pa.array(sel))
    first = int(np.frombuffer(fixed.buffers()[1], dtype=np.int32)[fixed.offset])
    d = np.frombuffer(fixed.buffers()[2], dtype=np.uint8)[first : first + 14 * len(sel)].reshape(-1, 14)
    d = d.astype(np.int64) - 48
    num = [
        d[:, a:b] @ (10 ** np.arange(b - a - 1, -1, -1))
        for a, b in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14))
    ]
    year, month, mday, hour, minute, second = num
    month_start = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    days_in_month = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(
        np.int64
    )
    valid = (
        (year >= 1)
        & (month >= 1)
        & (month <= 12)
        & (mday >= 1)
        & (mday <= days_in_month)
        & (hour < 24)
        & (minute < 60)
        & (second < 60)
    )
    t = (month_start.astype("datetime64[D]") + (mday - 1)).astype("datetime64[us]")
    t = t + ((hour * 60 + minute) * 60 + second) * 1_000_000
    out[sel] = t
    ok[sel] = valid
    return out, ok


def _codes(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    enc = pc.dictionary_encode(a)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _np(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A writable numpy copy of an Arrow array without nulls."""
    return np.array(a.to_numpy(zero_copy_only=False))


def _constant(text: str, n: int) -> pa.Array:
    """A string array of ``n`` times ``text``, built from buffers."""
    raw = text.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(raw)
    if offsets[-1] >= 2**31:
        return pa.array([text] * n, pa.string())
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(raw * n))


def _pick(values: pa.Array, src: np.ndarray) -> pa.Array:
    """values[src[g]] for every g, null where src[g] < 0."""
    return values.take(pa.array(np.maximum(src, 0), mask=src < 0))


def _runs_are_groups(run_pk: np.ndarray, run_code: np.ndarray) -> bool:
    """True when no (packet, code) occurs in two runs (``run_pk`` ascending): each packet has as many
    distinct codes as runs. Checked exactly with one bit per code when there are at most 64 codes."""
    if len(run_pk) == 0:
        return True
    if run_code.max() >= 64:
        return False
    starts = np.flatnonzero(np.r_[True, run_pk[1:] != run_pk[:-1]])
    bits = np.bitwise_or.reduceat(np.left_shift(np.uint64(1), run_code.astype(np.uint64)), starts)
    return bool((np.bitwise_count(bits) == np.diff(np.r_[starts, len(run_pk)])).all())


def parse_day(
    home: Home, day: date, load_id: str, devices: dict[str, Device]
) -> tuple[dict[str, pa.Table], DayLoad]:
    """Parse every landing file of one day into the value tables (by CN) and the day's load counts.

    Columnar: each file is decoded by :func:`~ingestion.hj212.columnar.decode_file` (Arrow columns, CRC
    verified) and the rules of :func:`packet_values` (registry, password, ST, CN, DataTime, data flags,
    numbers) are applied to whole columns; a packet that the columns cannot settle exactly (any rule broken,
    a value that is not a plain decimal number …) goes through :func:`packet_values` itself. Duplicates,
    conflicting resends (the first packet stands) and the wrong-day rule are resolved over the day's files in
    file and line order. The result equals :func:`parse_day_per_packet`.
    """
    folder = landing_root(home) / f"date={day.isoformat()}"
    out = DayLoad(day, [])
    rels: list[str] = []
    decoded = []
    for path in sorted(folder.glob("*.hj212")) if folder.exists() else []:
        rel = str(path.relative_to(home.root))
        dec = decode_file(path.read_bytes())
        rels.append(rel)
        decoded.append(dec)
        out.files.append(FileLoad(load_id, SOURCE, day.isoformat(), rel, received=len(dec)))
    rejects: list[tuple[int, int, str, str]] = []  # (file, line index, rule, reason)
    for f, dec in enumerate(decoded):
        rejects += [(f, i, e.rule, e.reason) for i, e in dec.errors.items()]
    tables = {t: VALUE_SCHEMA.empty_table() for t in TABLE.values()}

    def with_file(t: pa.Table, f: int) -> pa.Table:
        return t.append_column("file", pa.array(np.full(t.num_rows, f, dtype=np.int64)))

    if decoded:
        pk = pa.concat_tables([with_file(d.packets, f) for f, d in enumerate(decoded)]).combine_chunks()
        it = pa.concat_tables([with_file(d.items, f) for f, d in enumerate(decoded)]).combine_chunks()
    else:
        pk = with_file(PACKET_SCHEMA.empty_table(), 0)
        it = with_file(ITEM_SCHEMA.empty_table(), 0)
    n_p = pk.num_rows
    p_file, p_line = _np(pk["file"]).astype(np.int64), _np(pk["line"]).astype(np.int64)
    stride = max((len(d) for d in decoded), default=0) + 1
    i_pk = np.searchsorted(
        p_file * stride + p_line, _np(it["file"]).astype(np.int64) * stride + _np(it["line"]).astype(np.int64)
    )

    # registry, password, ST, CN
    dev = list(devices.values())
    if dev and n_p:
        di = pc.index_in(pk["mn"], value_set=pa.array([d.mn for d in dev], pa.string()))
        known = _np(di.is_valid())
        di = di.fill_null(0)
        simple = known.copy()
        for attr in ("pw", "st"):
            registered = pa.array([getattr(d, attr) for d in dev], pa.string()).take(di)
            simple &= _np(pc.equal(pk[attr], registered).fill_null(False))
    else:
        simple = np.zeros(n_p, dtype=bool)
    simple &= _np(pc.is_in(pk["cn"], value_set=pa.array(list(SUFFIX), pa.string())))
    # Keys repeat from packet to packet: read each distinct key once (DataTime? pollutant code? suffix?)
    enc = pc.dictionary_encode(it["key"]).combine_chunks()
    key_of = _np(enc.indices).astype(np.int64)
    distinct = enc.dictionary.to_pylist()
    code_names: dict[str, int] = {}
    key_code = np.full(len(distinct) + 1, -1, dtype=np.int64)  # pollutant code id, -1 without '-'
    key_suffix = np.full(len(distinct) + 1, -1, dtype=np.int64)  # 0 Avg, 1 Cou, 2 Flag, -1 other
    for u, key in enumerate(distinct):
        code, sep, suffix = key.partition("-")
        if sep:
            key_code[u] = code_names.setdefault(code, len(code_names))
            key_suffix[u] = {_AVG: 0, "Cou": 1, "Flag": 2}.get(suffix, -1)
    values = it["value"].combine_chunks()
    # DataTime
    dt_at = (
        np.flatnonzero(key_of == distinct.index("DataTime"))
        if "DataTime" in distinct
        else np.zeros(0, np.int64)
    )
    p_dt = np.zeros(n_p, dtype="datetime64[us]")
    dt_ok = np.zeros(n_p, dtype=bool)
    dts, oks = _datatimes(values.take(pa.array(dt_at, pa.int64())))
    p_dt[i_pk[dt_at]] = dts
    dt_ok[i_pk[dt_at]] = oks
    simple &= dt_ok
    # pollutants: items "<code>-<suffix>", grouped by code in order of first appearance within the packet
    has = np.flatnonzero(key_code[key_of] >= 0)
    g_pk, cid, g_suffix = i_pk[has], key_code[key_of[has]], key_suffix[key_of[has]]
    # usually the items of one pollutant are consecutive: then the groups are the runs of (packet, code)
    new_run = np.r_[True, (g_pk[1:] != g_pk[:-1]) | (cid[1:] != cid[:-1])] if len(has) else np.zeros(0, bool)
    run_at = np.flatnonzero(new_run)
    if _runs_are_groups(g_pk[run_at], cid[run_at]):
        gid = np.cumsum(new_run) - 1
        grp_item = run_at
    else:
        n_codes = max(len(code_names), 1)
        _, first, inverse = np.unique(g_pk * n_codes + cid, return_index=True, return_inverse=True)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        gid = rank[inverse.reshape(-1)]  # group of each item, groups in packet order then first appearance
        grp_item = first[order]
    grp_pk = g_pk[grp_item]
    n_g = len(grp_item)
    src = {}
    for k, s in enumerate((_AVG, "Cou", "Flag")):
        idx = np.full(n_g, -1, dtype=np.int64)
        sel = np.flatnonzero(g_suffix == k)
        idx[gid[sel]] = has[sel]  # index into the items
        src[s] = idx
    grp_code = pa.array(list(code_names), pa.string()).take(pa.array(cid[grp_item], pa.int64()))
    grp_flag = _pick(values, src["Flag"])
    grp_ok = _np(pc.is_in(grp_flag, value_set=pa.array(sorted(VALID_FLAGS))).fill_null(False)) | (
        src["Flag"] < 0
    )
    grp_num = {}
    for s in (_AVG, "Cou"):
        text = _pick(values, src[s])
        strict = _np(pc.match_substring_regex(text, _STRICT_NUMBER).fill_null(False))
        num = pc.cast(pc.if_else(pa.array(strict), text, pa.scalar(None, pa.string())), pa.float64())
        grp_ok &= (src[s] < 0) | (strict & np.isfinite(_np(num.fill_null(0.0))))
        grp_num[s] = num
    simple &= np.bincount(grp_pk, minlength=n_p) > 0
    simple[grp_pk[~grp_ok]] = False

    # the rest: packet_values itself
    raws: dict[int, str] = {}

    def raw_of(r: int) -> str:
        if r not in raws:
            raws[r] = decoded[p_file[r]].lines[int(p_line[r])].as_py()
        return raws[r]

    py_values: dict[int, list] = {}
    for r in np.flatnonzero(~simple).tolist():
        try:
            dt, py_values[r] = packet_values(parse_packet(raw_of(r)), devices)
        except _Reject as e:
            rejects.append((int(p_file[r]), int(p_line[r]), e.rule, e.reason))
            continue
        p_dt[r] = np.datetime64(dt, "us")
    valid = simple.copy()
    valid[list(py_values)] = True

    # duplicates, conflicting resends (the first packet stands), wrong day
    v = np.flatnonzero(valid)
    loaded = np.zeros(n_p, dtype=bool)
    duplicate = np.zeros(n_p, dtype=bool)
    if len(v):
        keys = np.stack([_codes(pk["mn"])[v], _codes(pk["cn"])[v], p_dt[v].astype(np.int64)], axis=1)
        _, first_v, inv, counts = np.unique(
            keys, axis=0, return_index=True, return_inverse=True, return_counts=True
        )
        inv = inv.reshape(-1)
        head = v[first_v[inv]]  # the first valid packet with the same MN, CN and DataTime
        right_day = p_dt[v].astype("datetime64[D]") == np.datetime64(day)
        loaded[v[right_day & (head == v)]] = True
        for r in v[~right_day].tolist():
            rejects.append(
                (
                    int(p_file[r]),
                    int(p_line[r]),
                    "wrong_day",
                    f"DataTime {p_dt[r].item():%Y-%m-%d %H:%M} is not in the folder's day {day}",
                )
            )
        again = v[right_day & (head != v)]
        if len(again):
            contents: dict[int, str] = {}

            def content(r: int) -> str:
                if r not in contents:
                    lo, hi = np.searchsorted(i_pk, [r, r + 1])
                    cp = dict(zip(it["key"][lo:hi].to_pylist(), it["value"][lo:hi].to_pylist(), strict=True))
                    contents[r] = (
                        f"{pk['st'][r].as_py()};{pk['cn'][r].as_py()};{pk['mn'][r].as_py()};{sorted(cp.items())}"
                    )
                return contents[r]

            head_of = dict(zip(v.tolist(), head.tolist(), strict=True))
            for r in again.tolist():
                h = head_of[r]
                if content(r) == content(h):
                    duplicate[r] = True
                    continue
                rejects.append(
                    (
                        int(p_file[r]),
                        int(p_line[r]),
                        "conflicting_resend",
                        f"MN {pk['mn'][r].as_py()} CN={pk['cn'][r].as_py()} DataTime "
                        f"{p_dt[r].item():%Y-%m-%d %H:%M} was already received with other "
                        f"values ({rels[p_file[h]]} line {p_line[h] + 1}); the first packet stands",
                    )
                )

    # value rows of the loaded packets: packet order, then pollutant order
    g_sel = np.flatnonzero(loaded[grp_pk] & simple[grp_pk])
    row_pk, row_src = grp_pk[g_sel], g_sel  # row_src: index into the group columns below
    src_code, src_avg, src_cou, src_flag = grp_code, grp_num[_AVG], grp_num["Cou"], grp_flag
    py_rows = [(r, *val) for r in sorted(py_values) if loaded[r] for val in py_values[r]]
    if py_rows:
        src_code = pa.concat_arrays([src_code, pa.array([x[1] for x in py_rows], pa.string())])
        src_avg = pa.concat_arrays([src_avg, pa.array([x[2] for x in py_rows], pa.float64())])
        src_cou = pa.concat_arrays([src_cou, pa.array([x[3] for x in py_rows], pa.float64())])
        src_flag = pa.concat_arrays(
            [src_flag.cast(pa.string()), pa.array([x[4] for x in py_rows], pa.string())]
        )
        row_pk = np.concatenate([row_pk, np.array([x[0] for x in py_rows], dtype=np.int64)])
        row_src = np.concatenate([row_src, n_g + np.arange(len(py_rows))])
        order = np.argsort(row_pk, kind="stable")
        row_pk, row_src = row_pk[order], row_src[order]
    rel_arr = pa.array(rels, pa.string())
    cn_enc = pc.dictionary_encode(pk["cn"]).combine_chunks()
    cn_names = cn_enc.dictionary.to_pylist()
    cn_of_row = _np(cn_enc.indices).astype(np.int64)[row_pk] if len(row_pk) else np.zeros(0, np.int64)
    for cn, table in TABLE.items():
        sel = np.flatnonzero(cn_of_row == cn_names.index(cn)) if cn in cn_names else np.zeros(0, np.int64)
        at, src_at = pa.array(row_pk[sel], pa.int64()), pa.array(row_src[sel], pa.int64())
        t = pa.table(
            {
                "load_id": _constant(load_id, len(sel)),
                "source_file": rel_arr.take(pa.array(p_file[row_pk[sel]], pa.int64())),
                "line_no": pa.array(p_line[row_pk[sel]] + 1, pa.int64()),
                "qn": pk["qn"].take(at),
                "mn": pk["mn"].take(at),
                "st": pk["st"].take(at),
                "cn": _constant(cn, len(sel)),
                "data_time": pa.array(p_dt[row_pk[sel]], pa.timestamp("us")),
                "pollutant_code": src_code.take(src_at),
                "avg_value": src_avg.take(src_at),
                "cou_value": src_cou.take(src_at),
                "flag": src_flag.take(src_at),
            },
            schema=VALUE_SCHEMA,
        )
        tables[table] = t.combine_chunks()
        out.rows[table] = t.num_rows

    # counts per file and the quarantine, in file and line order
    n_f = len(decoded)
    loaded_per_file = np.bincount(p_file[loaded], minlength=n_f)
    dup_per_file = np.bincount(p_file[duplicate], minlength=n_f)
    for f, fl in enumerate(out.files):
        fl.loaded, fl.duplicates = int(loaded_per_file[f]), int(dup_per_file[f])
    for f, i, rule, reason in sorted(rejects, key=lambda x: (x[0], x[1])):
        rel, line_no = rels[f], i + 1
        out.quarantine.append(
            {
                "load_id": load_id,
                "source_file": rel,
                "line_no": line_no,
                "raw": decoded[f].lines[i].as_py().rstrip("\r\n"),
                "rule": rule,
                "reason": f"{rel} line {line_no}: {reason}",
            }
        )
        out.files[f].quarantined += 1
    now = datetime.now()
    for fl in out.files:
        fl.finished_at = now
    return tables, out


def _write(directory: Path, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        for old in directory.glob("*.parquet") if directory.exists() else []:
            old.unlink()  # a re-load that finds nothing leaves no stale rows behind
        return
    replace_partition(directory, name, table)


def landed_days(home: Home) -> list[date]:
    root = landing_root(home)
    if not root.exists():
        return []
    return sorted(date.fromisoformat(p.name.split("=", 1)[1]) for p in root.glob("date=*") if p.is_dir())
