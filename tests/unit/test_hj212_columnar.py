"""The columnar HJ 212 decoder and the columnar pollution-source loader, against the per-line references.

``columnar.decode_file(data)`` must give exactly ``parse_many(_split_lines(data))`` (the same lines, the same
accepted packets and fields, the same error rule and reason), and ``loader.parse_day`` exactly
``parse_day_per_packet`` (below) (the same lake rows, quarantine rows, counts). Inputs: every landed packet
file of a small generated world (air, water, pollution sources, with the world's injected faults) and a
deterministic fuzz corpus of damaged packets. The CRC is also checked against the standard's own example.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingestion.common.home import Home
from ingestion.hj212 import columnar
from ingestion.hj212.codec import Hj212Error, Packet, build_packet, crc16, parse_many
from ingestion.monitoring.air_loader import _split_lines
from ingestion.sources import loader
from tests.bench.hj212 import reference_crc


def parse_day_per_packet(
    home: Home, day: date, load_id: str, devices: dict[str, loader.Device]
) -> tuple[dict[str, pa.Table], loader.DayLoad]:
    """The per-packet reference of ``loader.parse_day``: one Packet object and one Python step per line
    (the loader's code before the columnar path, kept here as the equivalence reference)."""
    folder = loader.landing_root(home) / f"date={day.isoformat()}"
    cols: dict[str, dict[str, list]] = {
        t: {n: [] for n in loader.VALUE_SCHEMA.names} for t in loader.TABLE.values()
    }
    seen_raw: set[str] = set()
    seen_key: dict[tuple[str, str, datetime], str] = {}
    out = loader.DayLoad(day, [])
    for path in sorted(folder.glob("*.hj212")) if folder.exists() else []:
        rel = str(path.relative_to(home.root))
        lines = _split_lines(path.read_bytes())
        fl = loader.FileLoad(load_id, loader.SOURCE, day.isoformat(), rel, received=len(lines))

        def reject(
            line_no: int, raw: str, rule: str, reason: str, rel: str = rel, fl: loader.FileLoad = fl
        ) -> None:
            out.quarantine.append(
                {
                    "load_id": load_id,
                    "source_file": rel,
                    "line_no": line_no,
                    "raw": raw.rstrip("\r\n"),
                    "rule": rule,
                    "reason": f"{rel} line {line_no}: {reason}",
                }
            )
            fl.quarantined += 1

        for line_no, (raw, res) in enumerate(zip(lines, parse_many(lines), strict=True), start=1):
            if isinstance(res, Hj212Error):
                reject(line_no, raw, res.rule, res.reason)
                continue
            try:
                dt, values = loader.packet_values(res, devices)
            except loader._Reject as e:
                reject(line_no, raw, e.rule, e.reason)
                continue
            content = f"{res.st};{res.cn};{res.mn};{sorted(res.cp.items())}"
            if content in seen_raw:
                fl.duplicates += 1  # same MN, CN, DataTime and content: a resend
                continue
            key = (res.mn, res.cn, dt)
            if key in seen_key:
                reject(
                    line_no,
                    raw,
                    "conflicting_resend",
                    f"MN {res.mn} CN={res.cn} DataTime {dt:%Y-%m-%d %H:%M} was already received with other "
                    f"values ({seen_key[key]}); the first packet stands",
                )
                continue
            if dt.date() != day:
                reject(
                    line_no,
                    raw,
                    "wrong_day",
                    f"DataTime {dt:%Y-%m-%d %H:%M} is not in the folder's day {day}",
                )
                continue
            seen_raw.add(content)
            seen_key[key] = f"{rel} line {line_no}"
            c = cols[loader.TABLE[res.cn]]
            for code, avg, cou, flag in values:
                c["load_id"].append(load_id)
                c["source_file"].append(rel)
                c["line_no"].append(line_no)
                c["qn"].append(res.qn)
                c["mn"].append(res.mn)
                c["st"].append(res.st)
                c["cn"].append(res.cn)
                c["data_time"].append(dt)
                c["pollutant_code"].append(code)
                c["avg_value"].append(avg)
                c["cou_value"].append(cou)
                c["flag"].append(flag)
            fl.loaded += 1
        fl.finished_at = datetime.now()
        out.files.append(fl)
    tables = {}
    for table, c in cols.items():
        tables[table] = pa.Table.from_pydict(c, schema=loader.VALUE_SCHEMA)
        out.rows[table] = tables[table].num_rows
    return tables, out


# HJ 212-2017's own example (DOMAIN.md §4): data segment of length 0101 with CRC 1C80.
VECTOR = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)
VECTOR_PACKET = b"##0101" + VECTOR + b"1C80\r\n"


