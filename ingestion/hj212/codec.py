"""HJ 212-2017 packet codec: CRC, framing, building, parsing and split-packet reassembly.

An HJ 212-2017 communication packet is one ASCII line::

    ##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=...;Flag=5;CP=&&RtdInterval=30&&1C80\r\n
    ^ ^   ^------------------------------ data segment -----------------------------^^   ^
    | |                                                                               |   CR LF
    | 4-digit decimal length of the data segment (bytes)                              CRC (4 hex)
    header "##"

Data segment: ``QN=yyyyMMddHHmmssSSS;ST=..;CN=....;PW=..;MN=..;Flag=n;[PNUM=..;PNO=..;]CP=&&..&&``.
CP items are ``key=value``; items of one pollutant are joined by ``,``, pollutants by ``;``
(``DataTime=20200101000000;a34004-Avg=25.0,a34004-Flag=N``).

The CRC covers the data segment only. It starts at 0xFFFF and for each byte does
``crc = (crc >> 8) ^ byte`` followed by eight reflected shifts with polynomial 0xA001 (this
is *not* CRC-16/MODBUS, which XORs the byte into the low byte instead). Because ``crc >> 8``
and the byte are both 8-bit, the whole per-byte step collapses to one table lookup,
``crc = CRC_TABLE[(crc >> 8) ^ byte]``, which is what makes :func:`crc16_many` vectorisable.

Every parse failure raises (or, in :func:`parse_many`, returns) an :class:`Hj212Error` with a
short machine ``rule`` and a ``reason`` sentence meant for a data engineer:

``bad_frame``
    no ``##`` header, no CR LF terminator, too short, CRC field not hexadecimal, undecodable text
``bad_length``
    length field not 4 digits, or different from the actual data-segment length
``crc_mismatch``
    the CRC written in the packet differs from the CRC of the data segment
``missing_field``
    QN, ST, CN, MN or CP absent or empty; PNUM/PNO absent on a split packet
``bad_field``
    a header item without ``=``, a repeated header field, a non-integer Flag/PNUM/PNO, PNO outside 1..PNUM
``bad_cp``
    CP not wrapped in ``&& … &&``, a CP item without ``=`` or with an empty key, a repeated CP key
``bad_datatime``
    from :func:`parse_datatime`: not ``yyyyMMddHHmmss`` or not a calendar time
``incomplete_split`` / ``bad_split``
    from :func:`reassemble`: parts of a split message missing / inconsistent
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

__all__ = [
    "CRC_TABLE",
    "FLAG_ACK",
    "FLAG_SPLIT",
    "FLAG_V2017",
    "Hj212Error",
    "Packet",
    "build_air_hourly",
    "build_packet",
    "crc16",
    "crc16_many",
    "format_crc",
    "format_value",
    "parse_datatime",
    "parse_many",
    "parse_packet",
    "reassemble",
    "split_frames",
]

#: Flag bit A: the sender wants a response.
FLAG_ACK = 1
#: Flag bit D: the packet is one part of a split message (PNUM/PNO present).
FLAG_SPLIT = 2
#: Version bits (V5..V0 shifted left by 2): 000001 = HJ 212-2017.
FLAG_V2017 = 4

_REQUIRED_FIELDS: tuple[str, ...] = ("QN", "ST", "CN", "MN", "CP")

#: Largest data segment the 4-digit length field can describe.
MAX_DATA_LENGTH = 9999
_MIN_FRAME = 10  # "##" + 4-digit length + empty data segment + 4-digit CRC

_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_DATATIME_RE = re.compile(r"[0-9]{14}")
_CP_FORBIDDEN = re.compile(r"[;,=&\r\n]")
_HEADER_FORBIDDEN = re.compile(r"[;=&\r\n]")


# --------------------------------------------------------------------------------------------
# Errors and the packet record
# --------------------------------------------------------------------------------------------


class Hj212Error(ValueError):
    """A packet that cannot be accepted.

    ``rule`` is a short machine code (``bad_frame``, ``bad_length``, ``crc_mismatch``,
    ``missing_field``, ``bad_field``, ``bad_cp``, ``bad_datatime``, ``incomplete_split``,
    ``bad_split``); ``reason`` is a sentence saying what is wrong and where; ``raw`` is the
    line as received when known. Two errors are equal when rule, reason and raw are equal.
    """

    def __init__(self, rule: str, reason: str, raw: str | None = None) -> None:
        super().__init__(rule, reason)
        self.rule = rule
        self.reason = reason
        self.raw = raw

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason}"

    def __repr__(self) -> str:
        return f"Hj212Error({self.rule!r}, {self.reason!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hj212Error):
            return NotImplemented
        return (self.rule, self.reason, self.raw) == (other.rule, other.reason, other.raw)

    def __hash__(self) -> int:
        return hash((self.rule, self.reason, self.raw))

    def __reduce__(self) -> tuple[type[Hj212Error], tuple[str, str, str | None]]:
        return (Hj212Error, (self.rule, self.reason, self.raw))


@dataclass(frozen=True, slots=True)
class Packet:
    """One decoded HJ 212 packet.

    ``cp`` maps every CP key exactly as written (``DataTime``, ``a34004-Avg``,
    ``a34004-Flag`` …) to its string value, in packet order. ``raw`` is the line as received
    (for a reassembled split message: the parts' lines concatenated in PNO order).
    """

    qn: str
    st: str
    cn: str
    pw: str | None
    mn: str
    flag: int | None
    pnum: int | None
    pno: int | None
    cp: dict[str, str] = field(hash=False)
    raw: str = field(default="", repr=False)

    @property
    def wants_response(self) -> bool:
        """Flag bit A: the sender expects a response (e.g. 9014)."""
        return self.flag is not None and bool(self.flag & FLAG_ACK)

    @property
    def is_split(self) -> bool:
        """Flag bit D: this packet is one part of a split message."""
        return self.flag is not None and bool(self.flag & FLAG_SPLIT)

    @property
    def version(self) -> int | None:
        """Protocol version bits (``flag >> 2``): 1 means HJ 212-2017, 0 HJ 212-2005."""
        return None if self.flag is None else self.flag >> 2

    @property
    def data_time(self) -> datetime | None:
        """``CP`` ``DataTime`` as a naive local datetime, or None when the packet has none.

        Raises :class:`Hj212Error` (``bad_datatime``) when present but malformed.
        """
        value = self.cp.get("DataTime")
        return None if value is None else parse_datatime(value)

    def pollutants(self) -> dict[str, dict[str, str]]:
        """Group CP items by pollutant code: ``{"a34004": {"Avg": "25.0", "Flag": "N"}, ...}``.

        Keys without a ``-`` (``DataTime``, ``RtdInterval`` …) are left out.
        """
        out: dict[str, dict[str, str]] = {}
        for key, value in self.cp.items():
            code, sep, suffix = key.partition("-")
            if sep:
                out.setdefault(code, {})[suffix] = value
        return out


# --------------------------------------------------------------------------------------------
# CRC
# --------------------------------------------------------------------------------------------


def _make_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint16)
    for i in range(256):
        crc = i
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
        table[i] = crc
    return table


#: ``CRC_TABLE[i]`` = eight reflected 0xA001 shifts applied to ``i`` (0 ≤ i < 256).
CRC_TABLE: np.ndarray = _make_table()
CRC_TABLE.setflags(write=False)
_TABLE_LIST: list[int] = [int(v) for v in CRC_TABLE]


def crc16(data: bytes) -> int:
    """HJ 212-2017 CRC of ``data`` (the data segment only), as an int in 0..0xFFFF.

    >>> format_crc(crc16(b"QN=20160801085857223;ST=32;CN=1062;PW=100000;"
    ...                  b"MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"))
    '1C80'
    """
    table = _TABLE_LIST
    crc = 0xFFFF
    for byte in data:
        crc = table[(crc >> 8) ^ byte]
    return crc


def format_crc(crc: int) -> str:
    """The CRC as the packet writes it: four upper-case hex digits."""
    return f"{crc:04X}"


def _make_table2() -> np.ndarray:
    # Two bytes per lookup: CRC_TABLE2[(h << 8) | b1] = CRC_TABLE[(CRC_TABLE[h] >> 8) ^ b1]
    # where h = (crc >> 8) ^ b0. Since h << 8 == (crc & 0xFF00) ^ (b0 << 8), the index is
    # (crc & 0xFF00) ^ (b0 << 8 | b1): one lookup per byte pair.
    t = CRC_TABLE.astype(np.intp)
    i = np.arange(65536)
    return t[(t[i >> 8] >> 8) ^ (i & 0xFF)]


_TABLE1 = CRC_TABLE.astype(np.intp)
_TABLE2 = _make_table2()
_CRC_CHUNK = 4096  # packets per block: keeps the working set in the CPU cache


def crc16_many(segments: Sequence[bytes]) -> np.ndarray:
    """HJ 212 CRC of many data segments at once; returns a ``uint16`` array (same order).

    The segments are sorted by length (longest first) and processed in blocks of
    4096. Each block is laid out as a zero-padded uint8 matrix, viewed as big-endian
    byte pairs and transposed so that each pair position is contiguous. At pair position
    ``j`` only a prefix of the block is still active (the segments are sorted), so each step
    is one vectorised lookup in a 65536-entry two-byte table over that prefix, plus a
    one-byte step for the segments whose odd length ends inside the pair. Results equal
    :func:`crc16` element by element.
    """
    n = len(segments)
    out = np.empty(n, dtype=np.uint16)
    if n == 0:
        return out
    lengths = np.fromiter(map(len, segments), dtype=np.int64, count=n)
    order = np.argsort(-lengths, kind="stable")
    order_list = order.tolist()
    crc = np.empty(min(n, _CRC_CHUNK), dtype=np.intp)
    scratch = np.empty_like(crc)
    for c0 in range(0, n, _CRC_CHUNK):
        block = order[c0:c0 + _CRC_CHUNK]
        k = len(block)
        block_lengths = lengths[block]
        width = int(block_lengths[0])
        width += width & 1
        buf = b"".join([bytes(segments[i]).ljust(width, b"\0") for i in order_list[c0:c0 + k]])
        # pairs[j, c] = byte 2j << 8 | byte 2j+1 of segment c
        pairs = np.frombuffer(buf, dtype=">u2").reshape(k, width // 2).T.astype(np.intp)
        ascending = block_lengths[::-1]
        two = k - np.searchsorted(ascending, np.arange(1, width, 2), side="right")  # len >= 2j+2
        one = k - np.searchsorted(ascending, np.arange(0, width, 2), side="right")  # len >= 2j+1
        c = crc[:k]
        c.fill(0xFFFF)
        for j, (k2, k1) in enumerate(zip(two.tolist(), one.tolist(), strict=True)):
            if k2:
                x = scratch[:k2]
                np.bitwise_and(c[:k2], 0xFF00, out=x)
                np.bitwise_xor(x, pairs[j, :k2], out=x)
                np.take(_TABLE2, x, out=c[:k2], mode="wrap")
            if k1 > k2:
                x = scratch[k2:k1]
                np.right_shift(c[k2:k1], 8, out=x)
                np.bitwise_xor(x, pairs[j, k2:k1] >> 8, out=x)
                np.take(_TABLE1, x, out=c[k2:k1], mode="wrap")
        out[block] = c
    return out


# --------------------------------------------------------------------------------------------
# Building packets
# --------------------------------------------------------------------------------------------


def _check_token(kind: str, value: str, forbidden: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{kind} must be a str, got {type(value).__name__}")
    if forbidden.search(value):
        raise ValueError(f"{kind} {value!r} contains a separator character (; , = & CR LF)")
    return value


def _encode_cp(cp: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    items = list(cp.items()) if isinstance(cp, Mapping) else [tuple(kv) for kv in cp]
    groups: list[list[str]] = []
    last_code: str | None = None
    for key, value in items:
        if not key:
            raise ValueError("a CP key must not be empty")
        _check_token("CP key", key, _CP_FORBIDDEN)
        _check_token(f"CP value of {key}", value, _CP_FORBIDDEN)
        code = key.partition("-")[0]
        if groups and code == last_code and "-" in key:
            groups[-1].append(f"{key}={value}")
        else:
            groups.append([f"{key}={value}"])
        last_code = code
    return "CP=&&" + ";".join(",".join(g) for g in groups) + "&&"


def build_packet(
    *,
    qn: str,
    st: str,
    cn: str,
    pw: str | None,
    mn: str,
    flag: int | None,
    cp: Mapping[str, str] | Iterable[tuple[str, str]],
    pnum: int | None = None,
    pno: int | None = None,
) -> str:
    """Build one HJ 212-2017 packet: ``##`` + length + data segment + CRC + ``\\r\\n``.

    ``cp`` is a mapping (or a sequence of ``(key, value)`` pairs) of CP keys to string
    values, e.g. ``{"DataTime": "20200101000000", "a34004-Avg": "25.0", "a34004-Flag": "N"}``.
    Consecutive items of one pollutant (same code before ``-``) are joined by ``,``, other
    items by ``;``. ``pw`` / ``flag`` None omit the field; ``pnum``/``pno`` are written only
    when given (set the split bit in ``flag`` yourself).
    """
    header: list[tuple[str, str | None]] = [
        ("QN", qn), ("ST", st), ("CN", cn), ("PW", pw), ("MN", mn),
        ("Flag", None if flag is None else str(int(flag))),
        ("PNUM", None if pnum is None else str(int(pnum))),
        ("PNO", None if pno is None else str(int(pno))),
    ]
    parts = []
    for key, value in header:
        if value is None:
            continue
        if not value and key in _REQUIRED_FIELDS:
            raise ValueError(f"{key} must not be empty")
        _check_token(key, value, _HEADER_FORBIDDEN)
        parts.append(f"{key}={value}")
    parts.append(_encode_cp(cp))
    data = ";".join(parts)
    raw = data.encode("utf-8")
    if len(raw) > MAX_DATA_LENGTH:
        raise ValueError(
            f"data segment is {len(raw)} bytes, more than the 4-digit length field allows "
            f"({MAX_DATA_LENGTH}); split the CP over several packets with PNUM/PNO"
        )
    return f"##{len(raw):04d}{data}{format_crc(crc16(raw))}\r\n"


def format_value(value: float | int | str, decimals: int = 3) -> str:
    """Format a measured value for CP: strings as they are, numbers with at most
    ``decimals`` decimals and at least one (``25`` → ``25.0``, ``0.30000000000000004`` → ``0.3``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number or str, got {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"value {value!r} cannot be sent; leave the value out (None) instead")
    text = f"{value:.{decimals}f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return "0.0" if text in ("-0.0", "-0") else text


def build_air_hourly(
    mn: str,
    pw: str,
    data_time: datetime,
    values: Mapping[str, tuple[float | int | str | None, str | None]],
    qn_time: datetime | None = None,
    *,
    flag: int = FLAG_V2017,
) -> str:
    """Build an ambient-air hourly packet (ST=22, CN=2061, Flag=4: HJ 212-2017, no response).

    ``values`` maps a pollutant code (``a34004`` …) to ``(value, flag)``; each becomes
    ``<code>-Avg=<value>,<code>-Flag=<flag>``. A None value sends only the flag (instrument
    state without a value), a None flag sends only the value; both None skips the pollutant.
    ``qn_time`` is the send time written as QN (``yyyyMMddHHmmssSSS``); it defaults to
    ``data_time`` so that the output is deterministic.
    """
    qn_dt = data_time if qn_time is None else qn_time
    qn = qn_dt.strftime("%Y%m%d%H%M%S") + f"{qn_dt.microsecond // 1000:03d}"
    cp: list[tuple[str, str]] = [("DataTime", data_time.strftime("%Y%m%d%H%M%S"))]
    for code, (value, data_flag) in values.items():
        if value is not None:
            cp.append((f"{code}-Avg", format_value(value)))
        if data_flag is not None:
            cp.append((f"{code}-Flag", data_flag))
    return build_packet(qn=qn, st="22", cn="2061", pw=pw, mn=mn, flag=flag, cp=cp)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def parse_datatime(s: str) -> datetime:
    """Parse an HJ 212 ``yyyyMMddHHmmss`` time (e.g. CP ``DataTime``) into a naive datetime."""
    if not isinstance(s, str) or not _DATATIME_RE.fullmatch(s):
        raise Hj212Error(
            "bad_datatime", f"DataTime {s!r} is not 14 digits in the form yyyyMMddHHmmss"
        )
    try:
        return datetime(int(s[0:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:14]))
    except ValueError as exc:
        raise Hj212Error("bad_datatime", f"DataTime {s} is not a valid calendar time ({exc})") from None


def _raw_text(line: str | bytes) -> str:
    if isinstance(line, str):
        return line
    return bytes(line).decode("utf-8", errors="replace")


def _frame(line: str | bytes, require_crlf: bool) -> tuple[bytes, int]:
    """Check the frame of one line; return (data segment bytes, CRC written in the packet).

    Raises Hj212Error for ``bad_frame`` and ``bad_length``.
    """
    if isinstance(line, str):
        try:
            buf = line.encode("utf-8", errors="surrogateescape")
        except UnicodeEncodeError:
            raise Hj212Error("bad_frame", "line holds characters that are not valid text") from None
    else:
        buf = bytes(line)

    if buf.endswith(b"\r\n"):
        buf = buf[:-2]
    elif require_crlf:
        if not buf:
            raise Hj212Error("bad_frame", "empty line: no packet")
        tail = buf[-12:].decode("ascii", errors="replace")
        raise Hj212Error(
            "bad_frame",
            f"packet does not end with CR LF (it ends with {tail!r}); it may be truncated or "
            "two packets may be glued together",
        )
    elif buf.endswith((b"\n", b"\r")):
        buf = buf[:-1]

    if not buf:
        raise Hj212Error("bad_frame", "empty line: no packet")
    if not buf.startswith(b"##"):
        head = buf[:12].decode("utf-8", errors="replace")
        raise Hj212Error("bad_frame", f"packet does not start with '##' (it starts with {head!r})")
    if len(buf) < _MIN_FRAME:
        raise Hj212Error(
            "bad_frame",
            f"packet is only {len(buf)} bytes before CR LF; a packet needs '##', a 4-digit "
            "length, the data segment and a 4-digit CRC",
        )
    length_field = buf[2:6]
    if not length_field.isdigit():
        raise Hj212Error(
            "bad_length",
            f"length field {length_field.decode('utf-8', errors='replace')!r} after '##' is not "
            "4 decimal digits",
        )
    data = buf[6:-4]
    if int(length_field) != len(data):
        raise Hj212Error(
            "bad_length",
            f"length field says {length_field.decode()} but the data segment is {len(data)} "
            "bytes; the packet was truncated, padded or altered in transit, or its CRC is missing",
        )
    crc_field = buf[-4:]
    if not all(b in _HEX_DIGITS for b in crc_field):
        raise Hj212Error(
            "bad_frame",
            f"the 4 characters before CR LF, {crc_field.decode('utf-8', errors='replace')!r}, are "
            "not a hexadecimal CRC",
        )
    return data, int(crc_field, 16)


def _check_crc(declared: int, computed: int) -> None:
    if declared != computed:
        raise Hj212Error(
            "crc_mismatch",
            f"CRC mismatch: packet says {format_crc(declared)}, data segment gives "
            f"{format_crc(computed)}; the data segment was altered in transit or the sender "
            "uses another CRC (e.g. CRC-16/MODBUS)",
        )


def _parse_int(name: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise Hj212Error("bad_field", f"{name}={value!r} is not a non-negative integer")
    return int(value)


def _parse_cp(cp_text: str) -> dict[str, str]:
    if len(cp_text) < 4 or not cp_text.startswith("&&") or not cp_text.endswith("&&"):
        shown = cp_text if len(cp_text) <= 40 else cp_text[:37] + "..."
        raise Hj212Error("bad_cp", f"CP must be wrapped in && … &&, got CP={shown!r}")
    inner = cp_text[2:-2]
    cp: dict[str, str] = {}
    if not inner:
        return cp
    for item in inner.replace(",", ";").split(";"):
        if not item:
            continue  # tolerate a stray separator, e.g. a trailing ';'
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Hj212Error("bad_cp", f"CP item {item!r} is not key=value")
        if key in cp:
            raise Hj212Error("bad_cp", f"CP key {key} appears more than once")
        cp[key] = value
    return cp


def _parse_segment(data: bytes, raw: str) -> Packet:
    """Parse the data segment (already length- and CRC-checked) into a Packet."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Hj212Error("bad_frame", "data segment is not valid UTF-8/ASCII text") from None

    if text.startswith("CP="):
        cp_at = 0
    else:
        cp_at = text.find(";CP=")
        if cp_at >= 0:
            cp_at += 1
    header_text = text[:cp_at - 1] if cp_at > 0 else ("" if cp_at == 0 else text)

    fields: dict[str, str] = {}
    for item in header_text.split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise Hj212Error("bad_field", f"header field {item!r} is not key=value")
        if key in fields:
            raise Hj212Error("bad_field", f"header field {key} appears more than once")
        fields[key] = value
    if cp_at >= 0:
        fields["CP"] = text[cp_at + 3:]

    missing = [name for name in _REQUIRED_FIELDS if not fields.get(name)]
    if missing:
        raise Hj212Error(
            "missing_field",
            f"required field{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'are' if len(missing) > 1 else 'is'} absent or empty",
        )

    flag = _parse_int("Flag", fields["Flag"]) if "Flag" in fields else None
    pnum = _parse_int("PNUM", fields["PNUM"]) if "PNUM" in fields else None
    pno = _parse_int("PNO", fields["PNO"]) if "PNO" in fields else None
    if flag is not None and flag & FLAG_SPLIT:
        absent = [name for name, v in (("PNUM", pnum), ("PNO", pno)) if v is None]
        if absent:
            raise Hj212Error(
                "missing_field",
                f"Flag={flag} marks a split packet but {' and '.join(absent)} "
                f"{'are' if len(absent) > 1 else 'is'} absent",
            )
    if pnum is not None and pno is not None and not 1 <= pno <= pnum:
        raise Hj212Error("bad_field", f"PNO={pno} is outside 1..PNUM={pnum}")

    return Packet(
        qn=fields["QN"],
        st=fields["ST"],
        cn=fields["CN"],
        pw=fields.get("PW"),
        mn=fields["MN"],
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=_parse_cp(fields["CP"]),
        raw=raw,
    )


def parse_packet(line: str | bytes, *, require_crlf: bool = True) -> Packet:
    """Decode and check one packet line.

    Checks, in order: the frame (``##`` header, CR LF terminator, minimum size),
    the 4-digit length field against the actual data-segment length, the CRC, the header
    fields (QN, ST, CN, MN and CP required; Flag/PNUM/PNO integers) and the CP syntax.
    With ``require_crlf=False`` a line whose CR LF was stripped or turned into LF by a text
    line reader is accepted too. Raises :class:`Hj212Error` (with ``raw`` set) on failure.
    """
    raw = _raw_text(line)
    try:
        data, declared = _frame(line, require_crlf)
        _check_crc(declared, crc16(data))
        return _parse_segment(data, raw)
    except Hj212Error as exc:
        exc.raw = raw
        raise


# Fast path of parse_many: one regular expression checks the frame and captures the canonical
# header layout that devices (and build_packet) write. Groups: 1 length field, 2 data segment,
# 3 QN, 4 ST, 5 CN, 6 PW, 7 MN, 8 Flag, 9 CP body, 10 CRC.
_FAST_BODY = (
    r"##([0-9]{4})"
    r"(QN=([^;=]+);ST=([^;=]+);CN=([^;=]+);PW=([^;=]*);MN=([^;=]+);Flag=([0-9]+);CP=&&([^&]*)&&)"
    r"([0-9A-Fa-f]{4})"
)
_FAST_STRICT = re.compile(_FAST_BODY + r"\r\n").fullmatch
_FAST_LENIENT = re.compile(_FAST_BODY + r"(?:\r\n|\n|\r)?").fullmatch
_NOT_SEPARATOR = bytes(b for b in range(256) if b not in b";,=")
_set = object.__setattr__
_new = object.__new__


def _fast_packet(m: re.Match[str], data: bytes, raw: str) -> Packet | None:
    """Build the Packet of a fast-path match whose CRC is good; None when the general parser
    must decide (split bit set, or a CP that is not strictly ``key=value`` items).

    Accepts only what :func:`_parse_segment` accepts, with the same result: the regex pins
    the header (QN;ST;CN;PW;MN;Flag in that order, no ``;``/``=`` inside values), and here
    every CP item must hold exactly one ``=`` after a non-empty key, with no repeated key.
    """
    flag = int(m[8])
    if flag & FLAG_SPLIT:
        return None
    cp_at = m.start(9) - 6
    # Separators of the CP body in order: valid is b"=", then pairs b";=" or b",=".
    seps = data[cp_at:len(data) - 2].translate(None, _NOT_SEPARATOR)
    odd = seps[1::2]
    if len(seps) % 2 == 0 or seps[::2].count(61) != len(seps) - len(odd) or 61 in odd:
        return None
    flat = iter(m[9].replace(",", ";").replace("=", ";").split(";"))
    cp = dict(zip(flat, flat))  # noqa: B905 -- even length guaranteed by the separator check
    if len(cp) != len(odd) + 1 or "" in cp:
        return None
    packet = _new(Packet)
    _set(packet, "qn", m[3])
    _set(packet, "st", m[4])
    _set(packet, "cn", m[5])
    _set(packet, "pw", m[6])
    _set(packet, "mn", m[7])
    _set(packet, "flag", flag)
    _set(packet, "pnum", None)
    _set(packet, "pno", None)
    _set(packet, "cp", cp)
    _set(packet, "raw", raw)
    return packet


_PARSE_CHUNK = 4096


def _parse_block(lines: list[str | bytes], require_crlf: bool) -> list[Packet | Hj212Error]:
    """parse_many on one block: frame every line, build fast-path packets straight away,
    check all CRCs in one vectorised pass, then settle CRC failures and deferred lines."""
    fast_match = _FAST_STRICT if require_crlf else _FAST_LENIENT
    results: list[Packet | Hj212Error | None] = [None] * len(lines)
    framed_at: list[int] = []  # line index of each CRC-checked segment
    segments: list[bytes] = []
    declared: list[int] = []
    deferred: dict[int, tuple[bytes, str]] = {}  # framed lines for the general parser
    for i, line in enumerate(lines):
        if type(line) is not str:
            line = bytes(line)
            if line.isascii():
                line = line.decode("ascii")
        m = fast_match(line) if type(line) is str and line.isascii() else None
        if m is not None and int(m[1]) == m.end(2) - 6:  # the data segment starts at 6
            data = m[2].encode("ascii")
            framed_at.append(i)
            segments.append(data)
            declared.append(int(m[10], 16))
            packet = _fast_packet(m, data, line)
            if packet is None:
                deferred[i] = (data, line)
            else:
                results[i] = packet  # replaced below if its CRC is wrong
            continue
        raw = _raw_text(line)
        try:
            data, crc = _frame(line, require_crlf)
        except Hj212Error as exc:
            exc.raw = raw
            results[i] = exc
            continue
        framed_at.append(i)
        segments.append(data)
        declared.append(crc)
        deferred[i] = (data, raw)

    computed = crc16_many(segments)
    for k in np.flatnonzero(computed != np.array(declared, dtype=np.uint16)).tolist():
        i = framed_at[k]
        deferred.pop(i, None)
        try:
            _check_crc(declared[k], int(computed[k]))
        except Hj212Error as exc:
            exc.raw = _raw_text(lines[i])
            results[i] = exc
    for i, (data, raw) in deferred.items():
        try:
            results[i] = _parse_segment(data, raw)
        except Hj212Error as exc:
            exc.raw = raw
            results[i] = exc
    return results  # type: ignore[return-value]


def parse_many(lines: Iterable[str | bytes], *, require_crlf: bool = True) -> list[Packet | Hj212Error]:
    """Decode many packet lines; returns one Packet or Hj212Error per line, in order.

    Same results as calling :func:`parse_packet` line by line (errors carry ``raw``), but
    the CRCs of all framed lines are computed together with :func:`crc16_many`, and
    well-formed ASCII packets in the canonical field order take a fast path (one regular
    expression for frame and header). Anything unusual goes through the general checks.
    """
    lines = list(lines)
    results: list[Packet | Hj212Error] = []
    # Blocks keep the intermediate objects few (less cyclic-GC work) and the CRC matrix small.
    for start in range(0, len(lines), _PARSE_CHUNK):
        results.extend(_parse_block(lines[start:start + _PARSE_CHUNK], require_crlf))
    return results  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------
# TCP stream framing and split-packet reassembly
# --------------------------------------------------------------------------------------------


_PACKET_START = re.compile(rb"##[0-9]{4}")


def split_frames(buffer: bytes, *, final: bool = False) -> tuple[list[bytes], bytes]:
    """Cut a received byte stream into frames, keeping every byte; returns ``(frames, rest)``.

    TCP delivers packets fragmented (one packet over several reads) and coalesced (several
    packets in one read). Feed the bytes received so far (previous ``rest`` + new data): every
    complete packet ``##<len><data><crc>\\r\\n`` is returned as one frame, guided by its length field.

    * a packet starts at ``##`` followed by four digits, so garbage ending in ``#`` right before a
      packet (``…#`` + ``##0101…``) does not swallow it;
    * every byte ends up in a frame: bytes that are not a packet (noise, CR LF alone, a packet whose
      length field is wrong) are returned as frames of their own, so that :func:`parse_packet` reports
      them and the caller can quarantine them; nothing is dropped;
    * a wrong length field is detected as soon as a CR LF followed by the next packet start is seen,
      so a damaged packet does not hold up the ones behind it.

    Incomplete trailing bytes are returned as ``rest`` (with ``final=True`` as a last frame instead).
    The TCP receiver (ingestion/receiver) frames its streams with this function.
    """
    frames: list[bytes] = []
    pos = 0
    n = len(buffer)
    while pos < n:
        m = _PACKET_START.search(buffer, pos)
        if m is None:
            # No packet start: hand over garbage up to its last CR LF, keep the tail (it may be the
            # beginning of a packet start: '#', '##', '##0' …).
            crlf = buffer.rfind(b"\r\n", pos)
            if crlf >= 0:
                frames.append(buffer[pos:crlf + 2])
                pos = crlf + 2
            break
        start = m.start()
        if start > pos:
            frames.append(buffer[pos:start])  # garbage before the packet
            pos = start
        end = start + 6 + int(buffer[start + 2:start + 6]) + 6
        if end <= n and buffer[end - 2:end] == b"\r\n":
            frames.append(buffer[start:end])
            pos = end
            continue
        # The length field does not lead to CR LF: either the packet is incomplete, or the field is wrong.
        crlf = buffer.find(b"\r\n", start + 6)
        if crlf >= 0 and (end <= n or _PACKET_START.match(buffer, crlf + 2) is not None):
            frames.append(buffer[start:crlf + 2])  # wrong length: the frame ends at its CR LF
            pos = crlf + 2
            continue
        break  # incomplete: wait for more bytes
    rest = buffer[pos:]
    if final and rest:
        frames.append(rest)
        rest = b""
    return frames, rest


def reassemble(packets: Iterable[Packet | Hj212Error]) -> list[Packet | Hj212Error]:
    """Join split packets (Flag bit D) into whole messages.

    Parts are grouped by (QN, MN) and their CP items joined in PNO order; the joined packet
    takes its header from part 1, clears the split bit, has ``pnum``/``pno`` None and
    ``raw`` = the parts' lines concatenated. Unsplit packets and errors pass through.
    Output keeps the order of first appearance. A group lacking parts becomes
    ``Hj212Error('incomplete_split', …)``; a group whose parts disagree (PNUM differs, the
    same PNO twice with different content, one CP key with two values) ``bad_split``.
    """
    slots: list[Packet | Hj212Error | tuple[str, str]] = []
    groups: dict[tuple[str, str], list[Packet]] = {}
    for item in packets:
        if isinstance(item, Packet) and item.is_split:
            key = (item.qn, item.mn)
            if key not in groups:
                groups[key] = []
                slots.append(key)
            groups[key].append(item)
        else:
            slots.append(item)

    out: list[Packet | Hj212Error] = []
    for slot in slots:
        if isinstance(slot, tuple):
            out.append(_join_group(slot, groups[slot]))
        else:
            out.append(slot)
    return out


def _join_group(key: tuple[str, str], parts: list[Packet]) -> Packet | Hj212Error:
    qn, mn = key
    where = f"split message QN={qn} MN={mn}"
    raw = "".join(p.raw for p in sorted(parts, key=lambda p: p.pno or 0))
    pnums = sorted({p.pnum for p in parts if p.pnum is not None})
    if len(pnums) != 1:
        return Hj212Error("bad_split", f"{where}: parts disagree on PNUM ({pnums})", raw)
    pnum = pnums[0]
    by_pno: dict[int, Packet] = {}
    for p in parts:
        if p.pno is None:
            return Hj212Error("bad_split", f"{where}: a part has no PNO", raw)
        seen = by_pno.get(p.pno)
        if seen is None:
            by_pno[p.pno] = p
        elif seen.cp != p.cp:
            return Hj212Error("bad_split", f"{where}: part PNO={p.pno} arrived twice with different CP", raw)
    missing = [i for i in range(1, pnum + 1) if i not in by_pno]
    if missing:
        return Hj212Error(
            "incomplete_split",
            f"{where}: received part(s) {', '.join(map(str, sorted(by_pno)))} of {pnum}; "
            f"missing {', '.join(map(str, missing))}",
            raw,
        )
    ordered = [by_pno[i] for i in range(1, pnum + 1)]
    cp: dict[str, str] = {}
    for p in ordered:
        for k, v in p.cp.items():
            if k in cp and cp[k] != v:
                return Hj212Error(
                    "bad_split", f"{where}: CP key {k} is {cp[k]!r} in one part and {v!r} in another", raw
                )
            cp[k] = v
    first = ordered[0]
    flag = None if first.flag is None else first.flag & ~FLAG_SPLIT
    return replace(first, flag=flag, pnum=None, pno=None, cp=cp, raw="".join(p.raw for p in ordered))

