"""HJ 212-2017 codec: CRC, build/parse round trip, error rules, stream framing, split packets."""

from __future__ import annotations

import pickle
import random
from datetime import datetime

import numpy as np
import pytest

from ingestion.hj212 import (
    FLAG_SPLIT,
    Hj212Error,
    Packet,
    build_air_hourly,
    build_packet,
    crc16,
    crc16_many,
    parse_datatime,
    parse_many,
    parse_packet,
    reassemble,
    split_frames,
)
from tests.bench.hj212 import (
    reference_crc,  # the CRC as DOMAIN.md words it, bit by bit (not the codec's table)
)

# DOMAIN.md §4 test vector: data segment of length 0101 with CRC 1C80.
VECTOR = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&"
)
VECTOR_PACKET = "##0101" + VECTOR.decode() + "1C80\r\n"



def frame(segment: str, *, crc: str | None = None, length: str | None = None) -> str:
    """Wrap a data segment with a correct (or the given) length and CRC, using the reference CRC."""
    raw = segment.encode()
    return f"##{length or f'{len(raw):04d}'}{segment}{crc or f'{reference_crc(raw):04X}'}\r\n"


def outcome(line: str | bytes, **kwargs: bool) -> Packet | Hj212Error:
    try:
        return parse_packet(line, **kwargs)
    except Hj212Error as exc:
        return exc


def rule_of(line: str | bytes, **kwargs: bool) -> str:
    with pytest.raises(Hj212Error) as info:
        parse_packet(line, **kwargs)
    return info.value.rule


# ---------------------------------------------------------------------------------------- CRC


def test_crc_test_vector() -> None:
    assert len(VECTOR) == 101
    assert reference_crc(VECTOR) == 0x1C80
    assert crc16(VECTOR) == 0x1C80
    assert crc16_many([VECTOR]).tolist() == [0x1C80]


def test_crc_is_not_modbus() -> None:
    # CRC-16/MODBUS of the same bytes differs; the check value of MODBUS over b"123456789" is 4B37.
    def modbus(data: bytes) -> int:
        crc = 0xFFFF
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        return crc

    assert modbus(b"123456789") == 0x4B37
    assert crc16(b"123456789") != 0x4B37
    assert crc16(VECTOR) != modbus(VECTOR)


def test_crc16_many_matches_scalar_on_ragged_input() -> None:
    rng = random.Random(212)
    # empty, 1 byte, odd and even lengths, and more segments than one 4096-segment block
    segments = [b"", b"A", VECTOR, VECTOR[:-1]]
    segments += [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400))) for _ in range(4500)]
    got = crc16_many(segments)
    assert got.dtype == np.uint16
    assert got.tolist() == [reference_crc(s) for s in segments]
    assert crc16(b"") == 0xFFFF
    assert crc16_many([]).tolist() == []


# ------------------------------------------------------------------------------ build / parse


def test_build_packet_reproduces_the_test_vector() -> None:
    packet = build_packet(
        qn="20160801085857223", st="32", cn="1062", pw="100000", mn="010000A8900016F000169DC0",
        flag=5, cp={"RtdInterval": "30"},
    )
    assert packet == VECTOR_PACKET


def test_parse_test_vector() -> None:
    p = parse_packet(VECTOR_PACKET)
    assert (p.qn, p.st, p.cn, p.pw, p.mn, p.flag, p.pnum, p.pno) == (
        "20160801085857223", "32", "1062", "100000", "010000A8900016F000169DC0", 5, None, None,
    )
    assert p.cp == {"RtdInterval": "30"}
    assert p.raw == VECTOR_PACKET
    assert p.wants_response and not p.is_split and p.version == 1