def as_tuple(r: Packet | Hj212Error) -> tuple:
    if isinstance(r, Hj212Error):
        return ("error", r.rule, r.reason, r.raw)
    return ("packet", r.qn, r.st, r.cn, r.pw, r.mn, r.flag, r.pnum, r.pno, list(r.cp.items()), r.raw)


def assert_same_as_parse_many(data: bytes) -> columnar.Decoded:
    expected = [as_tuple(r) for r in parse_many(_split_lines(data))]
    for threads in (1, 2):
        dec = columnar.decode_file(data, threads=threads)
        got = [as_tuple(r) for r in dec.results()]
        assert len(got) == len(expected)
        diff = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
        assert not diff, diff[:3]
        assert dec.lines.to_pylist() == _split_lines(data)
    return dec


# ------------------------------------------------------------------------------------------- CRC


def test_crc_of_the_standards_example() -> None:
    buf = np.frombuffer(VECTOR_PACKET, dtype=np.uint8)
    assert columnar.crc16_spans(buf, np.array([6]), np.array([101])).tolist() == [0x1C80]
    assert reference_crc(VECTOR) == 0x1C80  # the bit-by-bit CRC as the standard words it


def test_crc_spans_equal_the_bit_by_bit_crc_on_random_spans() -> None:
    rng = random.Random(212)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        buf = np.frombuffer(data, dtype=np.uint8)
        starts = np.array([rng.randrange(len(data)) for _ in range(30)])
        lengths = np.array([rng.randrange(1, len(data) - s + 1) for s in starts])
        got = columnar.crc16_spans(buf, starts, lengths).tolist()
        assert got == [reference_crc(data[s : s + n]) for s, n in zip(starts, lengths, strict=True)]
        assert got == [crc16(data[s : s + n]) for s, n in zip(starts, lengths, strict=True)]


# ------------------------------------------------------------------------------------------ lines


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n\n  \r\n\t\r\n",
        VECTOR_PACKET * 3,
        VECTOR_PACKET + VECTOR_PACKET[:-2],  # last line without CR LF
        VECTOR_PACKET[:-2] + b"\n" + VECTOR_PACKET,  # LF only
        VECTOR_PACKET[:-2] + b"\r" + VECTOR_PACKET,  # CR only: two lines for splitlines
        b"  " + VECTOR_PACKET + b" \r\n" + VECTOR_PACKET,  # leading blanks, a blank line
        VECTOR_PACKET[:30] + b"\x0b" + VECTOR_PACKET[30:],  # vertical tab splits a line
        VECTOR_PACKET[:30] + b"\x1c\x1d\x1e\x1f\x0c" + VECTOR_PACKET[30:],
        VECTOR_PACKET[:30] + "\u2028é\x85".encode() + VECTOR_PACKET[30:],  # Unicode line breaks
        VECTOR_PACKET[:30] + b"\xff\xfe\xe2\x82" + VECTOR_PACKET[30:],  # invalid UTF-8
        b"\xe2\x82\n" + VECTOR_PACKET,  # a broken sequence before LF
        VECTOR_PACKET + b"\r",
        b"\n\n\n",
        b"noise\r\n",
        b"##0020QN=1;ST=2;CN=3;MN=4\r\n",  # no CP at all
        b"##0023QN=1;ST=2;CN=3;CP=&&&&0000\r\n" * 2,  # framed, wrong CRC
        b"##0021QN=1;ST=2;CN=3;CP=&&&&\r\n",
    ],
)
def test_lines_are_the_loaders_lines(data: bytes) -> None:
    lines, fast = columnar.split_lines(data)
    assert lines.to_pylist() == _split_lines(data)
    assert len(fast) == len(lines)
    assert_same_as_parse_many(data)


