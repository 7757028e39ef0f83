"""Columnar HJ 212 decoding: a landing file's bytes to Arrow columns, CRC verified.

:func:`decode_file` gives the same verdict as ``parse_many(_split_lines(data))`` (the loaders' per-line
path) on every input — the same lines, the same accepted packets with the same fields, the same
:class:`~ingestion.hj212.codec.Hj212Error` (rule and reason) for every rejected line — without one Python
object per packet on the common path:

1. **Lines.** The bytes are cut at LF with numpy. A piece that is printable ASCII (0x20-0x7E), starts with a
   non-blank byte and ends in LF, CR LF or the end of the file is exactly one line of
   ``data.decode("utf-8", "replace").splitlines(keepends=True)``; any other piece (control or non-ASCII
   bytes, a lone CR, a blank line) is split by Python exactly that way. The lines are one Arrow string
   array whose buffer is the file itself when no piece needed Python.
2. **Frame.** numpy on the bytes in place: ``##`` + 4 digits equal to the data segment's length, ``&&`` + 4 hex
   digits + CR LF at the end.
3. **CRC.** The CRC of every data segment at once, from the bytes in place (:func:`crc16_spans`: one XOR
   prefix over the file's 64-bit words, then a few table look-ups per segment; see the note below).
4. **Header.** ``split_pattern`` at the first ``;CP=&&``, then at ``;``: exactly ``QN=`` ``ST=`` ``CN=`` ``PW=``
   ``MN=`` ``Flag=`` (in that order, no other ``;`` or ``=``, non-empty values but PW, Flag 1-9 digits without
   the split bit) — the canonical layout devices and :func:`~ingestion.hj212.codec.build_packet` write.
5. **CP.** The bodies (no ``&`` inside) are split into tokens with ``split_pattern`` after mapping ``,`` and
   ``=`` to ``;``; the separators, read in order, must alternate ``=`` and ``;``/``,`` within each body (every
   item exactly one ``=``), keys must be non-empty and not repeat within a packet (the rule of
   ``codec._fast_packet``). The result is one (line, key, value) row per CP item.

A line that fails any of these (bad frame, wrong length, CRC mismatch, split-packet flag, an item that is
not strictly ``key=value``, a repeated or empty key, a non-canonical header, a line with odd bytes …) is
handed to :func:`~ingestion.hj212.codec.parse_many`, for exactly those lines; its verdict is taken as is.
So every rejection, with its rule and reason, comes from the codec's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.hj212.codec import CRC_TABLE, FLAG_SPLIT, Hj212Error, Packet, parse_many

__all__ = ["Decoded", "crc16_spans", "decode_file", "split_lines"]

# --------------------------------------------------------------------------------------------
# CRC of many spans of one buffer
# --------------------------------------------------------------------------------------------
#
# The HJ 212 step is crc' = T[(crc >> 8) ^ b]: the next state depends only on the high byte h of the
# state, h' = H[h ^ b] with H = T >> 8, and the last byte gives the full 16 bits, crc = T[h ^ b_last].
# T is linear over GF(2) (a CRC table), so H is an 8x8 linear map; it is invertible and H^8 = identity
# (checked below). Starting from h0 = 0xFF, after the first n-1 bytes b_1 .. b_{n-1} of a segment:
#     h = H^(n-1)(0xFF)  XOR  XOR_{i<n} H^(n-i)(b_i).
# With the bytes at absolute positions p (segment at a .. a+n-1) and V(p) = H^(-p)(b_p), the sum is
#     H^(a+n-1)( X(a+n-1) XOR X(a) ),   X(q) = V(0) XOR … XOR V(q-1).
# Exponents only matter modulo 8, the length of a 64-bit word: X(q) = L(P(q)), where P(q) is the plain
# XOR of the buffer's little-endian 64-bit words below q (the last one masked to the bytes below q) and
# L applies H^(-j) to byte j of a word. So the only pass over the bytes is one XOR prefix over 64-bit
# words (numpy's bitwise_xor.accumulate); the tables are applied once per segment.

_T16 = CRC_TABLE.astype(np.uint16)
_H = (CRC_TABLE >> 8).astype(np.uint8)
_POW = np.empty((8, 256), dtype=np.uint8)  # _POW[r] = H^r
_POW[0] = np.arange(256, dtype=np.uint8)
for _r in range(1, 8):
    _POW[_r] = _H[_POW[_r - 1]]
if not np.array_equal(_H[_POW[7]], _POW[0]):  # pragma: no cover - a property of the table
    raise AssertionError("HJ 212 CRC: H^8 is not the identity")
_INV = np.ascontiguousarray(_POW[(-np.arange(8)) % 8])  # _INV[j] = H^(-j)
_POW_FLAT = _POW.ravel()
_START = _POW[:, 0xFF].copy()  # _START[m % 8] = H^m(0xFF)
_LOW_BYTES = np.array([(1 << (8 * r)) - 1 for r in range(8)], dtype=np.uint64)


def _fold(w: np.ndarray) -> np.ndarray:
    """L(w): XOR over j of H^(-j)(byte j of w), for a uint64 array."""
    h = np.zeros(len(w), dtype=np.uint8)
    for j in range(8):
        h ^= _INV[j].take((w >> np.uint64(8 * j)).astype(np.uint8).astype(np.intp))
    return h


def crc16_spans(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """HJ 212 CRC of ``buf[starts[i]:starts[i] + lengths[i]]`` for every i, as a ``uint16`` array.

    ``buf`` is a ``uint8`` array; the spans must be non-empty (they may be in any order and overlap).
    Equals :func:`~ingestion.hj212.codec.crc16` of each span.
    """
    n = len(starts)
    if n == 0:
        return np.empty(0, dtype=np.uint16)
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.min() < 1:
        raise ValueError("crc16_spans needs non-empty spans")
    size = len(buf)
    n_full = size // 8
    words = buf[: n_full * 8].view("<u8")  # no copy
    tail = np.uint64(int.from_bytes(buf[n_full * 8 :].tobytes(), "little"))  # the last, partial word
    prefix = np.empty(n_full + 1, dtype=np.uint64)
    prefix[0] = 0
    np.bitwise_xor.accumulate(words, out=prefix[1:])

    def below(q: np.ndarray) -> np.ndarray:  # P(q)
        w = q >> 3
        word = np.where(w < n_full, words[np.minimum(w, max(n_full - 1, 0))] if n_full else tail, tail)
        return prefix[w] ^ (word & _LOW_BYTES[q & 7])

    last = starts + lengths - 1
    h = _fold(below(last) ^ below(starts))
    h = _POW_FLAT.take((last & 7) * 256 + h)  # H^(a+n-1)
    h ^= _START[(lengths - 1) & 7]
    return _T16.take(h ^ buf[last])


# --------------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------------


def _string_array(offsets: np.ndarray, data: pa.Buffer) -> pa.Array:
    if int(offsets[-1]) < 2**31 - 1:
        return pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets.astype(np.int32)), data)
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets.astype(np.int64)), data)


def split_lines(data: bytes | memoryview) -> tuple[pa.Array, np.ndarray]:
    """The non-blank lines of ``data`` exactly as the loaders' ``_split_lines`` gives them
    (``data.decode("utf-8", "replace").splitlines(keepends=True)`` without whitespace-only lines),
    as an Arrow string array, and a bool array: True where the line is a printable-ASCII piece of the
    file as is (the candidates of the fast path)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    size = len(arr)
    if size == 0:
        return pa.array([], pa.string()), np.zeros(0, dtype=bool)
    ctrl = np.flatnonzero(arr < 0x20)
    nl = ctrl[arr[ctrl] == 10]
    ends = nl + 1
    if size and (len(nl) == 0 or nl[-1] != size - 1):
        ends = np.append(ends, size)
    starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
    # pieces holding a byte outside 0x20..0x7E other than their LF and a CR right before it
    others = ctrl[arr[ctrl] != 10]
    if len(others):
        after = np.minimum(others + 1, size - 1)
        others = others[(arr[others] != 13) | (others + 1 >= size) | (arr[after] != 10)]
    if arr.max() > 0x7E:
        others = np.union1d(others, np.flatnonzero(arr > 0x7E))
    odd = others
    slow = np.zeros(len(starts), dtype=bool)
    slow[np.searchsorted(ends, odd, side="right")] = True
    if len(starts):
        first = arr[starts]
        slow |= first == 32  # may be blank: Python's strip() decides
        slow |= first == 10  # LF alone
        slow |= (first == 13) & (ends - starts <= 2)  # CR LF alone (a lone CR is odd already)
    buffer = pa.py_buffer(data)
    offsets = np.append(starts, ends[-1] if len(ends) else 0)
    pieces = _string_array(offsets, buffer)
    if not slow.any():
        return pieces, np.ones(len(pieces), dtype=bool)
    slow_at = np.flatnonzero(slow)
    slow_lines = [
        [
            ln
            for ln in bytes(data[starts[i] : ends[i]])
            .decode("utf-8", errors="replace")
            .splitlines(keepends=True)
            if ln.strip()
        ]
        for i in slow_at.tolist()
    ]
    count = np.ones(len(starts), dtype=np.int64)
    count[slow_at] = [len(x) for x in slow_lines]
    first_line = np.cumsum(count) - count
    n_lines = int(count.sum())
    fast_at = np.flatnonzero(~slow)
    flat_slow = [ln for x in slow_lines for ln in x]
    slow_line_at = np.repeat(first_line[slow_at], count[slow_at]) + (
        np.arange(len(flat_slow)) - np.repeat(np.cumsum(count[slow_at]) - count[slow_at], count[slow_at])
    )
    order = np.empty(n_lines, dtype=np.int64)
    order[first_line[fast_at]] = np.arange(len(fast_at))
    order[slow_line_at] = len(fast_at) + np.arange(len(flat_slow))
    both = pa.concat_arrays([pieces.filter(pa.array(~slow)), pa.array(flat_slow, type=pieces.type)])
    lines = both.take(pa.array(order))
    fast = np.zeros(n_lines, dtype=bool)
    fast[first_line[fast_at]] = True
    return lines, fast


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

