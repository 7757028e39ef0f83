"""cut_frames against hand-built byte streams: split, coalesced, garbage, bad length; no byte lost."""

from __future__ import annotations

import pytest

from ingestion.receiver.framing import cut_frames

# The HJ 212-2017 standard's example packet (data segment of 101 bytes, CRC 1C80).
A = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
B = A.replace(b"RtdInterval=30", b"RtdInterval=45")  # same length; CRC not recomputed (framing only)


def feed(chunks: list[bytes]) -> list[bytes]:
    frames, rest = [], b""
    for c in chunks:
        got, rest = cut_frames(rest + c)
        frames += got
    got, _ = cut_frames(rest, final=True)
    return frames + got


def test_packet_split_over_reads_at_every_position() -> None:
    for cut in range(1, len(A)):
        assert feed([A[:cut], A[cut:]]) == [A]


def test_coalesced_packets_in_one_read() -> None:
    assert feed([A + B + A]) == [A, B, A]


def test_garbage_between_packets_is_its_own_frame() -> None:
    assert feed([A + b"\x00\xffjunk" + B]) == [A, b"\x00\xffjunk", B]
    # garbage ending in '#' right before a packet: '###0101…' — the packet starts at the 2nd '#'
    assert feed([b"noise#" + A]) == [b"noise#", A]
    # garbage with CR LF and no packet start yet: handed over at its CR LF
    frames, rest = cut_frames(b"AT+OK\r\n##01")
    assert frames == [b"AT+OK\r\n"] and rest == b"##01"


def test_wrong_length_field_cut_at_crlf_without_holding_up_the_next() -> None:
    longer = b"##0104" + A[6:]    # says 104, is 101
    shorter = b"##0099" + A[6:]   # says 99, is 101
    assert feed([longer + B]) == [longer, B]
    assert feed([shorter + B]) == [shorter, B]
    # a wrong (longer) length as the last bytes seen: it may still be incomplete, so it waits ...
    frames, rest = cut_frames(longer)
    assert frames == [] and rest == longer
    # ... and is released by the next packet start after its CR LF
    frames, rest = cut_frames(rest + B[:10])
    assert frames == [longer] and rest == B[:10]


@pytest.mark.parametrize("stream", [A + b"\r\n" + B, b"\r\n" + A, A + b"##xx\r\n" + A, A[:50]])
def test_every_byte_is_in_exactly_one_frame(stream: bytes) -> None:
    frames = feed([stream[i:i + 7] for i in range(0, len(stream), 7)])
    assert b"".join(frames) == stream