# --------------------------------------------------------------------------- a generated world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Home:
    from ingestion.monitoring import simulator as air
    from ingestion.simulate.world import WorldConfig
    from ingestion.sources import simulator as sources
    from ingestion.water import simulator as water

    home = Home(tmp_path_factory.mktemp("world")).ensure()
    cfg = WorldConfig(end=date(2020, 2, 4))  # includes the replay with a wrong password on 2020-02-03
    air.generate(cfg, home)
    sources.generate(cfg, home)
    water.generate(cfg, home)
    return home


def landed_files(home: Home) -> list[Path]:
    return sorted(home.landing.glob("monitoring/**/*.hj212"))


def test_every_landed_file_of_the_world_decodes_as_parse_many(world: Home) -> None:
    files = landed_files(world)
    kinds = {p.relative_to(world.landing).parts[1] for p in files}
    assert {"hj212", "sources", "water"} <= kinds
    rules: dict[str, int] = {}
    fast = total = 0
    for path in files:
        dec = assert_same_as_parse_many(path.read_bytes())
        for e in dec.errors.values():
            rules[e.rule] = rules.get(e.rule, 0) + 1
        fast, total = fast + dec.fast, total + len(dec)
    # the world's transmission faults are there, rejected with the codec's rules
    assert {"crc_mismatch", "bad_length"} <= set(rules)
    assert fast > 0.99 * total  # and nearly every packet took the columnar path


def test_the_source_loader_gives_the_per_packet_result_on_every_day(world: Home) -> None:
    loader.load_registry(world, "r:1")
    devices = loader.registry_devices(world)
    rules: set[str] = set()
    counted = 0
    for day in loader.landed_days(world):
        assert_same_day(world, day, devices)
        _, out = loader.parse_day(world, day, "t:1", devices)
        rules |= {q["rule"] for q in out.quarantine}
        counted += sum(f.duplicates for f in out.files)
    assert {"bad_password", "crc_mismatch"} <= rules
    assert counted > 0  # resends of the world counted as duplicates


def assert_same_day(home: Home, day: date, devices: dict) -> None:
    ref_tables, ref = parse_day_per_packet(home, day, "t:1", devices)
    tables, out = loader.parse_day(home, day, "t:1", devices)
    fields = ("source_file", "partition", "received", "loaded", "quarantined", "duplicates")
    assert [[getattr(f, k) for k in fields] for f in out.files] == [
        [getattr(f, k) for k in fields] for f in ref.files
    ]
    assert all(f.balanced for f in out.files)
    assert out.quarantine == ref.quarantine
    assert out.rows == ref.rows
    for name, t in ref_tables.items():
        assert tables[name].schema == t.schema
        assert tables[name].to_pylist() == t.to_pylist(), name


# ------------------------------------------------------------------------------------ fuzz corpus


def source_segment(rng: random.Random, t: datetime, mn: str = "MN0001", pw: str = "123456") -> str:
    cp = [("DataTime", f"{t:%Y%m%d%H%M%S}")]
    for code in rng.sample(["w01018", "w21003", "w01001", "w00000"], rng.randint(1, 4)):
        cp += [
            (f"{code}-Avg", f"{rng.uniform(0, 200):.2f}"),
            (f"{code}-Cou", f"{rng.uniform(0, 9):.3f}"),
            (f"{code}-Flag", rng.choice("NNNNMD")),
        ]
    packet = build_packet(
        qn=f"{t:%Y%m%d%H%M%S}000",
        st="32",
        cn=rng.choice(["2061", "2031", "2051"]),
        pw=pw,
        mn=mn,
        flag=4,
        cp=cp,
    )
    return packet[6:-6]