_HEX = np.zeros(256, dtype=np.int64)
_IS_HEX = np.zeros(256, dtype=bool)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    for _b in {_c, bytes([_c]).lower()[0]}:
        _HEX[_b], _IS_HEX[_b] = _i, True
#: header items of the canonical layout: (prefix, the value may be empty)
_HEADER = (
    (b"QN=", False),
    (b"ST=", False),
    (b"CN=", False),
    (b"PW=", True),
    (b"MN=", False),
    (b"Flag=", False),
)
_TO_SEMICOLON = bytes.maketrans(b",=", b";;")
_COMMA_TO_SEMICOLON = bytes.maketrans(b",", b";")
_NOT_SEP_OR_AMP = bytes(b for b in range(256) if b not in b";,=&")

PACKET_SCHEMA = pa.schema(
    [
        ("line", pa.int64()),
        ("qn", pa.string()),
        ("st", pa.string()),
        ("cn", pa.string()),
        ("pw", pa.string()),
        ("mn", pa.string()),
        ("flag", pa.int64()),
        ("pnum", pa.int64()),
        ("pno", pa.int64()),
    ]
)
ITEM_SCHEMA = pa.schema([("line", pa.int64()), ("key", pa.string()), ("value", pa.string())])


@dataclass
class Decoded:
    """The decoded lines of one file.

    ``lines``: every non-blank line as received (line ``i`` is line number ``i + 1``), CR LF kept.
    ``packets``: one row per accepted line, ascending ``line`` (0-based index into ``lines``), with the
    header fields (``PACKET_SCHEMA``). ``items``: the CP items of the accepted packets in packet order,
    ``(line, key, value)`` (``ITEM_SCHEMA``). ``errors``: line index → :class:`Hj212Error` (with ``raw``)
    of every rejected line. ``fast``: how many lines the columnar path settled.
    """

    lines: pa.Array
    packets: pa.Table
    items: pa.Table
    errors: dict[int, Hj212Error]
    fast: int

    def __len__(self) -> int:
        return len(self.lines)

    def results(self) -> list[Packet | Hj212Error]:
        """One :class:`Packet` or :class:`Hj212Error` per line, as ``parse_many`` returns them
        (for tests and small inputs: this builds the per-packet objects the columnar form avoids)."""
        out: list[Packet | Hj212Error | None] = [None] * len(self.lines)
        raws = self.lines.to_pylist()
        for i, err in self.errors.items():
            out[i] = err
        cps: dict[int, dict[str, str]] = {}
        for line, key, value in zip(
            *(self.items.column(c).to_pylist() for c in ("line", "key", "value")), strict=True
        ):
            cps.setdefault(line, {})[key] = value
        cols = {c: self.packets.column(c).to_pylist() for c in self.packets.column_names}
        for k, line in enumerate(cols["line"]):
            out[line] = Packet(
                qn=cols["qn"][k],
                st=cols["st"][k],
                cn=cols["cn"][k],
                pw=cols["pw"][k],
                mn=cols["mn"][k],
                flag=cols["flag"][k],
                pnum=cols["pnum"][k],
                pno=cols["pno"][k],
                cp=cps.get(line, {}),
                raw=raws[line],
            )
        return out  # type: ignore[return-value]