def test_build_air_hourly_layout_and_round_trip() -> None:
    line = build_air_hourly(
        "88888880000001", "123456", datetime(2020, 1, 1, 0),
        {"a34004": (25.0, "N"), "a21026": (7, "N"), "a21005": (0.6, "N"), "a05024": (None, "D")},
        qn_time=datetime(2020, 1, 1, 1, 0, 5, 123000),
    )
    segment = (
        "QN=20200101010005123;ST=22;CN=2061;PW=123456;MN=88888880000001;Flag=4;"
        "CP=&&DataTime=20200101000000;a34004-Avg=25.0,a34004-Flag=N;a21026-Avg=7.0,a21026-Flag=N;"
        "a21005-Avg=0.6,a21005-Flag=N;a05024-Flag=D&&"
    )
    assert line == frame(segment)
    p = parse_packet(line)
    assert p.cp == {
        "DataTime": "20200101000000",
        "a34004-Avg": "25.0", "a34004-Flag": "N",
        "a21026-Avg": "7.0", "a21026-Flag": "N",
        "a21005-Avg": "0.6", "a21005-Flag": "N",
        "a05024-Flag": "D",
    }
    assert list(p.cp) == ["DataTime", "a34004-Avg", "a34004-Flag", "a21026-Avg", "a21026-Flag",
                          "a21005-Avg", "a21005-Flag", "a05024-Flag"]
    assert (p.st, p.cn, p.flag, p.mn, p.pw) == ("22", "2061", 4, "88888880000001", "123456")
    assert not p.wants_response and not p.is_split
    assert p.data_time == datetime(2020, 1, 1)
    assert p.pollutants()["a34004"] == {"Avg": "25.0", "Flag": "N"}


def test_build_cp_from_pairs_and_rejects_separators() -> None:
    line = build_packet(qn="1", st="22", cn="2061", pw=None, mn="M", flag=None,
                        cp=[("DataTime", "20200101000000"), ("a34004-Avg", "1.0")])
    assert line == frame("QN=1;ST=22;CN=2061;MN=M;CP=&&DataTime=20200101000000;a34004-Avg=1.0&&")
    with pytest.raises(ValueError, match="separator"):
        build_packet(qn="1", st="22", cn="2061", pw="1", mn="M", flag=4, cp={"a34004-Avg": "1;2"})
    with pytest.raises(ValueError, match="MN must not be empty"):
        build_packet(qn="1", st="22", cn="2061", pw="1", mn="", flag=4, cp={"a": "1"})


def test_lowercase_crc_is_accepted() -> None:
    assert parse_packet(VECTOR_PACKET.replace("1C80", "1c80")).cp == {"RtdInterval": "30"}


def test_line_reader_terminators() -> None:
    stripped = VECTOR_PACKET[:-2]
    assert rule_of(stripped) == "bad_frame"  # strict by default: CR LF is part of the frame
    assert rule_of(stripped + "\n") == "bad_frame"
    for line in (VECTOR_PACKET, stripped, stripped + "\n"):
        assert parse_packet(line, require_crlf=False).cp == {"RtdInterval": "30"}


def test_bytes_input() -> None:
    assert parse_packet(VECTOR_PACKET.encode()) == parse_packet(VECTOR_PACKET)


def test_results_survive_pickling() -> None:
    # Dagster's multiprocess executor pickles what crosses process boundaries
    packet = parse_packet(VECTOR_PACKET)
    error = outcome(VECTOR_PACKET.replace("1C80", "1C81"))
    assert isinstance(error, Hj212Error)
    assert pickle.loads(pickle.dumps(packet)) == packet
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.rule, copy.reason, copy.raw) == (error.rule, error.reason, error.raw)


# ------------------------------------------------------------------------------- error rules


@pytest.mark.parametrize(
    ("line", "rule", "fragment"),
    [
        ("hello world\r\n", "bad_frame", "does not start with '##'"),
        ("", "bad_frame", "empty line"),
        ("##0101\r\n", "bad_frame", "only 6 bytes"),
        (VECTOR_PACKET[:-2], "bad_frame", "does not end with CR LF"),
        (" " + VECTOR_PACKET, "bad_frame", "does not start with '##'"),
        ("##01A1" + VECTOR.decode() + "1C80\r\n", "bad_length", "not 4 decimal digits"),
        ("##0102" + VECTOR.decode() + "1C80\r\n", "bad_length", "length field says 0102 but the data segment is 101 bytes"),
        # truncated in transit (CR LF re-added by the receiver): of the first 60 characters, 6 are
        # '##0101' and the last 4 stand where the CRC should be, leaving 50 for the data segment
        (VECTOR_PACKET[:60] + "\r\n", "bad_length", "length field says 0101 but the data segment is 50 bytes"),
        ("##0101" + VECTOR.decode() + "1G80\r\n", "bad_frame", "not a hexadecimal CRC"),
        ("##0101" + VECTOR.decode() + "1C81\r\n", "crc_mismatch", "CRC mismatch: packet says 1C81, data segment gives 1C80"),
        # one digit altered in the data segment, CRC left as sent
        (VECTOR_PACKET.replace("RtdInterval=30", "RtdInterval=31"), "crc_mismatch", "packet says 1C80"),
    ],
)
def test_frame_errors(line: str, rule: str, fragment: str) -> None:
    with pytest.raises(Hj212Error) as info:
        parse_packet(line)
    assert info.value.rule == rule
    assert fragment in info.value.reason
    assert info.value.raw == line