def frame(segment: str) -> str:
    raw = segment.encode("utf-8", errors="surrogateescape")
    return f"##{len(raw):04d}{segment}{reference_crc(raw):04X}\r\n"


MUTATIONS = {
    "flip_crc_digit": lambda s, r: frame(s)[:-3] + ("0" if frame(s)[-3] != "0" else "1") + "\r\n",
    "wrong_length": lambda s, r: f"##{len(s) + r.choice([-1, 1, 7]):04d}" + frame(s)[6:],
    "missing_crlf": lambda s, r: frame(s)[:-2],
    "lf_only": lambda s, r: frame(s)[:-2] + "\n",
    "non_ascii": lambda s, r: frame(s.replace("MN=", "MN=é", 1)),
    "non_ascii_unframed": lambda s, r: frame(s)[:20] + "\u00e9" + frame(s)[21:],
    "split_flag": lambda s, r: frame(s.replace("Flag=4", "Flag=6;PNUM=2;PNO=1", 1)),
    "split_flag_no_pnum": lambda s, r: frame(s.replace("Flag=4", "Flag=6", 1)),
    "reordered_header": lambda s, r: frame("ST=32;QN=" + s[3:].replace(";ST=32", "", 1)),
    "no_pw": lambda s, r: frame(s.replace(s[s.index("PW=") : s.index(";MN=") + 1], "", 1)),
    "empty_pw": lambda s, r: frame(s[: s.index("PW=") + 3] + s[s.index(";MN=") :]),
    "repeated_cp_key": lambda s, r: frame(
        s.replace("&&DataTime=", "&&w01018-Avg=1.0;DataTime=", 1)
        if "w01018-Avg" in s
        else s.replace("&&", "&&DataTime=1;", 1)
    ),
    "empty_key": lambda s, r: frame(s.replace(";w", ";=1;w", 1)),
    "double_equals": lambda s, r: frame(s.replace("-Avg=", "-Avg==", 1)),
    "stray_semicolons": lambda s, r: frame(s.replace(";", ";;", 1 + r.randrange(3))),
    "trailing_semicolon": lambda s, r: frame(s[:-2] + ";&&"),
    "comma_first": lambda s, r: frame(s.replace("&&DataTime", "&&,DataTime", 1)),
    "empty_cp": lambda s, r: frame(s[: s.index("CP=&&") + 5] + "&&"),
    "no_cp": lambda s, r: frame(s[: s.index(";CP=&&")]),
    "cp_not_wrapped": lambda s, r: frame(s[:-2]),
    "ampersand_in_cp": lambda s, r: frame(s.replace("-Flag=", "-Fl&ag=", 1)),
    "equals_in_header": lambda s, r: frame(s.replace("ST=32", "ST=3=2", 1)),
    "empty_mn": lambda s, r: frame(s.replace(s[s.index("MN=") : s.index(";Flag")], "MN=", 1)),
    "flag_not_digit": lambda s, r: frame(s.replace("Flag=4", "Flag=x", 1)),
    "long_flag": lambda s, r: frame(s.replace("Flag=4", "Flag=0000000000004", 1)),
    "lowercase_crc": lambda s, r: frame(s)[:-6] + frame(s)[-6:-2].lower() + "\r\n",
    "noise": lambda s, r: (
        "".join(r.choice("#;=&,0123456789QNCP \t") for _ in range(r.randrange(1, 60))) + "\r\n"
    ),
    "header_only": lambda s, r: "##0000\r\n",
    "blank_lines": lambda s, r: "\r\n   \r\n" + frame(s),
    "very_long_line": lambda s, r: frame(
        s[:-2] + ";" + ";".join(f"x{i:04d}-Avg=1.0" for i in range(600)) + "&&"
    ),
    "too_long_for_length_field": lambda s, r: frame(s[:-2] + ";" + "x" * 10_000 + "=1&&"),
    "glued": lambda s, r: frame(s)[:-2] + frame(s),
    "bad_datatime": lambda s, r: frame(s.replace("DataTime=2020", "DataTime=2O20", 1)),
    "random_separator": lambda s, r: (lambda i: frame(s[:i] + r.choice(";,=&") + s[i + 1 :]))(
        r.randrange(len(s))
    ),
}