def _as_string(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    return a if a.type == pa.string() else a.cast(pa.string())


def _repeated(parent: np.ndarray, codes: np.ndarray, n_codes: int, n_groups: int) -> np.ndarray:
    """Per group (0..n_groups-1): True when one code occurs twice among its items (``parent`` ascending)."""
    out = np.zeros(n_groups, dtype=bool)
    if len(parent) == 0:
        return out
    # Quick exact screen: the items of a group are distinct when as many distinct bits (code mod 64) are
    # set as the group has items; only the groups that fail it are checked by sorting.
    bits = np.left_shift(np.uint64(1), (codes & 63).astype(np.uint64))
    starts = np.flatnonzero(np.r_[True, parent[1:] != parent[:-1]])
    groups = parent[starts]
    counts = np.diff(np.r_[starts, len(parent)])
    ored = np.bitwise_or.reduceat(bits, starts)
    suspect = groups[np.bitwise_count(ored) != counts]
    if len(suspect) == 0:
        return out
    sel = np.isin(parent, suspect)
    combined = np.sort(parent[sel] * max(n_codes, 1) + codes[sel])
    same = np.flatnonzero(combined[1:] == combined[:-1])
    out[combined[same] // max(n_codes, 1)] = True
    return out


def _dictionary_codes(a: pa.Array) -> tuple[np.ndarray, int]:
    enc = pc.dictionary_encode(a)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(enc.dictionary)


def _take(a: pa.Array, idx: np.ndarray) -> pa.Array:
    return a.take(pa.array(idx, type=pa.int64()))


def _offsets(a: pa.Array) -> np.ndarray:
    """The offsets of a string or list array, as int64."""
    t = a.type
    wide = pa.types.is_large_string(t) or pa.types.is_large_list(t) or pa.types.is_large_binary(t)
    raw = np.frombuffer(a.buffers()[1], dtype=np.int64 if wide else np.int32)
    return raw[a.offset : a.offset + len(a) + 1].astype(np.int64)


def _bools(a: pa.Array) -> np.ndarray:
    return np.asarray(a.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _empty(lines: pa.Array) -> Decoded:
    return Decoded(lines, PACKET_SCHEMA.empty_table(), ITEM_SCHEMA.empty_table(), {}, 0)


def _decode(data: bytes | memoryview) -> Decoded:
    lines, fast = split_lines(data)
    n = len(lines)
    if n == 0:
        return _empty(lines)
    offsets = _offsets(lines)
    buf = np.frombuffer(lines.buffers()[2], dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    size = ends - starts

    # 1. frame: "##dddd" … "&&hhhh" CR LF, the length field equal to the data segment's length
    cand = np.flatnonzero(fast & (size >= 20))
    head = buf[starts[cand, None] + np.arange(9)]
    tail = buf[ends[cand, None] + np.arange(-8, 0)]
    digits = head[:, 2:6].astype(np.int64) - 48
    ok = (
        (head[:, 0] == 35)
        & (head[:, 1] == 35)
        & ((digits >= 0) & (digits <= 9)).all(axis=1)
        & (head[:, 6] == 81)
        & (head[:, 7] == 78)
        & (head[:, 8] == 61)
        & (tail[:, 0] == 38)
        & (tail[:, 1] == 38)
        & _IS_HEX[tail[:, 2:6]].all(axis=1)
        & (tail[:, 6] == 13)
        & (tail[:, 7] == 10)
        & (digits @ np.array([1000, 100, 10, 1]) == size[cand] - 12)
    )
    cand, tail = cand[ok], tail[ok]
    # 2. CRC of every data segment, against the 4 hex digits before CR LF
    hexv = _HEX[tail[:, 2:6]]
    declared = (hexv[:, 0] << 12) | (hexv[:, 1] << 8) | (hexv[:, 2] << 4) | hexv[:, 3]
    cand = cand[crc16_spans(buf, starts[cand] + 6, size[cand] - 12) == declared]
    if len(cand) == 0:
        return _settle(
            lines, np.zeros(0, dtype=np.int64), PACKET_SCHEMA.empty_table(), ITEM_SCHEMA.empty_table()
        )

    # 3. header: exactly QN;ST;CN;PW;MN;Flag before the first ";CP=&&", no other '=' or ';'
    parts = pc.split_pattern(lines, ";CP=&&", max_splits=1)
    poff = _offsets(parts)
    cand = cand[poff[cand + 1] - poff[cand] == 2]
    if len(cand) == 0:
        return _settle(
            lines, np.zeros(0, dtype=np.int64), PACKET_SCHEMA.empty_table(), ITEM_SCHEMA.empty_table()
        )
    hdr = _take(parts.values, poff[cand])
    body = _take(parts.values, poff[cand] + 1)
    hsplit = pc.split_pattern(hdr, ";")
    hoff = _offsets(hsplit)
    good = (np.diff(hoff) == 6) & (pc.count_substring(hdr, "=").to_numpy(zero_copy_only=False) == 6)
    htok = hsplit.values
    htoff = _offsets(htok)
    hbuf = np.frombuffer(htok.buffers()[2] or b"\0", dtype=np.uint8)
    last_byte = len(hbuf) - 1
    last_tok = max(len(htoff) - 2, 0)
    first_tok = np.where(good, hoff[:-1], 0)
    flag = np.zeros(len(cand), dtype=np.int64)
    for k, (prefix, may_be_empty) in enumerate(_HEADER):
        t = np.minimum(first_tok + k, last_tok)
        at = htoff[t] + (6 if k == 0 else 0)  # the first token starts with "##dddd"
        value_len = htoff[t + 1] - at - len(prefix)
        good &= value_len >= (0 if may_be_empty else 1)
        for j, ch in enumerate(prefix):
            good &= hbuf[np.minimum(at + j, last_byte)] == ch
    # Flag: 1 to 9 digits
    flag_text = pc.utf8_slice_codeunits(_take(htok, np.minimum(first_tok + 5, last_tok)), 5)
    digits = _bools(pc.match_substring_regex(flag_text, r"^[0-9]{1,9}$"))
    good &= digits
    flag = pc.cast(pc.if_else(pa.array(digits), flag_text, "0"), pa.int64()).to_numpy(zero_copy_only=False)
    good &= (flag & FLAG_SPLIT) == 0
    # 4. CP body: no '&'; items "key=value" separated by ';' or ',', keys non-empty and unique
    cp = pc.utf8_slice_codeunits(body, 0, -8)
    cpoff = _offsets(cp)
    raw = cp.buffers()[2].to_pybytes()[: cpoff[-1]] if len(cp) and cp.buffers()[2] is not None else b""
    seps = raw.translate(_COMMA_TO_SEMICOLON, _NOT_SEP_OR_AMP)  # every ; , = & of the bodies, in order
    if b"&" in seps:
        good &= pc.find_substring(cp, "&").to_numpy(zero_copy_only=False) < 0
        seps = seps.replace(b"&", b"")
    tokens = pc.split_pattern(
        pa.StringArray.from_buffers(
            len(cp), pa.py_buffer(cpoff.astype(np.int32)), pa.py_buffer(raw.translate(_TO_SEMICOLON))
        ),
        ";",
    )
    toff = _offsets(tokens)
    ntok = np.diff(toff)
    good &= ntok % 2 == 0  # an odd number of separators
    sa = np.frombuffer(seps, dtype=np.uint8)
    nb = len(cp)
    sstart = toff[:-1] - np.arange(nb)  # where each body's separators start in `seps`
    has = np.flatnonzero(ntok > 1)
    if len(sa):
        good[has] &= (sa[sstart[has]] == 61) & (sa[sstart[has] + ntok[has] - 2] == 61)
        # inside a body '=' and ';' alternate: two equal neighbours only across a body boundary
        pairs = np.flatnonzero(sa[1:] == sa[:-1])
        is_start = np.zeros(len(sa) + 1, dtype=bool)
        is_start[sstart[has]] = True
        inside = pairs[~is_start[pairs + 1]]
        if len(inside):
            good[has[np.searchsorted(sstart[has], inside, side="right") - 1]] = False
    gb = np.flatnonzero(good)
    per = ntok[gb] // 2
    ipar = np.repeat(gb, per)  # body of each item
    kidx = np.repeat(toff[gb] - 2 * (np.cumsum(per) - per), per) + 2 * np.arange(len(ipar))
    tvals = tokens.values
    tvoff = _offsets(tvals)
    empty_key = np.flatnonzero(tvoff[kidx + 1] == tvoff[kidx])
    good[ipar[empty_key]] = False
    keys = _take(tvals, kidx)
    codes, n_codes = _dictionary_codes(keys)
    good &= ~_repeated(ipar, codes, n_codes, nb)
    keep = good[ipar]
    values = _take(tvals, kidx + 1)
    if not keep.all():
        mask = pa.array(keep)
        keys, values, ipar = keys.filter(mask), values.filter(mask), ipar[keep]
    accepted = cand[good]
    first_tok = first_tok[good]
    fields = {}
    for k, name in enumerate(("qn", "st", "cn", "pw", "mn")):
        fields[name] = _as_string(pc.utf8_slice_codeunits(_take(htok, first_tok + k), 9 if k == 0 else 3))
    packets = pa.table(
        {
            "line": pa.array(accepted, pa.int64()),
            **fields,
            "flag": pa.array(flag[good], pa.int64()),
            "pnum": pa.nulls(len(accepted), pa.int64()),
            "pno": pa.nulls(len(accepted), pa.int64()),
        },
        schema=PACKET_SCHEMA,
    )
    items = pa.table(
        {"line": pa.array(cand[ipar], pa.int64()), "key": _as_string(keys), "value": _as_string(values)},
        schema=ITEM_SCHEMA,
    )

    return _settle(lines, accepted, packets, items)


def _settle(lines: pa.Array, accepted: np.ndarray, packets: pa.Table, items: pa.Table) -> Decoded:
    """Add the verdict of ``parse_many`` on every line the columnar path did not accept."""
    n = len(lines)
    # everything else: the codec's own per-line checks, for exactly those lines
    settled = np.zeros(n, dtype=bool)
    settled[accepted] = True
    rest = np.flatnonzero(~settled)
    errors: dict[int, Hj212Error] = {}
    if len(rest):
        more_packets: list[dict] = []
        more_items: list[tuple[int, str, str]] = []
        raws = _take(lines, rest).to_pylist()
        for i, res in zip(rest.tolist(), parse_many(raws), strict=True):
            if isinstance(res, Hj212Error):
                errors[i] = res
                continue
            more_packets.append(
                {
                    "line": i,
                    "qn": res.qn,
                    "st": res.st,
                    "cn": res.cn,
                    "pw": res.pw,
                    "mn": res.mn,
                    "flag": res.flag,
                    "pnum": res.pnum,
                    "pno": res.pno,
                }
            )
            more_items += [(i, k, v) for k, v in res.cp.items()]
        if more_packets:
            packets = pa.concat_tables([packets, pa.Table.from_pylist(more_packets, schema=PACKET_SCHEMA)])
            packets = packets.take(pc.sort_indices(packets, [("line", "ascending")]))
            extra = pa.table(
                {
                    "line": pa.array([t[0] for t in more_items], pa.int64()),
                    "key": pa.array([t[1] for t in more_items], pa.string()),
                    "value": pa.array([t[2] for t in more_items], pa.string()),
                },
                schema=ITEM_SCHEMA,
            )
            items = pa.concat_tables([items, extra])
            items = items.take(pc.sort_indices(items, [("line", "ascending")]))  # stable: keeps packet order
    return Decoded(lines, packets.combine_chunks(), items.combine_chunks(), errors, len(accepted))


_PARALLEL_BYTES = 1 << 22  # with threads > 1, files larger than this are decoded in pieces


def decode_file(data: bytes, *, threads: int = 1) -> Decoded:
    """Decode a landing file's bytes (one packet per line) into Arrow columns; see the module docstring.

    With ``threads`` > 1 a file larger than 4 MiB is cut at line feeds into that many pieces decoded
    concurrently (Arrow and numpy release the GIL); a cut at LF changes no line, so the result is the
    same. The loaders use one thread: on this shared 2-core machine two threads did not shorten the wall
    time and cost more CPU time.
    """
    if threads < 2 or len(data) < _PARALLEL_BYTES:
        return _decode(data)
    cuts = [0]
    for k in range(1, threads):
        at = data.find(b"\n", max(cuts[-1], len(data) * k // threads))
        if at < 0:
            break
        cuts.append(at + 1)
    cuts.append(len(data))
    view = memoryview(data)
    pieces = [view[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    if len(pieces) == 1:
        return _decode(data)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(pieces)) as pool:
        return _merge(list(pool.map(_decode, pieces)))


def _merge(parts: list[Decoded]) -> Decoded:
    shift = 0
    packets, items, errors = [], [], {}
    for d in parts:
        packets.append(d.packets.set_column(0, "line", pc.add(d.packets.column("line"), shift)))
        items.append(d.items.set_column(0, "line", pc.add(d.items.column("line"), shift)))
        errors.update({i + shift: e for i, e in d.errors.items()})
        shift += len(d.lines)
    lines = pa.concat_arrays(
        [
            d.lines.cast(pa.large_string())
            if any(p.lines.type == pa.large_string() for p in parts)
            else d.lines
            for d in parts
        ]
    )
    return Decoded(
        lines,
        pa.concat_tables(packets).combine_chunks(),
        pa.concat_tables(items).combine_chunks(),
        errors,
        sum(d.fast for d in parts),
    )