@pytest.mark.parametrize(
    ("segment", "rule", "fragment"),
    [
        ("QN=1;ST=22;CN=2061;PW=1;Flag=4;CP=&&a=1&&", "missing_field", "MN is absent"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4", "missing_field", "CP is absent"),
        ("ST=22;CN=2061;PW=1;MN=;Flag=4;CP=&&a=1&&", "missing_field", "QN, MN are absent"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=6;CP=&&a=1&&", "missing_field", "PNUM and PNO are absent"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=a=1", "bad_cp", "wrapped in &&"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=1", "bad_cp", "wrapped in &&"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&DataTime=20200101000000;a34004-Avg&&", "bad_cp",
         "'a34004-Avg' is not key=value"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=1,=2&&", "bad_cp", "'=2' is not key=value"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=1;a=2&&", "bad_cp", "a appears more than once"),
        ("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=x;CP=&&a=1&&", "bad_field", "Flag='x'"),
        ("QN=1;ST=22;CN2061;PW=1;MN=M;Flag=4;CP=&&a=1&&", "bad_field", "'CN2061' is not key=value"),
        ("QN=1;ST=22;ST=21;CN=2061;MN=M;CP=&&a=1&&", "bad_field", "ST appears more than once"),
        ("QN=1;ST=22;CN=2061;MN=M;Flag=6;PNUM=2;PNO=3;CP=&&a=1&&", "bad_field", "PNO=3 is outside 1..PNUM=2"),
    ],
)
def test_segment_errors(segment: str, rule: str, fragment: str) -> None:
    line = frame(segment)
    with pytest.raises(Hj212Error) as info:
        parse_packet(line)
    assert info.value.rule == rule, info.value.reason
    assert fragment in info.value.reason


def test_tolerated_variants() -> None:
    # no PW, no Flag, empty CP, stray separators, '=' inside a value
    p = parse_packet(frame("QN=1;ST=91;CN=9014;MN=M;CP=&&&&"))
    assert (p.pw, p.flag, p.cp) == (None, None, {})
    p = parse_packet(frame("QN=1;ST=22;CN=2061;PW=;MN=M;Flag=4;CP=&&a=1;;b=x=y;&&"))
    assert p.pw == "" and p.cp == {"a": "1", "b": "x=y"}


def test_parse_datatime() -> None:
    assert parse_datatime("20200229233000") == datetime(2020, 2, 29, 23, 30)
    for bad, fragment in [("2020010100000", "14 digits"), ("2020-01-01 00:00", "14 digits"),
                          ("20190229000000", "not a valid calendar time"), ("20200101240000", "not a valid")]:
        with pytest.raises(Hj212Error) as info:
            parse_datatime(bad)
        assert info.value.rule == "bad_datatime"
        assert fragment in info.value.reason
    bad_time = parse_packet(frame("QN=1;ST=22;CN=2061;MN=M;CP=&&DataTime=2020&&"))
    with pytest.raises(Hj212Error):
        _ = bad_time.data_time


# --------------------------------------------------------------------------- parse_many


def _mixed_lines() -> list[str | bytes]:
    good = [
        build_air_hourly(f"MN{i:03d}", "123456", datetime(2021, 5, 1, i % 24),
                         {"a34004": (10.0 + i, "N"), "a34002": (20.5, "N"), "a21005": (0.8, "M")})
        for i in range(30)
    ]
    split = frame("QN=20200101000000001;ST=22;CN=2061;PW=1;MN=M;Flag=6;PNUM=2;PNO=1;CP=&&a=1&&")
    return [
        *good[:10],
        VECTOR_PACKET,
        VECTOR_PACKET.replace("1C80", "1c80"),
        VECTOR_PACKET.replace("1C80", "1C81"),                 # crc_mismatch
        VECTOR_PACKET.replace("RtdInterval=30", "RtdInterval=31"),
        VECTOR_PACKET[:-2],                                     # no CR LF
        VECTOR_PACKET[:-2] + "\n",
        VECTOR_PACKET[:70] + "\r\n",                            # truncated
        "##0102" + VECTOR.decode() + "1C80\r\n",
        "garbage\r\n",
        "",
        "\r\n",
        "乱码##\r\n",
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=1;a=2&&"),      # duplicate key
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=1;;b=2&&"),     # stray separator (accepted)
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a=b=c&&"),        # '=' in a value (accepted)
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&=1&&"),           # empty key
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&a&&"),            # no '='
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&&&"),             # empty CP
        frame("MN=M;QN=1;ST=22;CN=2061;Flag=4;CP=&&a=1&&"),               # other field order
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=4;CP=&&站点=昭通&&"),    # non-ASCII, valid
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=x;CP=&&a=1&&"),
        frame("QN=1;ST=22;CN=2061;PW=1;MN=M;Flag=6;CP=&&a=1&&"),          # split bit, no PNUM
        split,
        split.encode(),                                                   # bytes input
        b"\xff\xfe##0101\r\n",                                            # undecodable bytes
        *good[10:],
    ]


@pytest.mark.parametrize("require_crlf", [True, False])
def test_parse_many_equals_parse_packet(require_crlf: bool) -> None:
    lines = _mixed_lines()
    expected = [outcome(line, require_crlf=require_crlf) for line in lines]
    got = parse_many(lines, require_crlf=require_crlf)
    assert len(got) == len(lines)
    for line, e, g in zip(lines, expected, got, strict=True):
        assert type(g) is type(e), line
        assert g == e, line
        if isinstance(g, Hj212Error):
            assert (g.rule, g.reason, g.raw) == (e.rule, e.reason, e.raw)
    kinds = [r.rule if isinstance(r, Hj212Error) else "ok" for r in got]
    assert kinds.count("ok") >= 35 and "crc_mismatch" in kinds and "bad_cp" in kinds


def test_parse_many_more_than_one_block() -> None:
    lines = [build_air_hourly("M", "1", datetime(2020, 1, 1), {"a34004": (float(i), "N")}) for i in range(9000)]
    lines[5000] = lines[5000].replace("-Flag=N", "-Flag=M")  # same length, CRC now wrong
    got = parse_many(lines)
    assert isinstance(got[5000], Hj212Error) and got[5000].rule == "crc_mismatch"
    assert all(isinstance(r, Packet) for i, r in enumerate(got) if i != 5000)
    assert got[8999].cp["a34004-Avg"] == "8999.0"


# --------------------------------------------------------------------- TCP stream framing


def test_split_frames_coalesced_and_fragmented() -> None:
    a = VECTOR_PACKET.encode()
    b = build_air_hourly("M", "1", datetime(2020, 1, 1), {"a34004": (1.0, "N")}).encode()
    # coalesced: two packets and a half in one read
    frames, rest = split_frames(a + b + b[:20])
    assert frames == [a, b] and rest == b[:20]
    # fragmented: the rest of the third packet arrives with the next read
    frames, rest = split_frames(rest + b[20:])
    assert frames == [b] and rest == b""
    # one byte at a time
    out, buf = [], b""
    for i in range(len(a + b)):
        buf += (a + b)[i:i + 1]
        got, buf = split_frames(buf)
        out += got
    assert out == [a, b] and buf == b""


def test_split_frames_reports_noise_and_bad_length() -> None:
    a = VECTOR_PACKET.encode()
    wrong = ("##0150" + VECTOR.decode() + "1C80\r\n").encode()  # length field too large
    frames, rest = split_frames(b"noise\r\n" + a + wrong + a)
    assert frames == [b"noise\r\n", a, wrong, a] and rest == b""
    assert [outcome(f).rule if isinstance(outcome(f), Hj212Error) else "ok" for f in frames] == [
        "bad_frame", "ok", "bad_length", "ok"]
    frames, rest = split_frames(b"##0101QN=1", final=True)
    assert frames == [b"##0101QN=1"] and rest == b""


def test_split_frames_keeps_every_byte_and_no_garbage_swallows_a_packet() -> None:
    a = VECTOR_PACKET.encode()
    # garbage ending in '#' right before a packet: the packet still comes out whole
    frames, rest = split_frames(b"xx#" + a)
    assert frames == [b"xx#", a] and rest == b""
    # CR LF alone between packets is a frame of its own (to quarantine), not dropped
    frames, rest = split_frames(a + b"\r\n" + a)
    assert frames == [a, b"\r\n", a] and rest == b""
    assert b"".join(frames) == a + b"\r\n" + a


# ---------------------------------------------------------------------- split packets


def _split_parts() -> list[str]:
    common = "QN=20200101010000000;ST=22;CN=2061;PW=123456;MN=M1;Flag=6;PNUM=3"
    return [
        frame(f"{common};PNO=1;CP=&&DataTime=20200101000000;a34004-Avg=25.0,a34004-Flag=N&&"),
        frame(f"{common};PNO=2;CP=&&DataTime=20200101000000;a34002-Avg=40.0,a34002-Flag=N&&"),
        frame(f"{common};PNO=3;CP=&&DataTime=20200101000000;a21026-Avg=5.0,a21026-Flag=N&&"),
    ]


def test_split_packet_fields() -> None:
    p = parse_packet(_split_parts()[1])
    assert p.is_split and (p.flag, p.pnum, p.pno) == (6, 3, 2)
    assert p.flag & FLAG_SPLIT


def test_reassemble_joins_in_pno_order() -> None:
    one, two, three = _split_parts()
    other = build_air_hourly("M2", "1", datetime(2020, 1, 1), {"a34004": (9.0, "N")})
    error = Hj212Error("bad_frame", "x")
    packets = [parse_packet(three), parse_packet(other), parse_packet(one), error, parse_packet(two)]
    out = reassemble(packets)
    assert len(out) == 3
    joined, passed, err = out
    assert isinstance(joined, Packet)
    assert joined.cp == {
        "DataTime": "20200101000000",
        "a34004-Avg": "25.0", "a34004-Flag": "N",
        "a34002-Avg": "40.0", "a34002-Flag": "N",
        "a21026-Avg": "5.0", "a21026-Flag": "N",
    }
    assert (joined.qn, joined.mn, joined.flag, joined.pnum, joined.pno) == ("20200101010000000", "M1", 4, None, None)
    assert not joined.is_split
    assert joined.raw == one + two + three
    assert passed == parse_packet(other) and err is error


def test_reassemble_reports_incomplete_and_inconsistent_groups() -> None:
    one, _two, three = _split_parts()
    (out,) = reassemble([parse_packet(one), parse_packet(three)])
    assert isinstance(out, Hj212Error) and out.rule == "incomplete_split"
    assert "received part(s) 1, 3 of 3; missing 2" in out.reason
    assert "QN=20200101010000000 MN=M1" in out.reason

    clash = one.replace("PNO=1", "PNO=2").replace("a34004", "a34002").replace("25.0", "99.0")
    clash = frame(clash[6:-6])
    (out,) = reassemble([parse_packet(one), parse_packet(_two), parse_packet(clash), parse_packet(three)])
    assert isinstance(out, Hj212Error) and out.rule == "bad_split"
    # the same part received twice (a resend) is harmless
    (out,) = reassemble([parse_packet(x) for x in (one, _two, _two, three)])
    assert isinstance(out, Packet) and len(out.cp) == 7


def test_parse_many_equals_parse_packet_on_mutated_packets() -> None:
    """Seeded fuzz: damage well-formed packets with separator characters, re-frame some of them
    with a correct length and CRC (so that the CP/header checks are reached), and compare."""
    rng = random.Random(633)
    base = build_air_hourly("MN1", "123456", datetime(2022, 7, 21, 12),
                            {"a34004": (12.0, "N"), "a34002": (30.0, "N"), "a05024": (80.0, "N")})
    segment = base[6:-6]
    lines: list[str] = []
    for _ in range(3000):
        chars = list(segment)
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.4:
                chars[pos] = rng.choice(";,=&A1")
            elif op < 0.7:
                chars.insert(pos, rng.choice(";,=&"))
            else:
                del chars[pos]
        damaged = "".join(chars)
        lines.append(frame(damaged) if rng.random() < 0.8 else base[:6] + damaged + base[-6:])
    expected = [outcome(line) for line in lines]
    assert parse_many(lines) == expected
    assert sum(isinstance(e, Packet) for e in expected) > 100  # some damage is still a valid packet
    assert len({e.rule for e in expected if isinstance(e, Hj212Error)}) >= 4