def fuzz_corpus(seed: int = 2017, n: int = 4000) -> tuple[bytes, list[str]]:
    rng = random.Random(seed)
    names = sorted(MUTATIONS)
    chunks: list[str] = []
    kinds: list[str] = []
    t0 = datetime(2020, 3, 2)
    for i in range(n):
        seg = source_segment(rng, t0 + timedelta(hours=i % 48), mn=f"MN{i % 7:04d}")
        if rng.random() < 0.5:
            chunks.append(frame(seg))
            kinds.append("clean")
        else:
            kind = names[rng.randrange(len(names))]
            chunks.append(MUTATIONS[kind](seg, rng))
            kinds.append(kind)
    text = "".join(chunks)
    return text.encode("utf-8", errors="surrogateescape"), kinds


def test_fuzz_corpus_decodes_as_parse_many() -> None:
    data, kinds = fuzz_corpus()
    assert set(kinds) == set(MUTATIONS) | {"clean"}
    dec = assert_same_as_parse_many(data)
    rules = {e.rule for e in dec.errors.values()}
    assert {"crc_mismatch", "bad_length", "bad_frame", "bad_cp", "bad_field", "missing_field"} <= rules
    assert dec.packets.num_rows > len(kinds) // 2  # clean packets and harmless mutations are accepted
    assert dec.fast < dec.packets.num_rows  # some accepted packets needed the per-line parser (split flag …)
    # each mutation on its own, so that a failure names it
    rng = random.Random(7)
    for _kind, mutate in sorted(MUTATIONS.items()):
        seg = source_segment(rng, datetime(2021, 5, 6, 7))
        assert_same_as_parse_many((frame(seg) + mutate(seg, rng) + frame(seg)).encode("utf-8"))


def test_the_comparison_would_catch_a_decoder_that_skips_the_crc(monkeypatch: pytest.MonkeyPatch) -> None:
    """The equivalence tests can fail: a decoder that trusted the written CRC accepts a flipped digit."""
    rng = random.Random(3)
    seg = source_segment(rng, datetime(2021, 5, 6, 7))
    data = MUTATIONS["flip_crc_digit"](seg, rng).encode()
    assert isinstance(columnar.decode_file(data).results()[0], Hj212Error)

    def trusting(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        ends = starts + lengths
        digits = [bytes(buf[e : e + 4]).decode() for e in ends.tolist()]
        return np.array([int(d, 16) for d in digits], dtype=np.uint16)

    monkeypatch.setattr(columnar, "crc16_spans", trusting)
    (wrong,) = columnar.decode_file(data).results()
    assert isinstance(wrong, Packet)
    with pytest.raises(AssertionError):
        assert_same_as_parse_many(data)


# ---------------------------------------------------------------------------- the source loader


MN_A = "530602003200000000000091"
MN_B = "530602003100000000000092"


def write_registry(home: Home) -> dict[str, loader.Device]:
    path = loader.registry_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "mn",
                "pw",
                "outlet_code",
                "outlet_name",
                "outlet_type",
                "st",
                "enterprise_credit_code",
                "enterprise_name",
                "county_code",
                "industry_code",
                "longitude",
                "latitude",
                "parameters",
                "required_from",
                "networked",
                "networked_on",
            ]
        )
        w.writerow(
            [
                MN_A,
                "111111",
                "W-1",
                "W",
                "wastewater",
                "32",
                "",
                "E",
                "530602",
                "",
                "",
                "",
                "",
                "",
                "true",
                "2020-01-01",
            ]
        )
        w.writerow(
            [
                MN_B,
                "222222",
                "G-1",
                "G",
                "flue_gas",
                "31",
                "",
                "E",
                "530602",
                "",
                "",
                "",
                "",
                "",
                "true",
                "2020-01-01",
            ]
        )
    return loader.registry_devices(home)


def seg(
    mn: str,
    pw: str,
    st: str,
    t: datetime | str,
    items: str,
    cn: str = "2061",
    qn: str = "20200302000000000",
    flag: str = "4",
) -> str:
    dt = t if isinstance(t, str) else f"{t:%Y%m%d%H%M%S}"
    return f"QN={qn};ST={st};CN={cn};PW={pw};MN={mn};Flag={flag};CP=&&DataTime={dt};{items}&&"


def test_source_loader_rules_on_crafted_packets(tmp_path: Path) -> None:
    """Every rule of packet_values and of the day's resolution, through both loaders."""
    home = Home(tmp_path).ensure()
    devices = write_registry(home)
    day = date(2020, 3, 2)
    t = datetime(2020, 3, 2, 5)
    good = seg(
        MN_A,
        "111111",
        "32",
        t,
        "w01018-Avg=50.00,w01018-Cou=1.000,w01018-Flag=N;w01001-Avg=7.1,w01001-Flag=N",
    )
    reordered = seg(
        MN_A,
        "111111",
        "32",
        t,
        "w01001-Avg=7.1,w01001-Flag=N;w01018-Avg=50.00,w01018-Cou=1.000,w01018-Flag=N",
        qn="20200302000100000",
    )
    v = "w01018-Avg=50.00,w01018-Flag=N"
    segs = [
        good,
        reordered,  # same content: a duplicate
        seg(MN_A, "111111", "32", t, "w01018-Avg=51.00,w01018-Flag=N"),  # conflicting resend
        seg(MN_A, "111111", "32", t + timedelta(days=1), v),  # wrong day
        seg(MN_A, "111111", "32", t + timedelta(days=1), v),  # wrong day again (not a duplicate)
        seg(MN_A, "000000", "32", t, v),  # bad password
        seg("530602003200000000000099", "1", "32", t, v),  # unknown MN
        seg(MN_A, "111111", "31", t, v),  # unexpected ST
        seg(MN_A, "111111", "32", t, v, cn="2011"),  # unsupported CN
        seg(MN_A, "111111", "32", "20200230050000", v),  # not a calendar time
        seg(MN_A, "111111", "32", "2020030205000", v),  # 13 digits
        seg(MN_A, "111111", "32", t, "w01018-Avg=5,w01018-Flag=X"),  # bad flag
        seg(MN_A, "111111", "32", t + timedelta(hours=1), "w01018-Avg=1e3,w01018-Flag=N"),  # float() reads it
        seg(
            MN_A, "111111", "32", t + timedelta(hours=2), "w01018-Avg= 5.5,w01018-Flag=N"
        ),  # float() reads it
        seg(MN_A, "111111", "32", t + timedelta(hours=3), "w01018-Avg=1_0,w01018-Flag=N"),  # float() reads it
        seg(MN_A, "111111", "32", t + timedelta(hours=4), "w01018-Avg=nan,w01018-Flag=N"),  # not finite
        seg(MN_A, "111111", "32", t + timedelta(hours=5), "w01018-Avg=inf,w01018-Flag=N"),  # not finite
        seg(MN_A, "111111", "32", t + timedelta(hours=6), "w01018-Avg=abc,w01018-Flag=N"),  # bad value
        seg(MN_A, "111111", "32", t + timedelta(hours=7), "w01018-Avg=" + "9" * 400),  # overflows to inf
        seg(MN_A, "111111", "32", t + timedelta(hours=8), "RtdInterval=30"),  # no pollutant values
        seg(MN_A, "111111", "32", t + timedelta(hours=9), "w01018-Cou=2.5,w01018-Foo=1"),  # no Avg, no Flag
        seg(MN_A, "111111", "32", t + timedelta(hours=10), "a-b-Avg=1.0;-Avg=2.0;x-=3"),  # odd keys
        seg(MN_A, "111111", "32", t + timedelta(hours=11), "w01018-Avg=1.0;w01001-Avg=2.0;w01018-Flag=N"),
        seg(MN_A, "111111", "32", t + timedelta(hours=12), "w01018-Avg=-0.0,w01018-Flag=N", cn="2031"),
        seg(
            MN_A, "111111", "32", t + timedelta(hours=13), "w01018-Avg=0.1", flag="6;PNUM=1;PNO=1"
        ),  # split bit
        seg(MN_B, "222222", "31", t, "a21026-Avg=12.345678901234567,a21026-Flag=N", cn="2051"),
        seg(MN_B, "222222", "31", t, "a21026-Avg=12.345678901234567,a21026-Flag=N", cn="2051"),  # duplicate
        seg(MN_A, "111111", "32", "20200302240000", v),  # hour 24
    ]
    lines = [frame(s) for s in segs]
    lines.insert(3, frame(segs[0])[:-3] + "X\r\n")  # not a hex CRC
    folder = loader.landing_root(home) / "date=2020-03-02"
    folder.mkdir(parents=True)
    (folder / "a.hj212").write_bytes("".join(lines[:15]).encode())
    (folder / "b.hj212").write_bytes(
        ("\r\n" + "".join(lines[15:]) + lines[0]).encode()
    )  # a resend across files
    assert_same_day(home, day, devices)
    tables, out = loader.parse_day(home, day, "t:1", devices)
    rules = [q["rule"] for q in out.quarantine]
    for rule in (
        "conflicting_resend",
        "wrong_day",
        "bad_password",
        "unknown_mn",
        "unexpected_st",
        "unsupported_cn",
        "bad_datatime",
        "bad_flag",
        "bad_value",
        "missing_field",
        "bad_frame",
    ):
        assert rule in rules, rule
    assert rules.count("wrong_day") == 2
    assert [f.duplicates for f in out.files] == [1, 2]
    conflict = next(q for q in out.quarantine if q["rule"] == "conflicting_resend")
    assert "(landing/monitoring/sources/hj212/date=2020-03-02/a.hj212 line 1)" in conflict["reason"]
    hourly = tables["source_hourly"].to_pylist()
    first = [
        (r["pollutant_code"], r["avg_value"])
        for r in hourly
        if r["line_no"] == 1 and r["source_file"].endswith("a.hj212")
    ]
    assert first == [("w01018", 50.0), ("w01001", 7.1)]
    assert ("w01018", 10.0) in [
        (r["pollutant_code"], r["avg_value"]) for r in hourly
    ]  # "1_0", as float() reads it
    assert any(r["avg_value"] == 1000.0 for r in hourly)  # "1e3", through packet_values
    minute = tables["source_minute"].to_pylist()
    assert [r["avg_value"] for r in minute] == [12.345678901234567]


def test_decimal_text_reads_as_python_float() -> None:
    """The columnar loader converts plain decimal text with Arrow; it must give float()'s value."""
    rng = random.Random(5)
    texts = [
        f"{'-' if rng.random() < 0.2 else ''}{rng.randrange(10 ** rng.randrange(1, 16))}"
        f".{rng.randrange(10**15):0{rng.randrange(1, 16)}d}"[:33]
        for _ in range(20_000)
    ]
    texts = [x.rstrip(".") for x in texts] + [
        "0.1",
        "0.2",
        "0.30000000000000004",
        "123456789012345.123456789012345",
    ]
    arrow = pc.cast(pa.array(texts), pa.float64()).to_pylist()
    assert arrow == [float(x) for x in texts]


@pytest.mark.parametrize("content", [b"", b"garbage\r\n\r\n", b"##0010QN=1;ST=2\r\n"])
def test_source_loader_on_a_day_without_a_valid_packet(tmp_path: Path, content: bytes) -> None:
    home = Home(tmp_path).ensure()
    folder = loader.landing_root(home) / "date=2020-03-02"
    folder.mkdir(parents=True)
    (folder / "a.hj212").write_bytes(content)
    for devices in ({}, write_registry(home)):
        assert_same_day(home, date(2020, 3, 2), devices)
    _, out = loader.parse_day(home, date(2020, 3, 2), "t:1", {})
    assert out.rows == {"source_hourly": 0, "source_daily": 0, "source_minute": 0}
    assert sum(f.received for f in out.files) == len([ln for ln in content.splitlines() if ln.strip()])
